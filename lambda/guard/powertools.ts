import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { GuardMetricName, GuardMetrics } from './guard';

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
