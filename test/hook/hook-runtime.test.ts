/** The hook Lambda's start: its environment, a policy that cannot be loaded, and an unforeseen failure. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lambda/guard/config';
import { DeploymentHook } from '../../lambda/hook/deployment-hook';
import { loadHookConfig } from '../../lambda/hook/hook-config';
import type { HookDecisionRecord } from '../../lambda/hook/hook-record';
import { createLambdaHook } from '../../lambda/hook/hook-runtime';
import { parsePolicy } from '../../lambda/policy/load';
import { ReasonCode } from '../../lambda/reasons';
import { RecordingLogger, RecordingMetrics } from '../guard/support';
import { TIMING, hookPayload } from './support';

describe('loadHookConfig', () => {
  const base = { IMAGE_GUARD_POLICY_FILE: 'policy.json' };

  it('reads the hook timing the construct sets', () => {
    const config = loadHookConfig(
      { ...base, IMAGE_GUARD_HOOK_TIMEOUT_SECONDS: '1800', IMAGE_GUARD_HOOK_INVOCATION_SECONDS: '60' },
      '/var/task',
    );
    expect(config.timing).toEqual({
      hookTimeoutMs: 1_800_000,
      callBackDelaySeconds: 30,
      invocationMs: 60_000,
    });
  });

  it.each([
    [{}, /IMAGE_GUARD_HOOK_TIMEOUT_SECONDS/],
    [{ IMAGE_GUARD_HOOK_TIMEOUT_SECONDS: '30' }, /at least 60/],
    [
      { IMAGE_GUARD_HOOK_TIMEOUT_SECONDS: '1800', IMAGE_GUARD_HOOK_CALLBACK_DELAY_SECONDS: 'soon' },
      /whole number/,
    ],
  ])('refuses %j', (env, message) => {
    expect(() => loadHookConfig({ ...base, ...env }, '/var/task')).toThrow(message);
  });

  it("the event function's switch for the hook's approvals", () => {
    expect(loadConfig({ IMAGE_GUARD_APPROVED_DIGESTS: 'ledger' }, '/var/task').approvedDigests).toBe(true);
    expect(loadConfig({}, '/var/task').approvedDigests).toBeUndefined();
    expect(() => loadConfig({ IMAGE_GUARD_APPROVED_DIGESTS: 'yes' }, '/var/task')).toThrow(/ledger/);
  });
});

describe('createLambdaHook', () => {
  it('a policy that cannot be loaded answers every call FAILED, with a POLICY_INVALID record', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-runtime-'));
    writeFileSync(path.join(dir, 'policy.json'), '{"mode": "sometimes"}');
    const logger = new RecordingLogger();
    const hook = createLambdaHook(
      () =>
        loadHookConfig(
          { IMAGE_GUARD_POLICY_FILE: 'policy.json', IMAGE_GUARD_HOOK_TIMEOUT_SECONDS: '1800' },
          dir,
        ),
      logger,
      new RecordingMetrics(),
    );
    expect(await hook.handle(hookPayload({ service: 'web' }))).toEqual({ hookStatus: 'FAILED' });
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatchObject({
      level: 'error',
      fields: {
        trigger: 'deployment-hook',
        hookStatus: 'FAILED',
        problem: { reason: ReasonCode.POLICY_INVALID },
      },
    });
  });

  it('an environment that is wrong answers FAILED too (never a throw, never a pass)', async () => {
    const logger = new RecordingLogger();
    const hook = createLambdaHook(() => loadHookConfig({}, '/nowhere'), logger, new RecordingMetrics());
    expect(await hook.handle({})).toEqual({ hookStatus: 'FAILED' });
    expect((logger.lines[0]!.fields as unknown as HookDecisionRecord).problem?.message).toContain(
      'IMAGE_GUARD_HOOK_TIMEOUT_SECONDS',
    );
  });
});

it('an unforeseen failure inside the hook is answered FAILED and recorded, not thrown', async () => {
  const logger = new RecordingLogger();
  const policy = parsePolicy(JSON.stringify({ mode: 'enforce', keys: [], rules: [] }), { source: 'p.json' });
  const hook = new DeploymentHook({
    evaluator: {
      policy,
      policySha256: 'x',
      verifier: {} as never,
      keyRing: {} as never,
      rekorKeys: [],
      lookups: {} as never,
    },
    revisions: {
      describe: () =>
        Promise.resolve({
          arn: 'arn:aws:ecs:eu-west-1:111122223333:service-revision/prod-eu/web/1',
          serviceArn: 'arn:aws:ecs:eu-west-1:111122223333:service/prod-eu/web',
          clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu',
          taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/web:1',
          // A reader that breaks its contract: the hook must still answer.
          containers: null as never,
        }),
    },
    sns: { send: () => Promise.reject(new Error('not used')) as never },
    logger,
    metrics: new RecordingMetrics(),
    timing: TIMING,
    verifyDeadlineMs: 1000,
  });
  const { response, record } = await hook.handle(hookPayload({ service: 'web' }));
  expect(response).toEqual({ hookStatus: 'FAILED' });
  expect(record.hookReason).toMatch(/^internal error/);
  expect(logger.lines.filter((l) => l.level === 'error')).toHaveLength(1);
});
