/** ECS "Task State Change" events: validation and the reduced TaskEvent the guard works on. */
export { clusterNameOf, serviceOf, taskDefinitionOf } from './arns';
export { DIGEST_RE, EVENT_DETAIL_TYPE, EVENT_LIMITS, EVENT_SOURCE } from './schema';
export {
  APPLICABLE_DESIRED_STATUS,
  APPLICABLE_LAST_STATUSES,
  parseTaskStateChange,
  type IgnoredReason,
  type ParsedEvent,
  type TaskContainer,
  type TaskEvent,
} from './task-event';
