/**
 * The ECS ARNs of a deployment (service, service deployment, service revision), per the service
 * authorization reference:
 *   service             arn:PARTITION:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE
 *   service-deployment  arn:PARTITION:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID
 *   service-revision    arn:PARTITION:ecs:REGION:ACCOUNT:service-revision/CLUSTER/SERVICE/ID
 * Cluster and service names are what the policy matches on (`clusters`, `services`).
 */
const PREFIX = 'arn:(aws[a-z-]*):ecs:([a-z0-9-]{1,32}):(\\d{12})';
const NAME = '[A-Za-z0-9_-]{1,255}';

export const SERVICE_ARN_RE = new RegExp(`^${PREFIX}:service/(${NAME})/(${NAME})$`);
export const SERVICE_DEPLOYMENT_ARN_RE = new RegExp(
  `^${PREFIX}:service-deployment/(${NAME})/(${NAME})/(${NAME})$`,
);
export const SERVICE_REVISION_ARN_RE = new RegExp(
  `^${PREFIX}:service-revision/(${NAME})/(${NAME})/(${NAME})$`,
);

export interface ServiceArnParts {
  partition: string;
  region: string;
  account: string;
  cluster: string;
  service: string;
}

function partsOf(re: RegExp, arn: string): ServiceArnParts | undefined {
  const m = re.exec(arn);
  if (!m) return undefined;
  return {
    partition: m[1] as string,
    region: m[2] as string,
    account: m[3] as string,
    cluster: m[4] as string,
    service: m[5] as string,
  };
}

export const serviceArnParts = (arn: string) => partsOf(SERVICE_ARN_RE, arn);
export const serviceRevisionArnParts = (arn: string) => partsOf(SERVICE_REVISION_ARN_RE, arn);

/** The cluster ARN a service (or revision) ARN names. */
export function clusterArnOf(parts: ServiceArnParts): string {
  return `arn:${parts.partition}:ecs:${parts.region}:${parts.account}:cluster/${parts.cluster}`;
}
