/**
 * Stable reason codes (docs/reason-codes.md). They appear in logs, alerts and CLI output,
 * so a code is never reused for a different meaning; new codes are only ever added.
 */
export const ReasonCode = {
  VERIFIED: 'VERIFIED',
  TRUSTED_IMAGE: 'TRUSTED_IMAGE',
  NO_SIGNATURES: 'NO_SIGNATURES',
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  DIGEST_MISMATCH: 'DIGEST_MISMATCH',
  TLOG_INVALID: 'TLOG_INVALID',
  TLOG_MISSING: 'TLOG_MISSING',
  NO_MATCHING_RULE: 'NO_MATCHING_RULE',
  NO_DIGEST: 'NO_DIGEST',
  INVALID_REFERENCE: 'INVALID_REFERENCE',
  REGISTRY_UNAVAILABLE: 'REGISTRY_UNAVAILABLE',
  REGISTRY_AUTH: 'REGISTRY_AUTH',
  KEY_UNAVAILABLE: 'KEY_UNAVAILABLE',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  TIMEOUT: 'TIMEOUT',
  // Extensions (added by this project; see README "Reason codes").
  /** A signature artifact that cannot be parsed (bad JSON, bad base64, missing annotation). */
  SIGNATURE_MALFORMED: 'SIGNATURE_MALFORMED',
  /** A Sigstore bundle that is valid but is not an image signature (e.g. an attestation). */
  NOT_A_SIGNATURE: 'NOT_A_SIGNATURE',
  /** `require: all` and at least one of the rule's keys has no valid signature. */
  REQUIRED_KEYS_MISSING: 'REQUIRED_KEYS_MISSING',
  /** A bundle or manifest uses a format or version this verifier does not support. */
  UNSUPPORTED_FORMAT: 'UNSUPPORTED_FORMAT',
  /** The policy could not be loaded or is invalid. */
  POLICY_INVALID: 'POLICY_INVALID',
  /** An event the handler does not act on, or cannot parse (recorded as `ignored`). */
  EVENT_INVALID: 'EVENT_INVALID',
  EVENT_NOT_APPLICABLE: 'EVENT_NOT_APPLICABLE',
  /** A duplicate or later event for a task that already has a decision. */
  ALREADY_DECIDED: 'ALREADY_DECIDED',
  /** Bytes from a registry do not match the digest (or size) that named them. */
  CONTENT_MISMATCH: 'CONTENT_MISMATCH',
  /** An unexpected internal failure; treated as an error, never as a pass. */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  /**
   * A decision on a digest the guard resolved from the tag itself (no event, DescribeTasks or service
   * revision named it): not proof of what runs. Never stops the task, is alerted as unconfirmed, and
   * the task is decided again by its next event that carries a digest.
   */
  DIGEST_UNCONFIRMED: 'DIGEST_UNCONFIRMED',
  /**
   * A container of the event the guard cannot identify (a name, image or digest missing or malformed,
   * and not an AWS-injected agent): an error for that container (onError applies); the task's other
   * containers are still decided.
   */
  CONTAINER_UNIDENTIFIED: 'CONTAINER_UNIDENTIFIED',
  /**
   * A container that would have been denied or failed, allowed by an active policy exemption
   * (break-glass, `exemptions`); the record says which exemption, the alert says it was used.
   */
  EXEMPTED: 'EXEMPTED',
  /**
   * An exemption covered the container but its `until` has passed: it was ignored and the container
   * decided as if it did not exist (the record's `exemption` says which one; the alert says so).
   */
  EXEMPTION_EXPIRED: 'EXEMPTION_EXPIRED',
  /**
   * AWS Signer says the signature's signing profile, profile version, signing job or one of its
   * certificates is revoked (`signer:GetRevocationStatus`): a denial; the message names what was revoked.
   */
  REVOKED: 'REVOKED',
  /**
   * AWS Signer's revocation status could not be obtained (GetRevocationStatus denied, throttled or
   * unavailable after retries): an error (onError applies), never a pass.
   */
  REVOCATION_UNAVAILABLE: 'REVOCATION_UNAVAILABLE',
  /**
   * The deployment hook could not read the service revision it was asked about
   * (DescribeServiceRevisions failed or did not return it): no container could be decided.
   */
  REVISION_UNAVAILABLE: 'REVISION_UNAVAILABLE',
} as const;

export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];

export const ALL_REASON_CODES: readonly ReasonCode[] = Object.values(ReasonCode);

export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && (ALL_REASON_CODES as readonly string[]).includes(value);
}
