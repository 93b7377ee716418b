/**
 * The sweep over a fleet of 1,000 running tasks with 50 distinct images, as the Lambda composes it
 * (composeSweep): a real registry, the memory and ledger in a real DynamoDB (dynalite on loopback),
 * ECS answered by aws-sdk-client-mock in the real API's pages and batches (test/sweep/support FakeFleet),
 * the default ECS token bucket (5 calls/s, burst 10) with real waits.
 *
 * Three runs: a fleet the guard has never decided; the same fleet again (every task current: no
 * verification, no registry request); and the fleet after the re-check age (every task decided again,
 * from the verdict cache of the warm environment: still no registry request).
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { VerdictCache } from '../lambda/cache/verdict-cache';
import { DynamoDecisionLedger } from '../lambda/enforce/decision-ledger';
import { parsePolicy } from '../lambda/policy/load';
import { composeSweep } from '../lambda/sweep/compose-sweep';
import { DynamoDecisionMemory } from '../lambda/sweep/decision-memory';
import type { SweepRunRecord } from '../lambda/sweep/sweep';
import { startLedgerTable } from '../test/enforce/support/ledger-table';
import { FakeFleet } from '../test/sweep/support';
import type { Report } from './report';
import type { BenchImage } from './signed-images';
import { elapsedMs } from './stats';

const SECTION = 'Sweep (1,000 running tasks, 50 images)';
const TASKS = 1000;
const IMAGES = 50;
const CLUSTERS = ['prod-a', 'prod-b', 'prod-c', 'prod-d'];

export async function benchSweep(options: {
  images: readonly BenchImage[];
  insecure: string[];
  keyPem: string;
  report: Report;
}): Promise<void> {
  const { report } = options;
  const images = options.images.slice(0, IMAGES);
  if (images.length < IMAGES) throw new Error(`the sweep bench needs ${IMAGES} signed images`);
  const ecs = mockClient(ECSClient);
  const sns = mockClient(SNSClient);
  const table = await startLedgerTable();
  try {
    sns.on(PublishCommand).resolves({ MessageId: 'bench' });
    const fleet = new FakeFleet(ecs);
    fleet.install();
    for (let i = 0; i < TASKS; i++) {
      const image = images[i % IMAGES] as BenchImage;
      fleet.add({
        cluster: CLUSTERS[i % CLUSTERS.length] as string,
        id: i.toString(16).padStart(32, '0'),
        image: image.image,
        digest: image.digest,
      });
    }
    const policy = parsePolicy(
      JSON.stringify({
        mode: 'enforce',
        noMatch: 'allow',
        keys: [{ name: 'bench', publicKey: options.keyPem }],
        rules: [{ name: 'fleet', match: { clusters: CLUSTERS }, keys: ['bench'] }],
        registries: { insecure: options.insecure },
      }),
      { source: 'bench-policy.json' },
    );
    const clock = { offsetMs: 0 };
    const now = () => Date.now() + clock.offsetMs;
    const logLines = { count: 0 };
    const composition = composeSweep({
      policy,
      region: 'eu-west-1',
      cache: new VerdictCache(),
      ecs: new ECSClient({ region: 'eu-west-1' }),
      sns: new SNSClient({ region: 'eu-west-1' }),
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:bench',
      ledger: new DynamoDecisionLedger(table.client, table.tableName, 7, now),
      memory: new DynamoDecisionMemory(table.client, table.tableName),
      logger: { info: () => void logLines.count++, error: () => void logLines.count++ },
      metrics: { count: () => {}, latency: () => {}, flush: () => {} },
      verifyDeadlineMs: 25_000,
      now,
      enforcer: { now },
    });
    const stats = composition.engine.registry.stats;

    const run = async (name: string, note: string): Promise<SweepRunRecord> => {
      const before = stats.total;
      const started = performance.now();
      const record = await composition.sweep.run({ deadlineMs: 290_000 });
      const ms = elapsedMs(started);
      if (record.errors > 0 || record.clusterFailures.length > 0)
        throw new Error(`sweep bench: run "${name}" had errors: ${JSON.stringify(record)}`);
      const requests = stats.total - before;
      report.add(SECTION, `${name}: time`, ms / 1000, 's', undefined, note);
      report.add(
        SECTION,
        `${name}: tasks decided`,
        record.decided,
        'tasks',
        undefined,
        `${record.current} current`,
      );
      report.add(
        SECTION,
        `${name}: registry requests`,
        requests,
        'requests',
        name === 'run 1 (never decided)' ? undefined : { op: '<=', value: 0 },
      );
      report.add(
        SECTION,
        `${name}: ECS calls`,
        record.calls.ListTasks + record.calls.DescribeTasks + record.calls.ListClusters,
        'calls',
        undefined,
        `ListTasks ${record.calls.ListTasks}, DescribeTasks ${record.calls.DescribeTasks}, ListClusters ${record.calls.ListClusters}; ${record.throttleWaits} token waits; memory BatchGetItem ${record.calls.memoryReads}`,
      );
      return record;
    };

    const first = await run(
      'run 1 (never decided)',
      'every task verified once per distinct image (verdict cache), decisions written',
    );
    if (first.decided !== TASKS)
      throw new Error(`sweep bench: expected ${TASKS} decisions, got ${first.decided}`);
    const second = await run('run 2 (unchanged fleet)', 'every task current: no verification');
    if (second.current !== TASKS)
      throw new Error(`sweep bench: expected ${TASKS} current tasks, got ${second.current}`);
    clock.offsetMs += 25 * 3600_000;
    const third = await run(
      'run 3 (after the re-check age)',
      'every task decided again from the warm verdict cache',
    );
    if (third.decided !== TASKS)
      throw new Error(`sweep bench: expected ${TASKS} re-checks, got ${third.decided}`);
  } finally {
    ecs.restore();
    sns.restore();
    await table.stop();
  }
}
