import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { ArnContext } from './cluster-scope';

/**
 * The alert topic: SSL-only, encrypted with a rotating CMK, publishable by this account's CloudWatch
 * alarms. CloudWatch alarms cannot publish to a topic under the AWS managed SNS key (its key policy
 * cannot be changed to let them), hence a CMK.
 */
export function createAlertTopic(
  scope: Construct,
  here: ArnContext,
  emails: readonly string[],
): { topic: sns.Topic; key: kms.Key } {
  const key = new kms.Key(scope, 'AlertTopicKey', {
    description: 'ecs-image-guard: encrypts the alert topic',
    enableKeyRotation: true,
  });
  // SNS makes exactly two KMS calls per publisher and data key, GenerateDataKey and Decrypt (the SNS
  // key management guide counts "R = B / D * (2 * P)"), so no wildcard action is needed.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToUseTheKeyForTheAlertTopic',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
    }),
  );
  const topic = alarmPublishableTopic(scope, 'AlertTopic', 'ecs-image-guard alerts', key, here, emails);
  return { topic, key };
}

/**
 * The operators' topic for the guard's own alarms, kept apart from the alert topic (which ECS users
 * read). Same protection: SSL-only, encrypted with the alert topic's CMK (whose policy already lets
 * CloudWatch alarms use it), publishable by this account's alarms only.
 */
export function createOpsTopic(
  scope: Construct,
  here: ArnContext,
  key: kms.IKey,
  emails: readonly string[],
): sns.Topic {
  return alarmPublishableTopic(scope, 'OpsTopic', 'ecs-image-guard operator alarms', key, here, emails);
}

function alarmPublishableTopic(
  scope: Construct,
  id: string,
  displayName: string,
  key: kms.IKey,
  here: ArnContext,
  emails: readonly string[],
): sns.Topic {
  const topic = new sns.Topic(scope, id, { displayName, masterKey: key, enforceSSL: true });
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': here.account },
        ArnLike: {
          'aws:SourceArn': `arn:${here.partition}:cloudwatch:${here.region}:${here.account}:alarm:*`,
        },
      },
    }),
  );
  for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
  return topic;
}
