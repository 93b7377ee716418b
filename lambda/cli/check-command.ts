import { randomUUID } from 'node:crypto';
import { recordedAction } from '../decision/decide-task';
import type { ExemptionRecord } from '../decision/types';
import { buildDecisionRecord, buildIgnoredRecord } from '../decision/record';
import { parseTaskStateChange } from '../events';
import { composeEvaluation } from '../guard/composition';
import { evaluateTask } from '../guard/evaluate-task';
import { DEFAULT_PEM_HASH } from '../keys/hash-algorithm';
import { exemptionLabel, exemptionWindowIssues } from '../policy/exemptions';
import { PolicyError } from '../policy/issues';
import { loadPolicyFile } from '../policy/load';
import { normalisePem, pemProblem } from '../policy/pem';
import { isPemKey } from '../policy/key-kind';
import type { Policy } from '../policy/schema';
import { ReasonCode } from '../reasons';
import { DockerConfigCredentialProvider } from '../registry/credentials/docker-config-provider';
import type { CheckArgs } from './args';
import { fixFor } from './fixes';
import { CliInputError, type CliIo } from './io';
import { jsonDocument, line, type JsonError } from './output';
import { readText } from './verify-command';

/**
 * `image-guard check`: what the Lambda would decide for a saved event, through the same code,
 * with no side effects. Exit 0 the task may run, 1 it would be stopped, 2 could not decide.
 * Every record it prints says `dryRun: true`: it was not written by a deployed guard.
 */
export async function runCheck(args: CheckArgs, io: CliIo): Promise<number> {
  const policy = await withKeyFiles(loadPolicyFile(args.policy), args.keyFiles);
  // Synth refuses an exemption that runs more than 30 days: so does the dry run of the same policy.
  const tooLong = exemptionWindowIssues(policy, Date.now());
  if (tooLong.length > 0) throw new PolicyError(args.policy, tooLong);
  const dryRun = {
    dryRun: true as const,
    ...(args.keyFiles.length > 0 ? { replacedKeys: args.keyFiles.map((k) => k.name) } : {}),
  };
  if (args.hookPayload !== undefined && args.serviceRevision !== undefined) {
    const { runHookCheck } = await import('./check-hook');
    return runHookCheck(
      { ...args, hookPayload: args.hookPayload, serviceRevision: args.serviceRevision },
      policy,
      dryRun,
      io,
    );
  }
  if (args.event === undefined) throw new CliInputError('check needs --event FILE');
  let event: unknown;
  try {
    event = JSON.parse(await readText(args.event, '--event'));
  } catch (e) {
    if (e instanceof CliInputError) throw e;
    throw new CliInputError(`--event ${args.event}: not valid JSON (${(e as Error).message})`);
  }

  const parsed = parseTaskStateChange(event);
  if (parsed.kind === 'ignored') {
    const record = buildIgnoredRecord({
      time: new Date().toISOString(),
      eventId: parsed.eventId,
      taskArn: parsed.taskArn,
      reason: parsed.reason,
      message: parsed.message,
    });
    const undecided = parsed.reason === ReasonCode.EVENT_INVALID;
    const error: JsonError | undefined = undecided
      ? { code: record.reason, message: record.message }
      : undefined;
    io.out(
      args.json
        ? jsonDocument({ ...record, ...dryRun, ...(error ? { error } : {}) })
        : `${undecided ? 'COULD NOT DECIDE' : 'IGNORED'}  ${record.reason}: ${line(record.message)}\n`,
    );
    return undecided ? 2 : 0;
  }

  const caPem = args.caFile ? await readText(args.caFile, '--ca-file') : undefined;
  // No ECS lookups: the CLI decides from the event alone (no AWS access is assumed).
  const {
    engine,
    evaluator,
    policySha256: hash,
  } = composeEvaluation({
    policy,
    registry: { insecureRegistries: args.insecureRegistries, caPem },
    extraCredentials: new DockerConfigCredentialProvider(),
    lookups: 'none',
  });
  try {
    const started = performance.now();
    const evaluation = await evaluateTask(parsed.task, evaluator, AbortSignal.timeout(args.timeoutMs));
    const record = buildDecisionRecord({
      decisionId: randomUUID(),
      time: new Date().toISOString(),
      task: parsed.task,
      decision: evaluation.decision,
      containers: evaluation.containers,
      policySha256: hash,
      durationMs: performance.now() - started,
      action: recordedAction(evaluation.decision.action),
    });
    const failed = record.containers.find((c) => c.outcome === 'error');
    const error: JsonError | undefined =
      failed === undefined
        ? undefined
        : {
            code: failed.reason,
            message: `container ${failed.name}: ${failed.message}`,
            ...(fixFor(failed.message) === undefined ? {} : { fix: fixFor(failed.message) }),
          };
    if (args.json) {
      io.out(jsonDocument({ ...record, ...dryRun, ...(error ? { error } : {}) }));
    } else {
      const verb = { stop: 'WOULD STOP', alert: 'WOULD ALERT', none: 'WOULD ALLOW' }[
        evaluation.decision.action
      ];
      const what = `task ${record.taskArn} (cluster ${record.cluster}${record.service ? `, service ${record.service}` : ''}, mode ${record.mode})`;
      const lines = [
        error === undefined
          ? `${verb}  ${what} [dry run]`
          : `COULD NOT DECIDE  ${what} [dry run]; under onError the Lambda would ${verb.slice(6).toLowerCase()} it`,
      ];
      for (const c of record.containers) {
        lines.push(`  - ${c.name}: ${c.outcome} ${c.reason}${c.rule ? ` (rule "${c.rule}")` : ''}`);
        lines.push(
          `      image ${c.image === null ? '(none reported)' : line(c.image)}${c.digest ? `@${c.digest.slice(0, 19)}… (${c.digestSource})` : ''}`,
        );
        lines.push(`      ${line(c.message)}`);
        if (c.exemption !== null) lines.push(`      ${exemptionLine(c.exemption)}`);
        const fix = c.outcome === 'error' ? fixFor(c.message) : undefined;
        if (fix !== undefined) lines.push(`      fix: ${fix}`);
      }
      io.out(`${lines.join('\n')}\n`);
    }
    if (error !== undefined) return 2;
    return evaluation.decision.action === 'stop' ? 1 : 0;
  } finally {
    await engine.registry.close();
  }
}

