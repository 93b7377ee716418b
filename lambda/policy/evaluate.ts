/**
 * Policy matching for one container (docs/policy.md "Semantics"); the decision that follows from a
 * match is in decision/decide-container.ts (re-exported here for existing callers):
 *   1. trustedImages first: a match skips verification (recorded as TRUSTED_IMAGE);
 *   2. otherwise every rule whose `match` holds applies, and every one of them must pass
 *      (a team rule can only add requirements);
 *   3. no rule applies → `noMatch`, in the top-level mode.
 * Verification runs once per container with the union of the applying rules' keys; each rule then
 * checks its own `require` against the keys that verified.
 * A match also carries the exemption covering the container (exemptions.ts), if any: the decide step
 * turns a deny or error it covers into an allow (EXEMPTED), or notes an expired one it ignored.
 */
import { ReasonCode } from '../reasons';
import type { TlogMode } from '../cosign/types';
import { exemptionFor, type ExemptionMatch } from './exemptions';
import { compiledFor, imageMatchForms, type MatchTarget } from './matchers';
import type { Mode, Policy, Rule, TrustedImage } from './schema';

export type { MatchTarget };
export { decideMatch as decideContainer, strictestMode } from '../decision/decide-container';

export type ContainerMatch =
  | { kind: 'trusted'; entry: TrustedImage }
  | { kind: 'rules'; rules: Rule[]; exemption?: ExemptionMatch }
  | { kind: 'no-match'; exemption?: ExemptionMatch };

export type { ExemptionMatch };

/** The exemption a decision used (EXEMPTED) or ignored because it had expired (EXEMPTION_EXPIRED). */
export interface ContainerExemption {
  status: typeof ReasonCode.EXEMPTED | typeof ReasonCode.EXEMPTION_EXPIRED;
  /** Position in the policy's `exemptions`. */
  index: number;
  /** Exactly one of image (normalised, with digest) and service. */
  image?: string;
  service?: string;
  clusters: string[];
  until: string;
  reason: string;
  ticket: string;
}

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
  /** Set when an exemption covered a deny or error: used (allow, EXEMPTED) or expired and ignored. */
  exemption?: ContainerExemption;
}

const TLOG_STRICTNESS: Record<TlogMode, number> = { ignore: 0, 'verify-if-present': 1, required: 2 };

/** `nowMs` (epoch ms, default now) decides whether a covering exemption is active or expired. */
export function matchContainer(
  policy: Policy,
  target: MatchTarget,
  nowMs: number = Date.now(),
): ContainerMatch {
  const compiled = compiledFor(policy);
  const forms = imageMatchForms(target.image);
  const trusted = compiled.trusted.find((t) => forms.some((f) => t.glob.matches(f)));
  if (trusted) return { kind: 'trusted', entry: trusted.entry };
  const rules = compiled.rules.filter((r) => r.matches(target, forms)).map((r) => r.rule);
  const exemption = exemptionFor(policy, target, nowMs);
  const covered = exemption ? { exemption } : {};
  return rules.length > 0 ? { kind: 'rules', rules, ...covered } : { kind: 'no-match', ...covered };
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
