/**
 * CloudWatch Logs Insights queries over the handler's log lines.
 *
 * The handler writes each audit record as one JSON object per line straight to stdout
 * (lambda/guard/audit-log.ts), so the decision record's keys are top-level fields of the log
 * event: `level`, `type`, `action`,
 * `cluster`, `taskArn`, `containers`, ... Logs Insights discovers top-level JSON fields, so `type` and
 * `action` can be filtered directly. `containers` is an array; `unnest` over `jsonParse(@message)`
 * yields one row per container (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Unnest.html).
 */

export const DECISION_TYPE = 'image-guard.decision';

/** Placeholder the operator replaces with a task ARN or task id before running the query. */
export const TASK_PLACEHOLDER = 'REPLACE-WITH-TASK-ARN-OR-ID';

export interface NamedQuery {
  /** Suffix of the saved query name (the construct prefixes it). */
  name: string;
  queryString: string;
}

const containerRows = [
  `filter type = "${DECISION_TYPE}"`,
  'fields jsonParse(@message) as decision',
  'unnest decision.containers into c',
];

/** Container `digestSource` values meaning the digest was not in the event (looked up or resolved). */
export const LOOKED_UP_DIGEST_SOURCES = ['describeTasks', 'serviceRevision', 'resolved'] as const;

export const LOG_QUERIES: readonly NamedQuery[] = [
  {
    name: 'denied-images',
    queryString: [
      ...containerRows,
      'filter c.outcome = "deny"',
      'display @timestamp, decision.mode, decision.action, decision.trigger, decision.cluster, decision.service, ' +
        'decision.taskArn, c.name, c.image, c.digest, c.digestSource, c.reason, c.rule, c.alertGroup',
      'sort @timestamp desc',
    ].join('\n| '),
  },
  {
    name: 'stopped-tasks',
    queryString: [
      `filter type = "${DECISION_TYPE}" and action = "stopped"`,
      'fields @timestamp, cluster, service, taskArn, taskDefinitionArn, mode, trigger, policySha256, decisionId',
      'sort @timestamp desc',
    ].join('\n| '),
  },
  {
    name: 'errors',
    // Handler errors (Powertools level), runtime failures (uncaught errors and timeouts in the
    // platform.runtimeDone record), and containers whose verification could not complete.
    queryString: [
      'fields @timestamp, level, message, error.name, error.message, taskArn, record.status, @requestId',
      'filter level in ["ERROR", "CRITICAL", "FATAL"] or record.status in ["failure", "error", "timeout"] ' +
        'or (type = "image-guard.decision" and @message like \'"outcome":"error"\') ' +
        'or (type = "image-guard.ignored" and reason = "EVENT_INVALID")',
      'sort @timestamp desc',
    ].join('\n| '),
  },
  {
    name: 'unconfirmed-digests',
    // Containers whose digest was not in the event: looked up (DescribeTasks, the service revision) or
    // resolved from the tag, and those whose digest could not be confirmed at all (DIGEST_UNCONFIRMED).
    queryString: [
      ...containerRows,
      `filter c.reason = "DIGEST_UNCONFIRMED" or c.digestSource in [${LOOKED_UP_DIGEST_SOURCES.map((v) => `"${v}"`).join(', ')}]`,
      'display @timestamp, decision.trigger, decision.lastStatus, decision.cluster, decision.service, ' +
        'decision.taskArn, c.name, c.image, c.digest, c.digestSource, c.outcome, c.reason',
      'sort @timestamp desc',
    ].join('\n| '),
  },
  {
    name: 'alerts-by-group',
    // One row per alert group (the key alerts are grouped by) with how many denied or failed containers it had.
    queryString: [
      ...containerRows,
      'filter c.outcome in ["deny", "error"]',
      'stats count(*) as containers, latest(c.reason) as lastReason, latest(decision.cluster) as cluster, ' +
        'latest(c.image) as lastImage by c.alertGroup',
      'sort containers desc',
    ].join('\n| '),
  },
  {
    name: 'decisions-for-task',
    queryString: [
      `filter @message like "${TASK_PLACEHOLDER}"`,
      'fields @timestamp, level, message, type, action, mode, trigger, cluster, taskArn, lastStatus, eventId, @message',
      'sort @timestamp asc',
    ].join('\n| '),
  },
];
