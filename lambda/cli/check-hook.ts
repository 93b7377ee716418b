/**
 * `image-guard check --hook-payload FILE --service-revision FILE`: what the deployment hook would
 * answer ECS for a saved lifecycle hook payload, through the hook's own code, with no side effects
 * (no alert, no approval recorded) and no AWS access (the revision ECS would describe comes from the
 * file). Exit 0 SUCCEEDED, 1 FAILED, 2 could not decide (IN_PROGRESS, an unreadable input, or a
 * verification that could not complete: the record still says what the hook would answer).
 */
import type { GuardMetrics } from '../guard/guard';
import { composeHook } from '../hook/compose-hook';
import type { HookDecisionRecord } from '../hook/hook-record';
import { GivenServiceRevisions, type DescribedRevisions } from '../hook/service-revision';
import type { Policy } from '../policy/schema';
import { ReasonCode } from '../reasons';
import { DockerConfigCredentialProvider } from '../registry/credentials/docker-config-provider';
import type { CheckArgs } from './args';
import { fixFor } from './fixes';
import { CliInputError, type CliIo } from './io';
import { jsonDocument, line, type JsonError } from './output';
import { readText } from './verify-command';

/** The construct's defaults: the CLI answers as a hook with a 30-minute timeout would. */
const CLI_TIMING = { hookTimeoutMs: 30 * 60_000, callBackDelaySeconds: 30, invocationMs: 60_000 };

const NO_METRICS: GuardMetrics = { count: () => {}, latency: () => {}, flush: () => {} };

export async function runHookCheck(
  args: CheckArgs & { hookPayload: string; serviceRevision: string },
  policy: Policy,
  dryRun: Record<string, unknown>,
  io: CliIo,
): Promise<number> {
  const payload = await readJson(args.hookPayload, '--hook-payload');
  const described = revisionsOf(
    await readJson(args.serviceRevision, '--service-revision'),
    args.serviceRevision,
  );
  const caPem = args.caFile ? await readText(args.caFile, '--ca-file') : undefined;
  let record: HookDecisionRecord | undefined;
  const { engine, hook } = composeHook({
    policy,
    registry: { insecureRegistries: args.insecureRegistries, caPem },
    extraCredentials: new DockerConfigCredentialProvider(),
    lookups: 'none',
    revisions: new GivenServiceRevisions(described),
    // No topic, no ledger: nothing is published or recorded.
    logger: {
      info: (_m, fields) => (record = fields as HookDecisionRecord),
      error: (_m, fields) => (record = fields as HookDecisionRecord),
    },
    metrics: NO_METRICS,
    verifyDeadlineMs: args.timeoutMs,
    timing: CLI_TIMING,
  });
  try {
    const outcome = await hook.handle(payload);
    record = outcome.record;
    const { response } = outcome;
    const error = errorOf(record, response.hookStatus);
    if (args.json) {
      io.out(jsonDocument({ ...record, hookResponse: response, ...dryRun, ...(error ? { error } : {}) }));
    } else {
      const where = `revision ${record.serviceRevisionArn ?? '(unknown)'} (cluster ${record.cluster ?? '?'}, service ${record.service ?? '?'}, mode ${record.mode})`;
      const lines = [
        error === undefined || response.hookStatus === 'IN_PROGRESS'
          ? `${error === undefined ? '' : 'COULD NOT DECIDE  '}WOULD ANSWER ${response.hookStatus}  ${where} [dry run]`
          : `COULD NOT DECIDE  ${where} [dry run]; the hook would answer ${response.hookStatus}`,
        `  ${line(record.hookReason)}`,
      ];
      if (record.problem) lines.push(`  ${record.problem.reason}: ${line(record.problem.message)}`);
      for (const c of record.containers) {
        lines.push(`  - ${c.name}: ${c.outcome} ${c.reason}${c.rule ? ` (rule "${c.rule}")` : ''}`);
        lines.push(
          `      image ${c.image === null ? '(none)' : line(c.image)}${c.digest ? `@${c.digest.slice(0, 19)}… (${c.digestSource})` : ''}`,
        );
        lines.push(`      ${line(c.message)}`);
        const fix = c.outcome === 'error' ? fixFor(c.message) : undefined;
        if (fix !== undefined) lines.push(`      fix: ${fix}`);
      }
      io.out(`${lines.join('\n')}\n`);
    }
    if (error !== undefined) return 2;
    return response.hookStatus === 'FAILED' ? 1 : 0;
  } finally {
    await engine.registry.close();
  }
}

/** Why the answer is not a decision: an unreadable input, IN_PROGRESS, or a container that could not be verified. */
function errorOf(record: HookDecisionRecord, status: string): JsonError | undefined {
  if (record.problem && record.problem.reason !== ReasonCode.EVENT_NOT_APPLICABLE)
    return { code: record.problem.reason, message: record.problem.message };
  const failed = record.containers.find((c) => c.outcome === 'error');
  if (failed) {
    const fix = fixFor(failed.message);
    return {
      code: failed.reason,
      message: `container ${failed.name}: ${failed.message}`,
      ...(fix ? { fix } : {}),
    };
  }
  if (status === 'IN_PROGRESS')
    return { code: ReasonCode.INTERNAL_ERROR, message: 'the hook would answer IN_PROGRESS' };
  return undefined;
}

async function readJson(file: string, flag: string): Promise<unknown> {
  const text = await readText(file, flag);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliInputError(`${flag} ${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** `aws ecs describe-service-revisions` output, or one revision object of it. */
function revisionsOf(json: unknown, file: string): DescribedRevisions {
  const o = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  if (Array.isArray(o.serviceRevisions)) return o as DescribedRevisions;
  if (typeof o.serviceRevisionArn === 'string') return { serviceRevisions: [o as never], failures: [] };
  throw new CliInputError(
    `--service-revision ${file}: expected the output of aws ecs describe-service-revisions ({"serviceRevisions":[...]}) or one revision of it`,
  );
}
