import type { KeyObject } from 'node:crypto';
import type { ReasonCode } from '../reasons';

import type { NotationFormat } from '../notation/types';
import type { NotationSignatureDetails } from '../verify/notation-types';

/**
 * cosign's two formats, and Notation's envelopes (JWS, COSE); `notation` is a Notation signature
 * whose envelope could not be read as either.
 */
export type SignatureFormat = 'legacy' | 'bundle' | NotationFormat | 'notation';

/** The outcome of checking one signature artifact (a `.sig` layer or a bundle referrer). */
export interface SignatureCheck {
  format: SignatureFormat;
  /** Digest of the layer (legacy) or referrer manifest (bundle) this check is about. */
  artifact: string;
  /** Name of the trusted key that verified the signature cryptographically, if any. */
  key?: string;
  /** True only when signature, claims (digest) and transparency-log policy all hold. */
  ok: boolean;
  reason: ReasonCode;
  message: string;
  /** Notation signatures only: identity, times and revocation. */
  notation?: NotationSignatureDetails;
}

export type TlogMode = 'ignore' | 'verify-if-present' | 'required';

/** A transparency log's public key; `logId` is the lower-case hex SHA-256 of its DER SPKI. */
export interface RekorKey {
  logId: string;
  publicKey: KeyObject;
}

export interface TlogOptions {
  mode: TlogMode;
  rekorKeys: RekorKey[];
}
