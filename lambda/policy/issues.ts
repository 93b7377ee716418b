/**
 * Policy problems as `{path, message}` pairs and the error that carries them. A message always names
 * the field (`rules[0].keys[1]`) and says what is wrong; it never contains a stack trace.
 */
import type { z } from 'zod';
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { describe, formatPath } from './field-path';
import { POLICY_FIELDS } from './schema';

export { describe, formatPath };

export interface PolicyIssue {
  /** Field path such as `rules[0].match.images[2]`; empty for the document as a whole. */
  path: string;
  message: string;
}

export class PolicyError extends GuardError {
  readonly source: string;
  readonly issues: PolicyIssue[];

  constructor(source: string, issues: PolicyIssue[]) {
    super(ReasonCode.POLICY_INVALID, formatIssues(source, issues));
    this.name = 'PolicyError';
    this.source = source;
    this.issues = issues;
  }
}

/** One line per issue: `policy.yaml: rules[0].keys[1]: unknown key "vendr" (…)`. */
export function formatIssues(source: string, issues: readonly PolicyIssue[]): string {
  return issues
    .map((i) => (i.path === '' ? `${source}: ${i.message}` : `${source}: ${i.path}: ${i.message}`))
    .join('\n');
}

/** Turns zod's issues into policy issues with messages written for a policy author. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[]): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedFieldsAt(issue.path);
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...issue.path, key]),
          message: `unknown field${allowed ? ` (allowed here: ${allowed.join(', ')})` : ''}`,
        });
      }
      continue;
    }
    out.push({ path: formatPath(issue.path), message: messageFor(issue) });
  }
  return out;
}

function messageFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'is required'
        : `expected ${issue.expected}, got ${describe(issue.input)}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')} (got ${describe(issue.input)})`;
    default:
      return issue.message;
  }
}

function allowedFieldsAt(path: readonly PropertyKey[]): readonly string[] | undefined {
  const names = path.filter((p) => typeof p === 'string');
  const key = names.join('.');
  switch (key) {
    case '':
      return POLICY_FIELDS.policy;
    case 'keys':
      return POLICY_FIELDS.key;
    case 'rules':
      return POLICY_FIELDS.rule;
    case 'rules.match':
      return POLICY_FIELDS.match;
    case 'trustedImages':
      return POLICY_FIELDS.trustedImage;
    case 'registries':
      return POLICY_FIELDS.registries;
    case 'exemptions':
      return POLICY_FIELDS.exemption;
    case 'keys.awsSigner':
      return POLICY_FIELDS.awsSigner;
    case 'keys.notation':
      return POLICY_FIELDS.notation;
    case 'keys.notation.trustStores':
      return POLICY_FIELDS.trustStore;
    case 'notationTrustPolicy':
      return POLICY_FIELDS.notationTrustPolicy;
    case 'revocation':
      return POLICY_FIELDS.revocation;
    case 'sweep':
      return POLICY_FIELDS.sweep;
    default:
      return undefined;
  }
}
