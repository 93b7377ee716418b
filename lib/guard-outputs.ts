import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { EcsImageGuard } from './image-guard';
import { LOG_QUERIES } from './log-queries';

/**
 * What an operator needs after `cdk deploy`: signing command, where alerts/logs/state live, saved
 * queries. Returns the outputs by name (the README's names; ImageGuardStack uses them as logical ids).
 */
export function createOutputs(guard: EcsImageGuard): Record<string, CfnOutput> {
  const stack = Stack.of(guard);
  const outputs: Record<string, CfnOutput> = {};
  const out = (id: string, value: string, description: string) => {
    outputs[id] = new CfnOutput(guard, id, { value, description });
  };

  if (guard.signingKey !== undefined && guard.signingKeyAlias !== undefined) {
    const key = `awskms:///${guard.signingKeyAlias}`;
    // cosign's awskms provider uses the AWS SDK's default region; the key lives in the stack's region.
    const env = `AWS_REGION=${stack.region}`;
    out('SigningKeyArn', guard.signingKey.keyArn, 'KMS key (ECC_NIST_P256, SIGN_VERIFY) that signs images');
    out('SigningKeyAlias', guard.signingKeyAlias, 'Alias of the signing key');
    out(
      'SignCommand',
      `${env} cosign sign --key ${key} IMAGE@sha256:DIGEST`,
      'Sign an image by digest. cosign v3 defaults to --new-bundle-format (a Sigstore bundle stored as an OCI ' +
        'referrer) and uploads to the public Rekor log unless --tlog-upload=false --use-signing-config=false',
    );
    out(
      'SignCommandLegacyFormat',
      `${env} cosign sign --key ${key} --new-bundle-format=false --use-signing-config=false IMAGE@sha256:DIGEST`,
      'Sign in the legacy format (the sha256-DIGEST.sig tag, as cosign v1/v2 write it); the guard reads both',
    );
  }
  out(
    'PolicySha256',
    guard.resolvedPolicy.sha256,
    'SHA-256 of the deployed policy (policySha256 in decision records)',
  );
  out(
    'AlertTopicArn',
    guard.alertTopic.topicArn,
    guard.opsTopic === undefined
      ? 'SNS topic for alerts and alarms (subscribe, filter by message attributes)'
      : 'SNS topic for alerts (subscribe, filter by message attributes)',
  );
  if (guard.opsTopic !== undefined) {
    out('OpsTopicArn', guard.opsTopic.topicArn, "SNS topic for the guard's own alarms (operators)");
  }
  out('LogGroupName', guard.logGroup.logGroupName, 'Decision records (one JSON line per decision)');
  out(
    'LedgerTableName',
    guard.ledger.tableName,
    'DynamoDB table recording which tasks were stopped / alerted',
  );
  out('FunctionName', guard.function.functionName, 'The verifier Lambda function');
  out(
    'FailedEventsQueueUrl',
    guard.failedEventsQueue.queueUrl,
    'Events whose verification failed after retries',
  );
  out(
    'UndeliveredEventsQueueUrl',
    guard.undeliveredEventsQueue.queueUrl,
    'Events EventBridge could not deliver',
  );

  for (const query of LOG_QUERIES) {
    new logs.CfnQueryDefinition(guard, `Query-${query.name}`, {
      name: `${stack.stackName}/${query.name}`,
      queryString: query.queryString,
      logGroupNames: [guard.logGroup.logGroupName],
    });
  }
  return outputs;
}