/** Which exemption applied to a container (or was ignored because it had expired), on one line. */
function exemptionLine(e: ExemptionRecord): string {
  const label = exemptionLabel(e.index, e);
  const what = e.image !== null ? `image ${e.image}` : `service ${e.service ?? '?'}`;
  return e.status === ReasonCode.EXEMPTED
    ? line(`exemption: ${label} APPLIED (${what}, until ${e.until}): ${e.reason}`)
    : line(`exemption: ${label} EXPIRED at ${e.until}, ignored (${what})`);
}

/**
 * `--key-file NAME=FILE`: the policy's key NAME becomes the PEM key in FILE (hash: the key's own,
 * else the PEM default), so a policy with KMS keys can be dry-run in CI without AWS.
 */
export async function withKeyFiles(policy: Policy, keyFiles: CheckArgs['keyFiles']): Promise<Policy> {
  if (keyFiles.length === 0) return policy;
  const keys = [...policy.keys];
  for (const { name, file } of keyFiles) {
    const at = keys.findIndex((k) => k.name === name);
    if (at < 0) {
      const names = policy.keys.map((k) => k.name).join(', ') || 'none';
      throw new CliInputError(
        `--key-file ${name}=${file}: the policy has no key "${name}" (its keys: ${names})`,
      );
    }
    const pem = await readText(file, '--key-file');
    const problem = pemProblem(pem);
    if (problem !== undefined) throw new CliInputError(`--key-file ${name}=${file}: the file ${problem}`);
    const key = keys[at]!;
    keys[at] = {
      name,
      publicKey: normalisePem(pem),
      hashAlgorithm: isPemKey(key) ? key.hashAlgorithm : DEFAULT_PEM_HASH,
    };
  }
  return { ...policy, keys };
}
