import { randomUUID } from 'node:crypto';
import { recordedAction } from '../decision/decide-task';
import { buildDecisionRecord, buildIgnoredRecord } from '../decision/record';
import { parseTaskStateChange } from '../events';
import { composeEvaluation } from '../guard/composition';
import { evaluateTask } from '../guard/evaluate-task';
import { loadPolicyFile } from '../policy/load';
import { ReasonCode } from '../reasons';
import { DockerConfigCredentialProvider } from '../registry/credentials/docker-config-provider';
import type { CheckArgs } from './args';
import { CliInputError, type CliIo } from './io';
import { readText } from './verify-command';

/**
 * `image-guard check`: what the Lambda would decide for a saved event, through the same code,
 * with no side effects. Exit 0 the task may run, 1 it would be stopped, 2 could not decide.
 */
export async function runCheck(args: CheckArgs, io: CliIo): Promise<number> {
  const policy = loadPolicyFile(args.policy);
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
    io.out(
      args.json ? `${JSON.stringify(record, null, 2)}\n` : `IGNORED  ${record.reason}: ${record.message}\n`,
    );
    return parsed.reason === ReasonCode.EVENT_INVALID ? 2 : 0;
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
    if (args.json) {
      io.out(`${JSON.stringify(record, null, 2)}\n`);
    } else {
      const verb = { stop: 'WOULD STOP', alert: 'WOULD ALERT', none: 'WOULD ALLOW' }[
        evaluation.decision.action
      ];
      const lines = [
        `${verb}  task ${record.taskArn} (cluster ${record.cluster}${record.service ? `, service ${record.service}` : ''}, mode ${record.mode})`,
      ];
      for (const c of record.containers) {
        lines.push(`  - ${c.name}: ${c.outcome} ${c.reason}${c.rule ? ` (rule "${c.rule}")` : ''}`);
        lines.push(
          `      image ${c.image ?? '(none reported)'}${c.digest ? `@${c.digest.slice(0, 19)}… (${c.digestSource})` : ''}`,
        );
        lines.push(`      ${c.message}`);
      }
      io.out(`${lines.join('\n')}\n`);
    }
    if (evaluation.containers.some((c) => c.decision.outcome === 'error')) return 2;
    return evaluation.decision.action === 'stop' ? 1 : 0;
  } finally {
    await engine.registry.close();
  }
}
