import fc from 'fast-check';
import { decideTask } from '../../lambda/decision/decide-task';
import type { ContainerDecision, ContainerOutcome } from '../../lambda/policy/evaluate';
import { parsePolicy } from '../../lambda/policy/load';
import type { Mode, Policy } from '../../lambda/policy/schema';
import { ReasonCode } from '../../lambda/reasons';

const policyWith = (onError: 'alert' | 'stop', mode: Mode = 'audit'): Policy =>
  parsePolicy(`mode: ${mode}\nonError: ${onError}`, { source: 't' });

function c(outcome: ContainerOutcome, mode: Mode): ContainerDecision {
  const reason = {
    allow: ReasonCode.VERIFIED,
    deny: ReasonCode.NO_SIGNATURES,
    skip: ReasonCode.TRUSTED_IMAGE,
    error: ReasonCode.REGISTRY_UNAVAILABLE,
  }[outcome];
  return { outcome, reason, message: outcome, rules: [], keys: [], mode };
}

describe('decideTask', () => {
  const alert = policyWith('alert');
  const stop = policyWith('stop');

  it.each<[string, Policy, ContainerDecision[], { action: string; mode: Mode }]>([
    ['all allowed', alert, [c('allow', 'enforce'), c('allow', 'audit')], { action: 'none', mode: 'enforce' }],
    [
      'allowed and skipped (audit)',
      alert,
      [c('allow', 'audit'), c('skip', 'audit')],
      { action: 'none', mode: 'audit' },
    ],
    ['no containers', alert, [], { action: 'none', mode: 'audit' }],
    [
      'a deny in enforce',
      alert,
      [c('allow', 'enforce'), c('deny', 'enforce')],
      { action: 'stop', mode: 'enforce' },
    ],
    [
      'a deny only in audit: would have stopped',
      alert,
      [c('deny', 'audit'), c('allow', 'enforce')],
      { action: 'alert', mode: 'audit' },
    ],
    [
      'an enforce deny beats an audit deny',
      alert,
      [c('deny', 'audit'), c('deny', 'enforce')],
      { action: 'stop', mode: 'enforce' },
    ],
    [
      'an enforce deny beats an error with onError alert',
      alert,
      [c('error', 'enforce'), c('deny', 'enforce')],
      { action: 'stop', mode: 'enforce' },
    ],
    [
      'an error with onError alert',
      alert,
      [c('error', 'enforce'), c('allow', 'enforce')],
      { action: 'alert', mode: 'enforce' },
    ],
    [
      'an error with onError stop in enforce',
      stop,
      [c('error', 'enforce'), c('allow', 'enforce')],
      { action: 'stop', mode: 'enforce' },
    ],
    [
      'an error with onError stop in audit never stops',
      stop,
      [c('error', 'audit')],
      { action: 'alert', mode: 'audit' },
    ],
    [
      'an audit error and an audit deny with onError stop',
      stop,
      [c('error', 'audit'), c('deny', 'audit')],
      { action: 'alert', mode: 'audit' },
    ],
    [
      'an audit error with an enforce allow, onError stop',
      stop,
      [c('error', 'audit'), c('allow', 'enforce')],
      { action: 'alert', mode: 'audit' },
    ],
    [
      'an error with onError alert and an audit deny',
      alert,
      [c('error', 'audit'), c('deny', 'audit')],
      { action: 'alert', mode: 'audit' },
    ],
  ])('%s', (_what, policy, containers, expected) => {
    expect(decideTask(policy, containers)).toEqual(expected);
  });

  const outcome = fc.constantFrom<ContainerOutcome>('allow', 'deny', 'skip', 'error');
  const mode = fc.constantFrom<Mode>('enforce', 'audit');
  const containers = fc.array(
    fc.tuple(outcome, mode).map(([o, m]) => c(o, m)),
    { maxLength: 6 },
  );
  const policy = fc
    .tuple(fc.constantFrom<'alert' | 'stop'>('alert', 'stop'), mode)
    .map(([e, m]) => policyWith(e, m));

  it('property: a deny in enforce mode always stops', () => {
    fc.assert(
      fc.property(policy, containers, (p, cs) => {
        fc.pre(cs.some((x) => x.outcome === 'deny' && x.mode === 'enforce'));
        expect(decideTask(p, cs)).toEqual({ action: 'stop', mode: 'enforce' });
      }),
    );
  });

  it('property: nothing in enforce mode, nothing is stopped', () => {
    fc.assert(
      fc.property(policy, containers, (p, cs) => {
        fc.pre(cs.every((x) => x.mode === 'audit'));
        expect(decideTask(p, cs).action).not.toBe('stop');
      }),
    );
  });

  it('property: any deny or error means at least an alert; none means none', () => {
    fc.assert(
      fc.property(policy, containers, (p, cs) => {
        const failing = cs.some((x) => x.outcome === 'deny' || x.outcome === 'error');
        expect(decideTask(p, cs).action === 'none').toBe(!failing);
      }),
    );
  });

  it('property: onError alert never stops a task whose only failures are errors', () => {
    fc.assert(
      fc.property(containers, (cs) => {
        fc.pre(cs.every((x) => x.outcome !== 'deny'));
        expect(decideTask(alert, cs).action).not.toBe('stop');
      }),
    );
  });
});
