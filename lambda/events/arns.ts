/**
 * The parts of ECS ARNs the policy matches on. Shapes per the ECS ARN formats:
 *   cluster          arn:PARTITION:ecs:REGION:ACCOUNT:cluster/NAME
 *   task             arn:PARTITION:ecs:REGION:ACCOUNT:task/CLUSTER/ID  (the old format task/ID still appears)
 *   task definition  arn:PARTITION:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION
 */

const PREFIX = 'arn:aws[a-z-]*:ecs:[a-z0-9-]{1,32}:\\d{12}';
export const CLUSTER_ARN_RE = new RegExp(`^${PREFIX}:cluster/([A-Za-z0-9_-]{1,255})$`);
export const TASK_ARN_RE = new RegExp(`^${PREFIX}:task/(?:[A-Za-z0-9_-]{1,255}/)?[A-Za-z0-9_-]{1,255}$`);
export const TASK_DEFINITION_ARN_RE = new RegExp(
  `^${PREFIX}:task-definition/([A-Za-z0-9_-]{1,255}):(\\d{1,10})$`,
);

export function clusterNameOf(clusterArn: string): string | undefined {
  return CLUSTER_ARN_RE.exec(clusterArn)?.[1];
}

export function taskDefinitionOf(arn: string): { family: string; revision: number } | undefined {
  const m = TASK_DEFINITION_ARN_RE.exec(arn);
  return m ? { family: m[1] as string, revision: Number(m[2]) } : undefined;
}

/** `service:NAME` → NAME (service tasks); `family:NAME` and anything else → undefined. */
export function serviceOf(group: string | undefined): string | undefined {
  if (group === undefined || !group.startsWith('service:')) return undefined;
  const name = group.slice('service:'.length);
  return name.length > 0 ? name : undefined;
}
