/**
 * The Lambda's audit logger writes the records exactly as built: DESIGN's `service` (the ECS service),
 * the ignored record's `message` and explicit nulls must survive into the log line.
 */
import { buildDecisionRecord, buildIgnoredRecord } from '../../lambda/decision/record';
import { parseTaskStateChange } from '../../lambda/events';
import { jsonLineAuditLogger } from '../../lambda/guard/audit-log';
import { ReasonCode } from '../../lambda/reasons';
import { loadFixture } from './support';

function record(fixture: 'ec2-service-pending-digest' | 'ec2-runtask-pending-no-digest') {
  const parsed = parseTaskStateChange(loadFixture(fixture));
  if (parsed.kind !== 'task') throw new Error(parsed.message);
  return buildDecisionRecord({
    decisionId: 'd-1',
    time: '2026-03-02T09:14:06.000Z',
    task: parsed.task,
    decision: { action: 'stop', mode: 'enforce' },
    containers: [
      {
        name: parsed.task.containers[0]!.name,
        image: parsed.task.containers[0]!.image,
        decision: {
          outcome: 'deny',
          reason: ReasonCode.NO_SIGNATURES,
          message: 'no cosign signature found',
          rule: 'prod',
          rules: ['prod'],
          keys: [],
          mode: 'enforce',
        },
        signaturesFound: 0,
        cached: false,
        durationMs: 12,
      },
    ],
    policySha256: 'a'.repeat(64),
    durationMs: 20,
  });
}

describe('jsonLineAuditLogger', () => {
  it('writes one JSON line per record with every field at the top level, service and nulls included', () => {
    const lines: string[] = [];
    const logger = jsonLineAuditLogger((line) => lines.push(line));
    const service = record('ec2-service-pending-digest');
    const runTask = record('ec2-runtask-pending-no-digest');
    logger.info('decision', service);
    logger.error('decision', runTask);

    expect(lines).toHaveLength(2);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    expect(JSON.parse(lines[0]!)).toEqual({ level: 'INFO', ...service });
    expect(JSON.parse(lines[0]!)).toMatchObject({ service: 'payments-api', cluster: 'prod-eu' });
    expect(JSON.parse(lines[1]!)).toEqual({ level: 'ERROR', ...runTask });
    expect(JSON.parse(lines[1]!)).toMatchObject({ service: null });
    expect(JSON.parse(lines[1]!).containers[0]).toMatchObject({ digest: null, digestSource: null });
  });

  it("keeps the ignored record's message (the reason in words)", () => {
    const lines: string[] = [];
    const ignored = buildIgnoredRecord({
      time: '2026-03-02T09:14:06.000Z',
      eventId: 'e-1',
      reason: ReasonCode.EVENT_INVALID,
      message: 'detail.version: expected integer, got string',
    });
    jsonLineAuditLogger((line) => lines.push(line)).info('ignored', ignored);
    expect(JSON.parse(lines[0]!)).toEqual({ level: 'INFO', ...ignored });
  });

  it('is what the Lambda handler logs with, on stdout', () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      jsonLineAuditLogger().info('decision', record('ec2-service-pending-digest'));
    } finally {
      spy.mockRestore();
    }
    expect(written).toHaveLength(1);
    expect(written[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(written[0]!)).toMatchObject({
      type: 'image-guard.decision',
      service: 'payments-api',
      decisionId: 'd-1',
    });
  });
});
