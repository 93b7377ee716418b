import { PolicyError } from '../../lambda/policy/issues';
import { parsePolicy } from '../../lambda/policy/load';
import { policySha256 } from '../../lambda/policy/hash';
import { DEFAULT_SWEEP_SETTINGS, sweepSettings } from '../../lambda/policy/sweep-settings';

const parse = (text: string) => parsePolicy(text, { source: 'policy.yaml' });

function issuesOf(text: string) {
  try {
    parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return (e as PolicyError).issues;
  }
  throw new Error('expected the policy to be rejected');
}

describe('policy: sweep settings', () => {
  it('keeps what the file sets, adds nothing when it sets nothing (the policy hash stays)', () => {
    expect(parse('sweep: { maxStopsPerRun: 2 }').sweep).toEqual({ maxStopsPerRun: 2 });
    expect(parse('sweep: { recheckAfterHours: 6 }').sweep).toEqual({ recheckAfterHours: 6 });
    expect(parse('sweep: { maxStopsPerRun: 0, recheckAfterHours: 720 }').sweep).toEqual({
      maxStopsPerRun: 0,
      recheckAfterHours: 720,
    });
    expect(parse('{}')).not.toHaveProperty('sweep');
    expect(parse('sweep: {}')).not.toHaveProperty('sweep');
    expect(policySha256(parse('sweep: {}'))).toBe(policySha256(parse('{}')));
    const policy = parse('sweep: { maxStopsPerRun: 3 }');
    expect(parse(JSON.stringify(policy))).toEqual(policy);
  });

  it('defaults: 5 stops a run, re-checked after 24 hours', () => {
    expect(DEFAULT_SWEEP_SETTINGS).toEqual({ maxStopsPerRun: 5, recheckAfterHours: 24 });
    expect(sweepSettings(parse('{}'))).toEqual({ maxStopsPerRun: 5, recheckAfterMs: 24 * 3600_000 });
    expect(sweepSettings(parse('sweep: { recheckAfterHours: 2 }'))).toEqual({
      maxStopsPerRun: 5,
      recheckAfterMs: 2 * 3600_000,
    });
  });

  it('rejects bad values and unknown fields, naming them', () => {
    expect(issuesOf('sweep: { maxStopsPerRun: -1 }')).toEqual([
      expect.objectContaining({
        path: 'sweep.maxStopsPerRun',
        message: expect.stringMatching(/0 \(the sweep only alerts\)/),
      }),
    ]);
    expect(issuesOf('sweep: { maxStopsPerRun: 1001 }')).toEqual([
      expect.objectContaining({
        path: 'sweep.maxStopsPerRun',
        message: expect.stringMatching(/at most 1000/),
      }),
    ]);
    expect(issuesOf('sweep: { recheckAfterHours: 0 }')).toEqual([
      expect.objectContaining({
        path: 'sweep.recheckAfterHours',
        message: expect.stringMatching(/at least 1/),
      }),
    ]);
    expect(issuesOf('sweep: { recheckAfterHours: 721 }')).toEqual([
      expect.objectContaining({
        path: 'sweep.recheckAfterHours',
        message: expect.stringMatching(/at most 720/),
      }),
    ]);
    expect(issuesOf('sweep: { recheckAfterHours: 1.5 }')).toEqual([
      expect.objectContaining({ path: 'sweep.recheckAfterHours' }),
    ]);
    expect(issuesOf('sweep: { maxStops: 3 }')).toEqual([
      expect.objectContaining({ path: 'sweep.maxStops', message: expect.stringMatching(/maxStopsPerRun/) }),
    ]);
  });
});
