import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { ArnContext, ClusterArnPattern } from './cluster-scope';
import { acknowledgeWildcardResources } from './guard-nag';
import {
  clusterScope,
  ecrAuthStatement,
  ecrReadStatement,
  stopScope,
  stopTaskStatement,
} from './guard-permissions';
import type { ResolvedPolicy } from './guard-policy';
import { kmsPublicKeyStatements } from './kms-grants';
import { grantSignerRevocation } from './signer-grants';
import { describeTaskDefinitionStatement, ecsReadStatements } from './ecs-read-grants';

export interface GuardRoleInputs {
  resolved: ResolvedPolicy;
  here: ArnContext;
  logGroup: logs.ILogGroup;
  alertTopic: sns.ITopic;
  alertKey: kms.IKey;
  ledger: dynamodb.ITable;
  /** The signing key the construct created (granted by ARN rather than by alias). */
  ownedKey?: { alias: string; keyArn: string };
  /** The role's description; default the verifier's. */
  description?: string;
}

/**
 * The verifier's role: hand-written statements only, each scoped to what the policy needs, no managed
 * policy (so no AWSLambdaBasicExecutionRole: logs go to the explicit log group only). Every wildcard
 * resource is acknowledged for cdk-nag right here, with the reason it is needed.
 */
export function createGuardRole(
  scope: Construct,
  inputs: GuardRoleInputs,
): { role: iam.Role; ecrAuthPolicy?: iam.Policy; ecsTaskDefinitionPolicy: iam.Policy } {
  const { resolved, here } = inputs;
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description:
      inputs.description ?? 'ecs-image-guard verifier: read images and keys, stop tasks in scope, alert, log',
  });
  const grant = (statement: iam.PolicyStatement, wildcardReason?: string) => {
    role.addToPolicy(statement);
    if (wildcardReason !== undefined) acknowledgeWildcardResources(role, statement, wildcardReason);
  };

  inputs.logGroup.grantWrite(role);

  const owned = new Map(inputs.ownedKey ? [[inputs.ownedKey.alias, inputs.ownedKey.keyArn]] : []);
  for (const statement of kmsPublicKeyStatements(resolved.scope.kmsKeys, here, owned)) {
    grant(
      statement,
      'kms:GetPublicKey for a policy key named by alias: IAM cannot name a KMS key by alias in Resource ' +
        '(an alias there means the alias resource), so key/* is narrowed by the kms:RequestAlias condition ' +
        'to the key that alias names.',
    );
  }

  // Only where a stop is possible; a policy that can never stop (audit only) gets no ecs:StopTask.
  const stoppable = stopScope(resolved.policy, resolved.scope);
  if (stoppable !== undefined) {
    const clusters = clusterScope(stoppable, here);
    grant(
      stopTaskStatement(clusters.clusters),
      clusters.all
        ? 'ecs:StopTask on tasks of every cluster of this account and region: the policy can stop tasks ' +
            'anywhere (top-level enforce with noMatch: deny, or an enforce rule without clusters). Task ids ' +
            'are random, so task/*/* is the narrowest form; the policy decides per task.'
        : `ecs:StopTask on tasks of the clusters of the policy's enforce rules only ` +
            `(${stoppable.clusterPatterns.join(', ')}). Task ids are random, so task/CLUSTER/* is the ` +
            'narrowest form; the ecs:cluster condition repeats the cluster scope.',
    );
  }

  const ecsTaskDefinitionPolicy = grantEcsReads(scope, role, clusterScope(resolved.scope, here));

  grantSignerRevocation(scope, role, resolved.policy);

  grant(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [inputs.alertTopic.topicArn] }));
  // Publishing to an encrypted topic: SNS generates and decrypts the data key as the publisher.
  grant(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [inputs.alertKey.keyArn],
    }),
  );
  grant(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [inputs.ledger.tableArn],
    }),
  );

  const ecrRead = resolved.scope.needsEcr ? ecrReadStatement(resolved.policy, here.partition) : undefined;
  if (ecrRead === undefined) return { role, ecsTaskDefinitionPolicy };
  grant(
    ecrRead,
    'ECR read (manifests, signature blobs, referrers; no push) on the repositories the image patterns of ' +
      "the policy's rules can name. A rule without images (or with a wildcard registry) covers every " +
      'repository; a repository in another account must also allow this role in its repository policy.',
  );
  // Its own policy, so that the one unavoidable `Resource: "*"` is acknowledged there and nowhere else.
  const auth = ecrAuthStatement();
  const ecrAuthPolicy = new iam.Policy(scope, 'EcrAuthPolicy', { statements: [auth] });
  ecrAuthPolicy.attachToRole(role);
  acknowledgeWildcardResources(
    ecrAuthPolicy,
    auth,
    'ecr:GetAuthorizationToken has no resource-level permissions (the service authorization reference ' +
      'lists no resource type for it), so Resource "*" is the only valid form. The token only carries ' +
      "this role's own ECR permissions.",
  );
  return { role, ecrAuthPolicy, ecsTaskDefinitionPolicy };
}

/**
 * ECS reads for the digest fallback (DescribeTasks, ListServiceDeployments, DescribeServiceRevisions) on the clusters the
 * policy applies to, and DescribeTaskDefinition, whose only valid resource is "*", in a policy of its
 * own so that its acknowledgement covers that statement and nothing else.
 */
function grantEcsReads(
  scope: Construct,
  role: iam.Role,
  clusters: { all: boolean; clusters: ClusterArnPattern[] },
): iam.Policy {
  const where = clusters.all
    ? 'every cluster of this account and region (the policy applies everywhere: a rule without clusters, or noMatch: deny)'
    : "the clusters the policy's rules name";
  for (const statement of ecsReadStatements(clusters.clusters)) {
    role.addToPolicy(statement);
    acknowledgeWildcardResources(
      role,
      statement,
      `Read-only ECS calls (DescribeTasks; ListServiceDeployments; DescribeServiceRevisions, which needs both the ` +
        `service and the service-revision resource) to establish an image digest the event does not carry, on ${where}. ` +
        'Task, service and revision ids are not known in advance, so CLUSTER/* is the narrowest form.',
    );
  }
  const statement = describeTaskDefinitionStatement();
  const policy = new iam.Policy(scope, 'EcsTaskDefinitionReadPolicy', { statements: [statement] });
  policy.attachToRole(role);
  acknowledgeWildcardResources(
    policy,
    statement,
    'ecs:DescribeTaskDefinition has no resource-level permissions (the service authorization reference lists ' +
      'no resource type for it), so Resource "*" is the only valid form. It is read-only: the verifier reads ' +
      "a task definition's container names to tell them from containers AWS injects.",
  );
  return policy;
}
