/**
 * Policy evaluation for one container (docs/policy.md "Semantics"):
 *   1. trustedImages first: a match skips verification (recorded as TRUSTED_IMAGE);
 *   2. otherwise every rule whose `match` holds applies, and every one of them must pass
 *      (a team rule can only add requirements);
 *   3. no rule applies → `noMatch`, in the top-level mode.
 * Verification runs once per container with the union of the applying rules' keys; each rule then
 * checks its own `require` against the keys that verified.
 */
import { ReasonCode } from '../reasons';
import type { TlogMode } from '../cosign/types';
import { compiledFor, imageMatchForms, type MatchTarget } from './matchers';
import type { Mode, Policy, Rule, TrustedImage } from './schema';

export type { MatchTarget };

export type ContainerMatch =
  { kind: 'trusted'; entry: TrustedImage } | { kind: 'rules'; rules: Rule[] } | { kind: 'no-match' };

/** What the verifier found for one container, with the union of the matching rules' keys. */
export interface VerificationSummary {
  /** Names of the policy keys that produced a fully valid signature for the digest. */
  verifiedKeys: string[];
  /** VERIFIED, or why no (or not enough) signatures verified, or the error's code. */
  reason: ReasonCode;
  message: string;
  /** True when verification could not complete (registry, KMS, timeout): never a pass. */
  error: boolean;
}

export type ContainerOutcome = 'allow' | 'deny' | 'skip' | 'error';

export interface ContainerDecision {
  outcome: ContainerOutcome;
  reason: ReasonCode;
  message: string;
  /** The failing rule that decides (deny/error), or the first matching rule (allow). */
  rule?: string;
  /** Every rule that matched the container. */
  rules: string[];
  /** The policy keys whose signatures verified (among the matching rules' keys). */
  keys: string[];
  /** allow: strictest mode of the matching rules; deny/error: strictest among the failing ones; else top level. */
  mode: Mode;
}

const TLOG_STRICTNESS: Record<TlogMode, number> = { ignore: 0, 'verify-if-present': 1, required: 2 };

export function matchContainer(policy: Policy, target: MatchTarget): ContainerMatch {
  const compiled = compiledFor(policy);
  const forms = imageMatchForms(target.image);
  const trusted = compiled.trusted.find((t) => forms.some((f) => t.glob.matches(f)));
  if (trusted) return { kind: 'trusted', entry: trusted.entry };
  const rules = compiled.rules.filter((r) => r.matches(target, forms)).map((r) => r.rule);
  return rules.length > 0 ? { kind: 'rules', rules } : { kind: 'no-match' };
}

/** Union of the rules' key names, in first-mentioned order: verify once with all of them. */
export function requiredKeys(rules: readonly Rule[]): string[] {
  return [...new Set(rules.flatMap((r) => r.keys))];
}

/** The strictest transparency-log mode among the rules (required > verify-if-present > ignore). */
export function tlogModeFor(policy: Policy, rules: readonly Rule[]): TlogMode {
  if (rules.length === 0) return policy.transparencyLog;
  return rules
    .map((r) => r.transparencyLog)
    .reduce((a, b) => (TLOG_STRICTNESS[b] > TLOG_STRICTNESS[a] ? b : a));
}

export function strictestMode(modes: readonly Mode[], fallback: Mode): Mode {
  if (modes.length === 0) return fallback;
  return modes.includes('enforce') ? 'enforce' : 'audit';
}

export function decideContainer(
  policy: Policy,
  match: ContainerMatch,
  verification?: VerificationSummary,
): ContainerDecision {
  if (match.kind === 'trusted') {
    return {
      outcome: 'skip',
      reason: ReasonCode.TRUSTED_IMAGE,
      message: `trusted image (${JSON.stringify(match.entry.image)}): ${match.entry.reason}`,
      rules: [],
      keys: [],
      mode: policy.mode,
    };
  }
  if (match.kind === 'no-match') {
    const deny = policy.noMatch === 'deny';
    return {
      outcome: deny ? 'deny' : 'allow',
      reason: ReasonCode.NO_MATCHING_RULE,
      message: `no policy rule matches this image (noMatch: ${policy.noMatch})`,
      rules: [],
      keys: [],
      mode: policy.mode,
    };
  }
  return decideByRules(policy, match.rules, verification);
}

