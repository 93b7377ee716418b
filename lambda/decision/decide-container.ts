/**
 * The decide step for one container: from what the earlier steps found to an outcome. Every way a
 * container can end is here: the rules' verdict (trusted images, every matching rule must pass,
 * `require`, noMatch; `decideMatch`), and what is not a rule's verdict:
 *   - a container that cannot be identified is an error (onError applies, in the strictest mode of
 *     the rules that would apply to it whatever its image);
 *   - an AWS-injected agent is skipped as TRUSTED_IMAGE, saying why;
 *   - a denial while some of the rules' keys could not be loaded is undecidable: KEY_UNAVAILABLE error;
 *   - a deny or error on a digest the guard resolved itself is DIGEST_UNCONFIRMED: alerted, never a
 *     stop (audit mode), and the task is decided again by its next event that carries a digest;
 *   - last, a deny or error an active exemption covers is allowed as EXEMPTED (verification still ran,
 *     so the message says what the decision would have been); one an expired exemption covers is
 *     decided as usual and says the exemption was ignored (EXEMPTION_EXPIRED).
 */
import type { DigestSource } from '../digests/choose-digests';
import type { InjectedAgent } from '../policy/aws-injected';
import {
  requiredKeys,
  type ContainerDecision,
  type ContainerExemption,
  type ContainerMatch,
  type ExemptionMatch,
  type VerificationSummary,
} from '../policy/evaluate';
import { exemptionLabel } from '../policy/exemptions';
import type { Mode, Policy, Rule } from '../policy/schema';
import { ReasonCode } from '../reasons';
import type { VerifyStepResult } from '../signatures/verify-container';

export type ContainerFindings =
  /** No usable name, image or digest; `rules` would apply to it whatever its image. */
  | { kind: 'unidentified'; message: string; rules: readonly Rule[] }
  /** An image reference that does not parse: it cannot match a rule, so it cannot be allowed. */
  | { kind: 'invalid-reference'; message: string }
  | { kind: 'injected'; agent: InjectedAgent; reason: string }
  | {
      kind: 'matched';
      match: ContainerMatch;
      digestSource?: DigestSource;
      /** The digest could not be established (tag resolution failed). */
      digestFailure?: VerificationSummary;
      verification?: VerifyStepResult;
    };

export function decideContainer(policy: Policy, findings: ContainerFindings): ContainerDecision {
  switch (findings.kind) {
    case 'unidentified': {
      const mode = strictestMode(
        findings.rules.map((r) => r.mode),
        policy.mode,
      );
      return {
        outcome: 'error',
        reason: ReasonCode.CONTAINER_UNIDENTIFIED,
        message: findings.message,
        rule: findings.rules.find((r) => r.mode === mode)?.name,
        rules: findings.rules.map((r) => r.name),
        keys: [],
        mode,
      };
    }
    case 'invalid-reference':
      return {
        outcome: 'deny',
        reason: ReasonCode.INVALID_REFERENCE,
        message: findings.message,
        rules: [],
        keys: [],
        mode: policy.mode,
      };
    case 'injected':
      return {
        outcome: 'skip',
        reason: ReasonCode.TRUSTED_IMAGE,
        message: `${findings.reason}; trusted by awsInjectedContainers: trust`,
        rules: [],
        keys: [],
        mode: policy.mode,
      };
    case 'matched':
      return withExemption(
        unconfirmedIfResolved(decideMatched(policy, findings), findings.digestSource),
        exemptionOf(findings.match),
      );
  }
}

function exemptionOf(match: ContainerMatch): ExemptionMatch | undefined {
  return match.kind === 'trusted' ? undefined : match.exemption;
}

/**
 * Applies the exemption that covers the container to its decision. Only a deny or an error needs one:
 * an allowed or skipped container is left as it is (and records no exemption).
 */
export function withExemption(
  decision: ContainerDecision,
  match: ExemptionMatch | undefined,
): ContainerDecision {
  if (match === undefined || (decision.outcome !== 'deny' && decision.outcome !== 'error')) return decision;
  const { exemption, index } = match;
  const label = exemptionLabel(index, exemption);
  const record = (status: ContainerExemption['status']): ContainerExemption => ({
    status,
    index,
    ...(exemption.image !== undefined ? { image: exemption.image } : {}),
    ...(exemption.service !== undefined ? { service: exemption.service } : {}),
    clusters: [...exemption.clusters],
    until: exemption.until,
    reason: exemption.reason,
    ticket: exemption.ticket,
  });
  if (match.status === 'expired') {
    return {
      ...decision,
      message: `${ReasonCode.EXEMPTION_EXPIRED}: ${label} expired at ${exemption.until} and was ignored; ${decision.message}`,
      exemption: record(ReasonCode.EXEMPTION_EXPIRED),
    };
  }
  return {
    ...decision,
    outcome: 'allow',
    reason: ReasonCode.EXEMPTED,
    message:
      `allowed by ${label} until ${exemption.until}: ${exemption.reason}; ` +
      `without it: ${decision.outcome} ${decision.reason}: ${decision.message}`,
    exemption: record(ReasonCode.EXEMPTED),
  };
}

function decideMatched(
  policy: Policy,
  findings: Extract<ContainerFindings, { kind: 'matched' }>,
): ContainerDecision {
  if (findings.match.kind !== 'rules') return rulesVerdict(policy, findings.match);
  if (findings.digestFailure) return rulesVerdict(policy, findings.match, findings.digestFailure);
  const v = findings.verification;
  const decision = rulesVerdict(policy, findings.match, v?.summary);
  if (v && v.keyFailures.length > 0 && decision.outcome === 'deny') {
    // A key we could not load might have verified the image: undecidable, not a denial.
    return rulesVerdict(policy, findings.match, {
      verifiedKeys: v.summary.verifiedKeys,
      reason: ReasonCode.KEY_UNAVAILABLE,
      message: `${v.summary.message}; and some keys could not be loaded (${v.keyFailures.join('; ')})`,
      error: true,
    });
  }
  return decision;
}

function unconfirmedIfResolved(
  decision: ContainerDecision,
  source: DigestSource | undefined,
): ContainerDecision {
  if (source !== 'resolved' || (decision.outcome !== 'deny' && decision.outcome !== 'error')) return decision;
  return {
    ...decision,
    reason: ReasonCode.DIGEST_UNCONFIRMED,
    message:
      `unconfirmed: ${decision.reason} on the digest the guard resolved from the tag, which ECS has not ` +
      `reported as running; not stopped, decided again when a digest is reported: ${decision.message}`,
    mode: 'audit',
  };
}

export function strictestMode(modes: readonly Mode[], fallback: Mode): Mode {
  if (modes.length === 0) return fallback;
  return modes.includes('enforce') ? 'enforce' : 'audit';
}

/**
 * The rules' verdict on one matched container: trusted → skip; no rule → noMatch; otherwise every
 * matching rule must pass (`require` against the keys that verified), the strictest failing mode decides.
 * An exemption the match carries is applied last (`withExemption`).
 */
export function decideMatch(
  policy: Policy,
  match: ContainerMatch,
  verification?: VerificationSummary,
): ContainerDecision {
  return withExemption(rulesVerdict(policy, match, verification), exemptionOf(match));
}

function rulesVerdict(
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
