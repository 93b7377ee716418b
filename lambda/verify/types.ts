import type { SignatureCheck, TlogOptions } from '../cosign/types';
import type { TrustedKey } from '../keys/types';
import type { NotationVerifier, RevocationChecker } from '../notation/types';
import type { ReasonCode } from '../reasons';
import type { BudgetUsage } from '../registry/budget';
import type { NotationVerdict } from './notation-types';

export type DigestSource = 'given' | 'resolved';

/** The verdict for one image: what the CLI prints and what the policy decides on. */
export interface ImageVerification {
  /** Normalised reference as verified (`registry/repo[:tag][@digest]`). */
  image: string;
  digest?: string;
  digestSource?: DigestSource;
  /** True when at least one signature verified with a trusted key (policy `require` decides further). */
  verified: boolean;
  reason: ReasonCode;
  message: string;
  /** Names of the trusted keys with at least one fully valid signature. */
  verifiedKeys: string[];
  signatures: SignatureCheck[];
  /** True when the verification could not complete (registry, key, timeout): never a pass. */
  error: boolean;
  cached: boolean;
  durationMs: number;
  /** Registry work the lookup spent (requests, manifests, layers, bytes); absent when none was done. */
  usage?: BudgetUsage;
  /** Present when the rule trusts Notation signers (each Notation signature's details are in `signatures`). */
  notation?: NotationVerdict;
}

export interface VerifyOptions {
  keys: TrustedKey[];
  /** Notation signers (AWS Signer profiles, X.509 trust stores and identities) trusted beside the keys. */
  notation?: NotationVerifier[];
  /** Checks AWS Signer revocation for Notation signatures that verified; required when `notation` has an awsSigner. */
  revocation?: RevocationChecker;
  tlog: TlogOptions;
  signal?: AbortSignal;
  /** Mixed into the cache key so a verdict never outlives a policy change. */
  policySha256?: string;
}
