/**
 * Containers ECS adds to a task on its own: the GuardDuty Runtime Monitoring agent on Fargate and the
 * Service Connect proxy. Their names carry a random suffix (`aws-guardduty-agent-FvWGoDU`,
 * `ecs-service-connect-oRK9o`) and their images are not the user's to sign (GuardDuty's is reported with
 * a digest but no image, Service Connect's with neither), so exact names or image patterns cannot
 * describe them.
 *
 * A container counts as injected only when ALL hold:
 *   - its name is absent from the task definition (a user cannot add a container ECS did not define;
 *     a user container named like an agent is in the task definition and is verified like any other);
 *   - its name matches a known agent's pattern;
 *   - GuardDuty: an image, when reported, is the agent's repository in AWS's account for the region;
 *     Service Connect: a `ServiceConnect` attachment of the task names the container, and an image,
 *     when reported, is the local agent image (`ecs-service-connect-agent:interface-v<N>`, EC2).
 */
import { isEcrRegistry } from '../reference/ecr-host';
import type { TaskContainer } from '../events/task-event';

export type InjectedAgent = 'guardduty-agent' | 'service-connect';

export interface InjectedContainer {
  agent: InjectedAgent;
  /** Why it is trusted, for the record and the alert. */
  reason: string;
}

const GUARDDUTY_NAME_RE = /^aws-guardduty-agent-[A-Za-z0-9]{1,64}$/;
const SERVICE_CONNECT_NAME_RE = /^ecs-service-connect-[A-Za-z0-9]{1,64}$/;
const SERVICE_CONNECT_LOCAL_IMAGE_RE = /^ecs-service-connect-agent:interface-v\d{1,6}$/;

/**
 * The AWS accounts that publish `aws-guardduty-agent-fargate`, per region (GuardDuty user guide,
 * "Amazon ECR repository hosting GuardDuty agent", ecs-runtime-agent-ecr-image-uri).
 */
export const GUARDDUTY_AGENT_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '593207742271',
  'us-east-2': '307168627858',
  'us-west-1': '684579721401',
  'us-west-2': '733349766148',
  'ca-central-1': '354763396469',
  'ca-west-1': '339712888787',
  'sa-east-1': '758426053663',
  'mx-central-1': '311141559934',
  'eu-west-1': '694911143906',
  'eu-west-2': '892757235363',
  'eu-west-3': '665651866788',
  'eu-central-1': '323658145986',
  'eu-central-2': '529164026651',
  'eu-north-1': '591436053604',
  'eu-south-1': '266869475730',
  'eu-south-2': '919611009337',
  'ap-south-1': '251508486986',
  'ap-south-2': '950823858135',
  'ap-southeast-1': '174946120834',
  'ap-southeast-2': '005257825471',
  'ap-southeast-3': '510637619217',
  'ap-southeast-4': '251357961535',
  'ap-southeast-5': '156041399949',
  'ap-southeast-7': '054037130133',
  'ap-northeast-1': '533107202818',
  'ap-northeast-2': '914738172881',
  'ap-northeast-3': '273192626886',
  'ap-east-1': '258348409381',
  'ap-east-2': '259886477082',
  'me-south-1': '536382113932',
  'me-central-1': '000014521398',
  'il-central-1': '870907303882',
  'af-south-1': '197869348890',
  'us-gov-east-1': '383115532789',
  'us-gov-west-1': '383110348953',
};

/** True when the name alone could be an agent's: only then is the task definition worth reading. */
export function mayBeInjected(name: string): boolean {
  return GUARDDUTY_NAME_RE.test(name) || SERVICE_CONNECT_NAME_RE.test(name);
}

export function injectedContainerOf(
  container: TaskContainer,
  task: { region: string; serviceConnectContainers: readonly string[] },
  definedContainers: ReadonlySet<string>,
): InjectedContainer | undefined {
  if (container.problem !== undefined || definedContainers.has(container.name)) return undefined;
  if (GUARDDUTY_NAME_RE.test(container.name)) {
    if (container.image !== undefined && !isGuardDutyAgentImage(container.image, task.region))
      return undefined;
    return {
      agent: 'guardduty-agent',
      reason: 'AWS-injected GuardDuty Runtime Monitoring agent (not in the task definition)',
    };
  }
  if (SERVICE_CONNECT_NAME_RE.test(container.name)) {
    if (!task.serviceConnectContainers.includes(container.name)) return undefined;
    if (container.image !== undefined && !SERVICE_CONNECT_LOCAL_IMAGE_RE.test(container.image))
      return undefined;
    return {
      agent: 'service-connect',
      reason:
        'AWS-injected Service Connect proxy (not in the task definition, named by the ServiceConnect attachment)',
    };
  }
  return undefined;
}

function isGuardDutyAgentImage(image: string, region: string): boolean {
  const account = GUARDDUTY_AGENT_ACCOUNTS[region];
  if (account === undefined) return false;
  const slash = image.indexOf('/');
  if (slash < 0) return false;
  // AWS's own registry for the agent: its account, in the task's region (ECR's host rule in one place).
  const registry = isEcrRegistry(image.slice(0, slash));
  if (registry === undefined || registry.accountId !== account || registry.region !== region) return false;
  return /^aws-guardduty-agent-fargate(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/.test(
    image.slice(slash + 1),
  );
}