function decideByRules(policy: Policy, rules: Rule[], verification?: VerificationSummary): ContainerDecision {
  const ruleNames = rules.map((r) => r.name);
  const wanted = requiredKeys(rules);
  if (verification === undefined) {
    return {
      outcome: 'error',
      reason: ReasonCode.INTERNAL_ERROR,
      message: 'rules apply to this image but no verification result was given',
      rule: firstOfStrictest(rules, policy.mode)?.name,
      rules: ruleNames,
      keys: [],
      mode: strictestMode(
        rules.map((r) => r.mode),
        policy.mode,
      ),
    };
  }
  const verified = new Set(verification.verifiedKeys);
  const keys = wanted.filter((k) => verified.has(k));

  if (verification.error) {
    return {
      outcome: 'error',
      reason: verification.reason,
      message: verification.message,
      rule: firstOfStrictest(rules, policy.mode)?.name,
      rules: ruleNames,
      keys,
      mode: strictestMode(
        rules.map((r) => r.mode),
        policy.mode,
      ),
    };
  }

  const failures = rules
    .map((rule) => ({ rule, failure: ruleFailure(rule, verified, verification) }))
    .filter(
      (f): f is { rule: Rule; failure: { reason: ReasonCode; message: string } } => f.failure !== undefined,
    );

  if (failures.length === 0) {
    return {
      outcome: 'allow',
      reason: ReasonCode.VERIFIED,
      message: `signed by ${keys.join(', ')}; rules passed: ${ruleNames.join(', ')}`,
      rule: ruleNames[0],
      rules: ruleNames,
      keys,
      mode: strictestMode(
        rules.map((r) => r.mode),
        policy.mode,
      ),
    };
  }

  const mode = strictestMode(
    failures.map((f) => f.rule.mode),
    policy.mode,
  );
  const deciding = failures.find((f) => f.rule.mode === mode) ?? (failures[0] as (typeof failures)[number]);
  const others = failures.filter((f) => f !== deciding).map((f) => f.rule.name);
  return {
    outcome: 'deny',
    reason: deciding.failure.reason,
    message: `${deciding.failure.message}${others.length > 0 ? ` (also failing: ${others.join(', ')})` : ''}`,
    rule: deciding.rule.name,
    rules: ruleNames,
    keys,
    mode,
  };
}

/** Why `rule` fails given the keys that verified, or undefined when it passes. */
function ruleFailure(
  rule: Rule,
  verified: ReadonlySet<string>,
  verification: VerificationSummary,
): { reason: ReasonCode; message: string } | undefined {
  const have = rule.keys.filter((k) => verified.has(k));
  const missing = rule.keys.filter((k) => !verified.has(k));
  const passes = rule.require === 'all' ? missing.length === 0 : have.length > 0;
  if (passes) return undefined;
  const label = `rule "${rule.name}" (${rule.mode})`;
  if (have.length > 0) {
    // Only `require: all` can fail with some keys verified.
    return {
      reason: ReasonCode.REQUIRED_KEYS_MISSING,
      message: `${label} requires signatures by all of ${rule.keys.join(', ')}; missing: ${missing.join(', ')}`,
    };
  }
  if (verification.reason === ReasonCode.VERIFIED) {
    // The image is signed, but only by keys of other rules: for this rule no signature is valid.
    return {
      reason: ReasonCode.SIGNATURE_INVALID,
      message:
        verified.size > 0
          ? `${label}: no valid signature by ${rule.keys.join(', ')} (signed only by ${[...verified].join(', ')})`
          : `${label}: no valid signature by ${rule.keys.join(', ')}`,
    };
  }
  return { reason: verification.reason, message: `${label}: ${verification.message}` };
}

function firstOfStrictest(rules: readonly Rule[], fallback: Mode): Rule | undefined {
  const mode = strictestMode(
    rules.map((r) => r.mode),
    fallback,
  );
  return rules.find((r) => r.mode === mode);
}

const withoutImagePatterns = new WeakMap<Policy, Policy>();

/**
 * The rules that would apply to a container of this task whatever its image is (their cluster,
 * service and family conditions hold): for a container whose image cannot be named, these decide
 * whether its error may stop the task.
 */
export function rulesForAnyImage(policy: Policy, target: Omit<MatchTarget, 'image'>): Rule[] {
  let stripped = withoutImagePatterns.get(policy);
  if (stripped === undefined) {
    stripped = {
      ...policy,
      trustedImages: [],
      rules: policy.rules.map((r) => ({ ...r, match: { ...r.match, images: undefined } })),
    };
    withoutImagePatterns.set(policy, stripped);
  }
  const byName = new Map(policy.rules.map((r) => [r.name, r]));
  const match = matchContainer(stripped, { ...target, image: '' });
  return match.kind === 'rules' ? match.rules.map((r) => byName.get(r.name) as Rule) : [];
}
