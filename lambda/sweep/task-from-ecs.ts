/**
 * A task as DescribeTasks returns it, read through the same parser as a task state change event (the
 * event's `detail` is documented to resemble the Task object), so the sweep judges exactly what the
 * event path would: same limits, same container problems, same service and family. The SDK's Date
 * timestamps become ISO strings, as in events; the account and region come from the task ARN.
 */
import type { Task } from '@aws-sdk/client-ecs';
import { EVENT_DETAIL_TYPE, EVENT_SOURCE, parseTaskStateChange, type ParsedEvent } from '../events';

const TASK_ARN_PARTS = /^arn:[a-z-]+:ecs:([a-z0-9-]+):(\d{12}):task\//;

/** `eventId` names the sweep run (records carry it where an event's id would be). */
export function taskFromEcs(task: Task, runId: string, time: string): ParsedEvent {
  const parts = TASK_ARN_PARTS.exec(task.taskArn ?? '');
  const detail = JSON.parse(JSON.stringify(task)) as Record<string, unknown>;
  return parseTaskStateChange({
    id: `sweep:${runId}`,
    source: EVENT_SOURCE,
    'detail-type': EVENT_DETAIL_TYPE,
    account: parts?.[2] ?? '',
    region: parts?.[1] ?? '',
    time,
    detail,
  });
}
