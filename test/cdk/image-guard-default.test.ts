/**
 * The guard with no policy (what `cdk deploy` with no context gives), bundled for real once for the
 * whole file: signing key, the default audit policy shipped in the asset, and every resource's shape.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { defaultPolicy } from '../../lambda/policy/default-policy';
import { policySha256 } from '../../lambda/policy/hash';
import { LOG_QUERIES } from '../../lib/log-queries';
import {
  actionsOf,
  iamStatements,
  onlyResource,
  render,
  resourcesOf,
  statementsFor,
  synthGuard,
  type Synthesized,
} from './support';

let s: Synthesized;
beforeAll(() => {
  s = synthGuard({ alertEmails: ['platform@example.com', 'oncall@example.com'] }, { bundle: true });
}, 120_000);

const ref = (logicalId: string) => ({ Ref: logicalId });
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const idOf = (type: string, where: (props: Record<string, unknown>) => boolean = () => true): string => {
  const ids = Object.entries(s.template.findResources(type))
    .filter(([, r]) => where(r.Properties ?? {}))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0]!;
};
const signingKeyId = () => idOf('AWS::KMS::Key', (p) => p.KeyUsage === 'SIGN_VERIFY');
const topicId = () => idOf('AWS::SNS::Topic');
const functionId = () => idOf('AWS::Lambda::Function');
const queueId = (name: 'FailedEventsQueue' | 'UndeliveredEventsQueue') =>
  s.stack.getLogicalId(
    s.guard[name === 'FailedEventsQueue' ? 'failedEventsQueue' : 'undeliveredEventsQueue'].node
      .defaultChild as never,
  );

function assetDir(): string {
  const key = onlyResource(s.template, 'AWS::Lambda::Function').resource.Properties.Code.S3Key as string;
  return path.join(s.app.outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

describe('signing key and default policy (no policy given)', () => {
  it('creates an asymmetric ECC_NIST_P256 / SIGN_VERIFY key, retained, with alias/ecs-image-guard', () => {
    s.template.hasResource('AWS::KMS::Key', {
      Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
      DeletionPolicy: 'Retain',
    });
    s.template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/ecs-image-guard',
      TargetKeyId: arnOf(signingKeyId()),
    });
  });

  it('outputs the key, its alias, the exact cosign commands and the policy hash', () => {
    const outputs = s.template.findOutputs('*');
    const byId = (suffix: string) => {
      const found = Object.entries(outputs).filter(([id]) =>
        new RegExp(`^Guard${suffix}[0-9A-F]{8}$`).test(id),
      );
      expect(found).toHaveLength(1);
      return found[0]![1].Value as unknown;
    };
    expect(byId('SigningKeyArn')).toEqual(arnOf(signingKeyId()));
    expect(byId('SigningKeyAlias')).toBe('alias/ecs-image-guard');
    expect(render(byId('SignCommand'))).toBe(
      'AWS_REGION=${AWS::Region} cosign sign --key awskms:///alias/ecs-image-guard IMAGE@sha256:DIGEST',
    );
    expect(render(byId('SignCommandLegacyFormat'))).toBe(
      'AWS_REGION=${AWS::Region} cosign sign --key awskms:///alias/ecs-image-guard ' +
        '--new-bundle-format=false --use-signing-config=false IMAGE@sha256:DIGEST',
    );
    expect(byId('PolicySha256')).toBe(policySha256(defaultPolicy('alias/ecs-image-guard')));
    expect(byId('AlertTopicArn')).toEqual(ref(topicId()));
    expect(byId('LogGroupName')).toEqual(ref(idOf('AWS::Logs::LogGroup')));
    expect(byId('LedgerTableName')).toEqual(ref(idOf('AWS::DynamoDB::Table')));
  });
});

describe('the Lambda asset (bundled with esbuild, locally)', () => {
  it('contains index.js and policy.json equal to the compiled default policy', () => {
    const files = readdirSync(assetDir()).sort();
    expect(files).toEqual(expect.arrayContaining(['index.js', 'policy.json']));
    const shipped = JSON.parse(readFileSync(path.join(assetDir(), 'policy.json'), 'utf8'));
    expect(shipped).toEqual(defaultPolicy('alias/ecs-image-guard'));
    expect(shipped).toEqual(s.guard.resolvedPolicy.policy);
    expect(policySha256(shipped)).toBe(s.guard.resolvedPolicy.sha256);
  });

  it('requires at run time only Node built-ins and the AWS SDK v3 clients that nodejs24.x ships', () => {
    // Plus undici, required lazily and only for a custom registry CA, which the Lambda never sets.
    const code = readFileSync(path.join(assetDir(), 'index.js'), 'utf8');
    const required = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))];
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const unexpected = required.filter(
      (m) =>
        !builtins.has(m) &&
        !/^@aws-sdk\/client-(kms|ecr|ecs|sns|dynamodb)$/.test(m) &&
        !m.startsWith('@smithy/') &&
        m !== 'undici',
    );
    expect(unexpected).toEqual([]);
    expect(code.length).toBeLessThan(1.5 * 1024 * 1024);
  });
});

describe('the verifier function', () => {
  it('runs nodejs24.x on arm64 with JSON logs into its own log group and the env contract', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 60,
      LoggingConfig: {
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        LogGroup: ref(idOf('AWS::Logs::LogGroup')),
      },
      Environment: {
        Variables: {
          IMAGE_GUARD_POLICY_FILE: 'policy.json',
          IMAGE_GUARD_TOPIC_ARN: ref(topicId()),
          IMAGE_GUARD_LEDGER_TABLE: ref(idOf('AWS::DynamoDB::Table')),
          IMAGE_GUARD_VERIFY_DEADLINE_MS: '45000',
          // 30 s above the 60 s timeout: no live invocation's claim is ever taken over.
          IMAGE_GUARD_LEASE_SECONDS: '90',
          POWERTOOLS_SERVICE_NAME: 'image-guard',
          POWERTOOLS_METRICS_NAMESPACE: 'EcsImageGuard',
        },
      },
    });
  });

  it('reserves no concurrency by default (a reservation fails on accounts with a low concurrency quota)', () => {
    const fn = onlyResource(s.template, 'AWS::Lambda::Function').resource;
    expect(fn.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
  });

  it('keeps its log group a year and retains it', () => {
    s.template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('retries failed async invocations twice within an hour, then sends them to the failed-events queue', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(functionId()),
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: arnOf(queueId('FailedEventsQueue')) } },
    });
  });
});

describe('the EventBridge rule', () => {
  it('matches ECS tasks starting, in every cluster for the default policy (noMatch: deny)', () => {
    const rule = onlyResource(s.template, 'AWS::Events::Rule').resource;
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { desiredStatus: ['RUNNING'], lastStatus: ['PENDING', 'ACTIVATING', 'RUNNING'] },
    });
  });

  it('targets the function with its own dead-letter queue and a bounded retry policy', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        {
          Arn: arnOf(functionId()),
          DeadLetterConfig: { Arn: arnOf(queueId('UndeliveredEventsQueue')) },
          RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 7200 },
        },
      ],
    });
  });
});

describe('alerts, queues, ledger', () => {
  it('encrypts the topic with a rotating CMK that CloudWatch alarms may use, and is SSL-only', () => {
    const keyId = idOf('AWS::KMS::Key', (p) => p.KeyUsage === undefined);
    s.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      },
    });
    s.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(keyId) });
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
  });

  it('subscribes every alert email', () => {
    const subs = Object.values(s.template.findResources('AWS::SNS::Subscription')).map((r) => r.Properties);
    expect(subs.map((p) => [p.Protocol, p.Endpoint, p.TopicArn]).sort()).toEqual([
      ['email', 'oncall@example.com', ref(topicId())],
      ['email', 'platform@example.com', ref(topicId())],
    ]);
  });

  it('encrypts both dead-letter queues, keeps messages 14 days, and denies non-SSL access', () => {
    for (const name of ['FailedEventsQueue', 'UndeliveredEventsQueue'] as const) {
      const id = queueId(name);
      expect(s.template.toJSON().Resources[id].Properties).toEqual({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(id)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('keys the ledger by taskArn with TTL, point-in-time recovery and AWS-managed encryption', () => {
    s.template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'taskArn', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'taskArn', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
    const sse = onlyResource(s.template, 'AWS::DynamoDB::Table').resource.Properties.SSESpecification;
    expect(sse.KMSMasterKeyId).toBeUndefined(); // AWS managed key, not a customer key
  });
});

describe('alarms', () => {
  const alarms = () =>
    Object.values(s.template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties);
  const byMetric = (namespace: string, metricName: string) =>
    alarms().filter((a) => a.Namespace === namespace && a.MetricName === metricName);

  it('watch the function, the guard, both queues and the rule, and all notify the alert topic (no ops emails)', () => {
    expect(
      alarms()
        .map((a) => `${a.Namespace}/${a.MetricName}`)
        .sort(),
    ).toEqual([
      'AWS/Events/InvocationsFailedToBeSentToDlq',
      'AWS/Lambda/AsyncEventAge',
      'AWS/Lambda/DestinationDeliveryFailures',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Throttles',
      'AWS/SQS/NumberOfMessagesSent',
      'AWS/SQS/NumberOfMessagesSent',
      'EcsImageGuard/Errors',
      'EcsImageGuard/EventsInvalid',
    ]);
    for (const alarm of alarms()) {
      expect(alarm).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold',
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [ref(topicId())],
      });
    }
  });

  it('fire on the first verification error and the first unparseable event (Powertools EMF, service dimension)', () => {
    for (const name of ['Errors', 'EventsInvalid']) {
      expect(byMetric('EcsImageGuard', name)).toEqual([
        expect.objectContaining({
          Dimensions: [{ Name: 'service', Value: 'image-guard' }],
          Statistic: 'Sum',
          Period: 300,
          Threshold: 0,
          EvaluationPeriods: 1,
        }),
      ]);
    }
  });

  it('fire on every arrival in either dead-letter queue (messages sent, not messages visible)', () => {
    const queueAlarms = byMetric('AWS/SQS', 'NumberOfMessagesSent');
    expect(queueAlarms.map((a) => a.Dimensions)).toEqual(
      expect.arrayContaining([
        [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId('FailedEventsQueue'), 'QueueName'] } }],
        [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId('UndeliveredEventsQueue'), 'QueueName'] } }],
      ]),
    );
    for (const a of queueAlarms) {
      expect(a).toMatchObject({ Statistic: 'Sum', Threshold: 0, EvaluationPeriods: 3, DatapointsToAlarm: 1 });
    }
    expect(byMetric('AWS/SQS', 'ApproximateNumberOfMessagesVisible')).toEqual([]);
  });

  it('fire when an event waited more than 10 minutes in the async queue (backlog)', () => {
    expect(byMetric('AWS/Lambda', 'AsyncEventAge')).toEqual([
      expect.objectContaining({
        Dimensions: [{ Name: 'FunctionName', Value: ref(functionId()) }],
        Statistic: 'Maximum',
        Threshold: 10 * 60 * 1000,
      }),
    ]);
  });
});

describe('saved Logs Insights queries', () => {
  it('saves denied images, stopped tasks, errors, unconfirmed digests, alert groups and decisions-for-a-task', () => {
    const queries = Object.values(s.template.findResources('AWS::Logs::QueryDefinition')).map(
      (r) => r.Properties,
    );
    expect(queries.map((q) => q.Name).sort()).toEqual(
      [
        'alerts-by-group',
        'decisions-for-task',
        'denied-images',
        'errors',
        'stopped-tasks',
        'unconfirmed-digests',
      ].map((n) => `GuardTest/${n}`),
    );
    for (const q of queries) expect(q.LogGroupNames).toEqual([ref(idOf('AWS::Logs::LogGroup'))]);
    const denied = queries.find((q) => q.Name.endsWith('denied-images'))!.QueryString as string;
    expect(denied).toContain('filter type = "image-guard.decision"');
    expect(denied).toContain('unnest decision.containers into c');
    expect(denied).toContain('filter c.outcome = "deny"');
    expect(queries.find((q) => q.Name.endsWith('stopped-tasks'))!.QueryString).toContain(
      'action = "stopped"',
    );
    expect(denied).toContain('c.digestSource');
    expect(denied).toContain('c.alertGroup');
    expect(denied).toContain('decision.trigger');
    const unconfirmed = queries.find((q) => q.Name.endsWith('unconfirmed-digests'))!.QueryString as string;
    expect(unconfirmed).toContain('c.reason = "DIGEST_UNCONFIRMED"');
    expect(unconfirmed).toContain('c.digestSource in ["describeTasks", "serviceRevision", "resolved"]');
    expect(queries.find((q) => q.Name.endsWith('alerts-by-group'))!.QueryString).toContain('by c.alertGroup');
    expect(queries.find((q) => q.Name.endsWith('errors'))!.QueryString).toContain('reason = "EVENT_INVALID"');
    expect(LOG_QUERIES).toHaveLength(6);
  });
});

describe('IAM for the default policy (audit mode, every image, the created key)', () => {
  it('uses a custom role with no managed policies', () => {
    const role = onlyResource(s.template, 'AWS::IAM::Role').resource;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
  });

  it('has no wildcard action anywhere and Resource "*" only for actions without resource-level permissions', () => {
    const statements = iamStatements(s.template);
    expect(statements.length).toBeGreaterThan(5);
    const star: string[] = [];
    for (const st of statements) {
      for (const action of actionsOf(st)) expect(action).not.toMatch(/\*/);
      if (resourcesOf(st).includes('*')) star.push(...actionsOf(st));
    }
    expect(star.sort()).toEqual(['ecr:GetAuthorizationToken', 'ecs:DescribeTaskDefinition']);
  });

  it('reads ECS tasks and service revisions of every cluster (the default policy applies everywhere)', () => {
    const describeTasks = statementsFor(s.template, 'ecs:DescribeTasks');
    expect(describeTasks).toHaveLength(1);
    expect(describeTasks[0]!.Action).toBe('ecs:DescribeTasks');
    expect(resourcesOf(describeTasks[0]!).map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/*/*',
    ]);
    const condition = (describeTasks[0]!.Condition as { ArnLike: { 'ecs:cluster': unknown[] } }).ArnLike[
      'ecs:cluster'
    ];
    expect(condition.map(render)).toEqual([
      'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/*',
    ]);
    expect(
      statementsFor(s.template, 'ecs:DescribeServiceRevisions').map((st) => [
        st.Action,
        resourcesOf(st).map(render),
      ]),
    ).toEqual([
      [
        'ecs:DescribeServiceRevisions',
        [
          'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service/*/*',
          'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:service-revision/*/*/*',
        ],
      ],
    ]);
    expect(statementsFor(s.template, 'ecs:DescribeTaskDefinition')).toEqual([
      { Effect: 'Allow', Action: 'ecs:DescribeTaskDefinition', Resource: '*' },
    ]);
  });

  it('grants kms:GetPublicKey on the created key only, and no ecs:StopTask in audit mode', () => {
    expect(statementsFor(s.template, 'kms:GetPublicKey').map((st) => st.Resource)).toEqual([
      arnOf(signingKeyId()),
    ]);
    expect(statementsFor(s.template, 'ecs:StopTask')).toEqual([]);
  });

  it('publishes only to the alert topic and uses the ledger with Get/Put/UpdateItem only', () => {
    expect(statementsFor(s.template, 'sns:Publish').map((st) => st.Resource)).toEqual([ref(topicId())]);
    const ddb = iamStatements(s.template).filter((st) =>
      actionsOf(st).some((a) => a.startsWith('dynamodb:')),
    );
    expect(ddb).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: arnOf(idOf('AWS::DynamoDB::Table')),
      },
    ]);
  });

  it('writes logs only to its own log group', () => {
    const logs = iamStatements(s.template).filter((st) => actionsOf(st).some((a) => a.startsWith('logs:')));
    expect(logs).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: arnOf(idOf('AWS::Logs::LogGroup')),
      },
    ]);
  });
});
