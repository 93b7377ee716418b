/**
 * The contract between Notation (Notary Project) signature verification (this folder) and the rest
 * of the guard: what discovery hands over, what the policy compiles to, what comes back.
 */
import type { ReasonCode } from '../reasons';

/** A Notation signature manifest's `artifactType`, or (legacy form) its `config.mediaType`. */
export const NOTATION_SIGNATURE_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
/** The envelope layer's media type: JWS (flattened JSON) or COSE_Sign1. */
export const NOTATION_JWS_MEDIA_TYPE = 'application/jose+json';
export const NOTATION_COSE_MEDIA_TYPE = 'application/cose';

export type NotationFormat = 'notation-jws' | 'notation-cose';
export type SigningScheme = 'notary.x509' | 'notary.x509.signingAuthority';
export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';

/** One named trust store: the certificates (DER) a Notation trust policy would list as `<type>:<name>`. */
export interface TrustStore {
  type: TrustStoreType;
  name: string;
  certificates: Buffer[];
}

/**
 * A Notation signer the policy trusts, under a name rules use exactly like a cosign key name
 * (`keys: [...]`, `require: any|all`).
 *   - `awsSigner`: AWS Signer signatures; the AWS Signer roots (commercial and GovCloud) are built in,
 *     the store type is `signingAuthority`, the identity rule is AWS's (a profile ARN matches any of
 *     its versions, a profile-version ARN only itself, case-insensitive).
 *   - `x509`: generic Notation trust: trust stores and `x509.subject: <DN>` identities (or `*`).
 */
export type NotationVerifier =
  | { kind: 'awsSigner'; name: string; signingProfiles: string[] }
  | {
      kind: 'x509';
      name: string;
      trustStores: TrustStore[];
      /** `x509.subject: C=US, ST=WA, O=acme` entries, or exactly `['*']`. */
      trustedIdentities: string[];
      /** When a `tsa` store is given: `always` (default) or only `afterCertExpiry`. */
      verifyTimestamp: 'always' | 'afterCertExpiry';
    };

/** The image manifest the signature must name (`targetArtifact`: digest, size and media type). */
export interface TargetDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface NotationVerifyInput {
  /** The envelope layer's bytes, exactly as read (digest already checked by the registry reader). */
  envelope: Buffer;
  /** The layer's `mediaType`: JWS, COSE, or anything else (which fails integrity). */
  envelopeMediaType: string;
  target: TargetDescriptor;
  /** The rule's Notation signers; the first one the signature satisfies is reported. */
  verifiers: readonly NotationVerifier[];
  /** Verification time (injectable: most real vectors are time-dependent). */
  now: Date;
}

/** notation-go's validation steps at the `strict` level, in its order. */
export type NotationCheckName =
  | 'integrity'
  | 'authenticity'
  | 'trustedIdentity'
  | 'expiry'
  | 'authenticTimestamp'
  | 'revocation'
  | 'descriptor';

/** What AWS Signer's `GetRevocationStatus` needs, taken from a verified AWS Signer signature. */
export interface AwsSignerRevocationInput {
  profileVersionArn: string;
  jobArn: string;
  /** `Notation-OCI-SHA384-ECDSA`. */
  platformId: string;
  /** The authentic signing time. */
  signatureTimestamp: Date;
  /** Per x5c certificate: hex SHA-384(TBS(cert i)) ‖ hex SHA-384(TBS(cert i+1)); the root paired with itself. */
  certificateHashes: string[];
}

/** The verdict on one Notation envelope (revocation is decided by the caller, see RevocationChecker). */
export interface NotationEnvelopeResult {
  format: NotationFormat | undefined;
  /** Every strict check passed for `verifier` (revocation aside). */
  ok: boolean;
  /** VERIFIED, or why not (SIGNATURE_MALFORMED, SIGNATURE_INVALID, DIGEST_MISMATCH, UNSUPPORTED_FORMAT, ...). */
  reason: ReasonCode;
  message: string;
  /** The first strict check that failed. */
  failedCheck?: NotationCheckName;
  /** Name of the policy signer that the signature satisfies. */
  verifier?: string;
  /** What matched: the trusted profile (or version) ARN, or the leaf's subject DN. */
  identity?: string;
  signingScheme?: SigningScheme;
  /** ISO 8601: signingTime or authenticSigningTime. */
  signingTime?: string;
  /** ISO 8601, when the envelope has an expiry. */
  expiry?: string;
  /** Set for an AWS Signer signature that passed: the caller must check revocation before trusting it. */
  awsSigner?: AwsSignerRevocationInput;
}

export type RevocationResult =
  | { status: 'not-revoked'; checkedAt: string; cached: boolean }
  | { status: 'revoked'; revokedEntities: string[]; checkedAt: string; cached: boolean }
  /** Generic X.509 chains: OCSP/CRL are not checked (yet); the record says so. */
  | { status: 'not-checked'; why: string };

/**
 * Asks AWS Signer whether a signature's profile, profile version, job or certificates are revoked.
 * Results are cached for a bounded time. An API failure throws a GuardError (onError applies):
 * never a pass.
 */
export interface RevocationChecker {
  check(input: AwsSignerRevocationInput, signal?: AbortSignal): Promise<RevocationResult>;
}
