/**
 * The handler's real audit logger (JSON lines) and Powertools Metrics, writing into a counting
 * sink instead of stdout: the cost of building every audit line and EMF blob is measured, the
 * report stays readable. (Powertools Metrics keeps its output Console in a `console` field,
 * replaced here.)
 */
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { jsonLineAuditLogger } from '../lambda/guard/audit-log';
import type { AuditLogger, GuardMetrics } from '../lambda/guard/guard';
import { powertoolsMetrics } from '../lambda/guard/powertools';

export interface Sink {
  auditBytes: number;
  auditLines: number;
  metricsBytes: number;
  metricsWrites: number;
}

export function loggingWithSink(): { logger: AuditLogger; metrics: GuardMetrics; sink: Sink } {
  const sink: Sink = { auditBytes: 0, auditLines: 0, metricsBytes: 0, metricsWrites: 0 };
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sink.metricsBytes += chunk.length;
      sink.metricsWrites += 1;
      callback();
    },
  });
  const metrics = new Metrics({ namespace: 'EcsImageGuard', serviceName: 'image-guard' });
  if (!('console' in metrics)) throw new Error('Powertools Metrics has no console field; cannot capture it');
  Reflect.set(metrics, 'console', new Console({ stdout: stream, stderr: stream }));
  const logger = jsonLineAuditLogger((line) => {
    sink.auditBytes += Buffer.byteLength(line) + 1;
    sink.auditLines += 1;
  });
  return { logger, metrics: powertoolsMetrics(metrics), sink };
}
