/**
 * An event the guard cannot parse is never dropped silently: it leaves an audit record naming what is
 * wrong, and it is counted in its own metric (EventsInvalid), which an alarm can watch, apart from
 * events that are merely not applicable (EventsIgnored).
 */
import type { LambdaProcess } from '../support/e2e';
import { startScenario, type Scenario, SETUP_TIMEOUT_MS } from '../support/e2e/scenario';
import { newTaskId, taskEvent } from '../guard/support';

let s: Scenario;
let lp: LambdaProcess;
const events: Array<{ what: string; event: Record<string, unknown>; detail: RegExp }> = [];

beforeAll(async () => {
  s = await startScenario();
  const image = await s.push('app', '1.0', { signed: false });
  const base = () =>
    taskEvent({
      taskId: newTaskId(),
      containers: [{ name: 'api', image: image.image, imageDigest: image.digest }],
    });

  const notAList = base();
  (notAList.detail as Record<string, unknown>).containers = 'api';
  notAList.id = 'a1b2c3d4-0000-4000-8000-00000000000a';
  events.push({ what: 'containers not a list', event: notAList, detail: /containers/ });

  const badArn = base();
  (badArn.detail as Record<string, unknown>).taskArn = 42;
  badArn.id = 'a1b2c3d4-0000-4000-8000-00000000000b';
  events.push({ what: 'a task ARN that is a number', event: badArn, detail: /taskArn/ });

  lp = await s.guard.startLambda();
  for (const { event } of events) await lp.invoke(event);
}, SETUP_TIMEOUT_MS);
afterAll(async () => {
  await s?.stop();
});

describe('an unparseable event', () => {
  it('is recorded as EVENT_INVALID with its event id and what is wrong, and nothing is done', () => {
    const ignored = lp.records('image-guard.ignored');
    expect(ignored).toEqual(
      events.map(({ event, detail }) =>
        expect.objectContaining({
          reason: 'EVENT_INVALID',
          eventId: event.id,
          message: expect.stringMatching(detail),
        }),
      ),
    );
    expect(lp.records('image-guard.decision')).toEqual([]);
    expect(s.guard.ecs.calls).toEqual([]);
    expect(s.guard.sns.calls).toEqual([]);
    expect(s.guard.ledgerCalls()).toEqual([]);
  });

  it('is counted in EventsInvalid, once per event', () => {
    expect(lp.metric('EventsInvalid')).toBe(events.length);
  });
});
