import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AuditLogger, GuardMetricName, GuardMetrics } from './guard';

/** Audit lines through Powertools Logger: the record's fields at the top level of the JSON line. */
export function powertoolsLogger(
  logger = new Logger({ serviceName: 'image-guard' }),
): AuditLogger & { raw: Logger } {
  return {
    raw: logger,
    info: (message, fields) => logger.info(message, fields as Record<string, unknown>),
    error: (message, fields) => logger.error(message, fields as Record<string, unknown>),
  };
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
