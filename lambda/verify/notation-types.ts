/**
 * What the guard keeps about a Notation signature it examined (beside the generic SignatureCheck
 * fields): who signed, when, until when, and what AWS Signer said about revocation. It goes into
 * the verdict, the decision record and the alert.
 */
import type {
  NotationCheckName,
  NotationEnvelopeResult,
  NotationVerifyInput,
  SigningScheme,
} from '../notation/types';

/** Verifies one Notation envelope (lambda/notation/verify-envelope.ts); injected, loaded on first use. */
export type NotationEnvelopeVerifier = (input: NotationVerifyInput) => Promise<NotationEnvelopeResult>;

/**
 * `not-revoked` / `revoked`: AWS Signer's answer; `not-checked`: a generic X.509 chain (OCSP/CRL are
 * not checked yet); `null`: not asked (the signature failed before, or the look-up failed).
 */
export type RevocationStatus = 'not-revoked' | 'revoked' | 'not-checked';

export interface NotationSignatureDetails {
  /** The policy's Notation signer the signature satisfied (or was checked against, when known). */
  verifier?: string;
  /** What matched: the trusted AWS Signer profile (or version) ARN, or the leaf's subject DN. */
  identity?: string;
  signingScheme?: SigningScheme;
  /** ISO 8601 signing time (authentic for AWS Signer). */
  signingTime?: string;
  /** ISO 8601 expiry of the signature, when it has one. */
  expiry?: string;
  /** The first strict check that failed. */
  failedCheck?: NotationCheckName;
  /** An AWS Signer signature: trusted only once AWS Signer says it is not revoked. */
  awsSigner: boolean;
  revocation: RevocationStatus | null;
  /** `revocation not checked (…)`, what was revoked, or when AWS Signer was asked. */
  revocationDetail?: string;
  /** ISO 8601: when AWS Signer answered (a cached verdict must not outlive that answer's freshness). */
  revocationCheckedAt?: string;
}

/** The Notation part of one image verdict (present when the rule trusts a Notation signer). */
export interface NotationVerdict {
  /** The rule's Notation signers, by name. */
  signers: string[];
  /** At least one of them is an AWS Signer profile. */
  awsSigner: boolean;
  /** The rule trusts cosign keys too. */
  cosign: boolean;
}
