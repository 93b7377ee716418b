import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { jsonLineAuditLogger } from './audit-log';
import type { AuditLogger, GuardMetricName, GuardMetrics } from './guard';

/**
 * The Lambda's audit logger. Despite the name (kept for the handler's import), audit lines do not go
 * through Powertools Logger, which would drop the record's `service` and `message` fields and its
 * nulls: see audit-log.ts. `write` receives each line (without newline); default stdout.
 */
export function powertoolsLogger(write?: (line: string) => void): AuditLogger {
  return jsonLineAuditLogger(write);
}

/** CloudWatch metrics as embedded metric format lines, written by Powertools Metrics. */
export function powertoolsMetrics(
  metrics = new Metrics({ namespace: 'EcsImageGuard', serviceName: 'image-guard' }),
): GuardMetrics {
  let pending = false;
  return {
    count(name: GuardMetricName, value = 1) {
      metrics.addMetric(name, MetricUnit.Count, value);
      pending = true;
    },
    latency(name, ms) {
      metrics.addMetric(name, MetricUnit.Milliseconds, ms);
      pending = true;
    },
    flush() {
      if (pending) metrics.publishStoredMetrics();
      pending = false;
    },
  };
}
