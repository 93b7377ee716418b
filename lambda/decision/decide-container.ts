/**
 * The decide step for one container: from what the earlier steps found to an outcome. The rule
 * semantics (trusted images, every matching rule must pass, `require`, noMatch) are in
 * policy/evaluate.ts; what is added here is everything that is not a rule's verdict:
 *   - a container that cannot be identified is an error (onError applies, in the strictest mode of
 *     the rules that would apply to it whatever its image);
 *   - an AWS-injected agent is skipped as TRUSTED_IMAGE, saying why;
 *   - a denial while some of the rules' keys could not be loaded is undecidable: KEY_UNAVAILABLE error;
 *   - a deny or error on a digest the guard resolved itself is DIGEST_UNCONFIRMED: alerted, never a
 *     stop (audit mode), and the task is decided again by its next event that carries a digest.
 */
import type { DigestSource } from '../digests/choose-digests';
import type { InjectedAgent } from '../policy/aws-injected';
import {
  decideContainer as decideByPolicy,
  strictestMode,
  type ContainerDecision,
  type ContainerMatch,
  type VerificationSummary,
} from '../policy/evaluate';
import type { Policy, Rule } from '../policy/schema';
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
      return unconfirmedIfResolved(decideMatched(policy, findings), findings.digestSource);
  }
}

function decideMatched(
  policy: Policy,
  findings: Extract<ContainerFindings, { kind: 'matched' }>,
): ContainerDecision {
  if (findings.match.kind !== 'rules') return decideByPolicy(policy, findings.match);
  if (findings.digestFailure) return decideByPolicy(policy, findings.match, findings.digestFailure);
  const v = findings.verification;
  const decision = decideByPolicy(policy, findings.match, v?.summary);
  if (v && v.keyFailures.length > 0 && decision.outcome === 'deny') {
    // A key we could not load might have verified the image: undecidable, not a denial.
    return decideByPolicy(policy, findings.match, {
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
