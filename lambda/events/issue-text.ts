/**
 * How an event problem is put in words: the field's path (`detail.containers[1].image`) and a short
 * description of the bad value, with the same helpers as policy messages (policy/field-path.ts, which
 * is free of the policy schema, so event parsing never loads the policy's validation code).
 */
import { describe, formatPath } from '../policy/field-path';

export { describe, formatPath };

export interface IssueLike {
  code: string;
  message: string;
  path: readonly PropertyKey[];
  input?: unknown;
  expected?: unknown;
}

export function issueMessage(issue: IssueLike): string {
  if (issue.code === 'invalid_type') {
    const expected = issue.expected === 'int' ? 'integer' : String(issue.expected);
    return issue.input === undefined ? 'is required' : `expected ${expected}, got ${describe(issue.input)}`;
  }
  if (issue.code === 'invalid_value') return `unexpected value ${describe(issue.input)}`;
  return issue.message;
}

/** At most this many problems are spelled out in one message (logs stay bounded). */
const MAX_LISTED_PROBLEMS = 5;

/** `path: problem; …` for at most five issues, saying how many more there were. */
export function listIssues(issues: readonly IssueLike[], prefix: readonly PropertyKey[] = []): string {
  const problems = issues.map((i) => `${formatPath([...prefix, ...i.path]) || 'event'}: ${issueMessage(i)}`);
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).join('; ');
  const more =
    problems.length > MAX_LISTED_PROBLEMS ? ` (and ${problems.length - MAX_LISTED_PROBLEMS} more)` : '';
  return `${listed}${more}`;
}
