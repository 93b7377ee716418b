import { createHash } from 'node:crypto';
import type { HashAlgorithm } from '../../../lambda/keys/types';
import { goJson } from './go-json';
import { base64WithLineBreaks, flipByte, signBytes, type RsaPadding } from './sign-bytes';
import { makeSimpleSigningPayload } from './simple-signing-payload';
import { makeHashedRekordBody, makeSet, type TestRekorKey } from './test-rekor';
import type { TestKey } from './test-keys';

export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const REKOR_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';

export interface LegacyRekorOptions {
  testRekorKey: TestRekorKey;
  integratedTime?: number;
  logIndex?: number;
  /** Break one thing in the logged entry or its SET (the signature itself stays valid). */
  tamper?: 'set' | 'integrated-time' | 'body-hash' | 'body-signature' | 'body-key';
  /** Key to record in the entry instead of the signer's (for body-key mismatch tests). */
  loggedPublicKeyPem?: string;
}

export interface LegacySignatureOptions {
  imageDigest: string;
  dockerReference: string;
  key: TestKey;
  /** Digest to sign with; defaults to the key's KMS hash (sha256 for P-256 and RSA). */
  hash?: HashAlgorithm;
  /** cosign's `-a key=value` annotations: they go into the payload's `optional` object. */
  annotations?: Record<string, string>;
  /** Sign these exact bytes instead of the cosign payload (for malformed/case-variant payloads). */
  payload?: Buffer;
  /** Write the signature MIME-wrapped (newline every 76 characters), as some signers do. */
  base64WithNewlines?: boolean;
  /** After signing, change one payload byte or one signature byte. */
  tamper?: 'payload' | 'signature';
  rsaPadding?: RsaPadding;
  /** Also log the signature: adds the `dev.sigstore.cosign/bundle` annotation with a valid SET. */
  rekor?: LegacyRekorOptions;
  /** Adds `dev.sigstore.cosign/certificate` (informational for this verifier). */
  certificatePem?: string;
}

export interface LegacySignature {
  /** The layer blob. */
  payload: Buffer;
  /** The layer annotations. */
  annotations: Record<string, string>;
  /** The raw signature bytes (before any tampering of the payload; after tampering of the signature). */
  signature: Buffer;
  /** `sha256:<hex>` of the payload blob, i.e. the layer digest. */
  digest: string;
}

/** One cosign legacy signature layer, exactly as `cosign sign --key` writes it into the `.sig` image. */
export function makeLegacySignature(options: LegacySignatureOptions): LegacySignature {
  const hash = options.hash ?? options.key.defaultHash;
  const signedPayload =
    options.payload ??
    makeSimpleSigningPayload({
      dockerReference: options.dockerReference,
      imageDigest: options.imageDigest,
      ...(options.annotations === undefined ? {} : { optional: options.annotations }),
    });
  let signature = signBytes(options.key, signedPayload, hash, options.rsaPadding);
  if (options.tamper === 'signature') signature = flipByte(signature, -1);
  const payload = options.tamper === 'payload' ? tamperPayload(signedPayload) : signedPayload;

  const annotations: Record<string, string> = {
    [SIGNATURE_ANNOTATION]: options.base64WithNewlines
      ? base64WithLineBreaks(signature)
      : signature.toString('base64'),
  };
  if (options.certificatePem !== undefined) annotations[CERTIFICATE_ANNOTATION] = options.certificatePem;
  if (options.rekor !== undefined) {
    annotations[REKOR_BUNDLE_ANNOTATION] = makeLegacyRekorBundle(
      signedPayload,
      signature,
      options.key,
      options.rekor,
    );
  }
  return { payload, annotations, signature, digest: sha256Digest(payload) };
}

/** The Rekor "SET bundle" annotation value: `{"SignedEntryTimestamp":…,"Payload":{…}}` (cosign bundle.RekorBundle). */
export function makeLegacyRekorBundle(
  payload: Buffer,
  signature: Buffer,
  key: TestKey,
  rekor: LegacyRekorOptions,
): string {
  const tamper = rekor.tamper;
  const sha256Hex = createHash('sha256')
    .update(tamper === 'body-hash' ? Buffer.concat([payload, Buffer.from(' ')]) : payload)
    .digest('hex');
  const body = makeHashedRekordBody({
    sha256Hex,
    signature: tamper === 'body-signature' ? flipByte(signature, -1) : signature,
    publicKeyPem: rekor.loggedPublicKeyPem ?? key.publicKeyPem,
  });
  const integratedTime = rekor.integratedTime ?? 1_767_225_600;
  const logIndex = rekor.logIndex ?? 123_456;
  let set = makeSet(rekor.testRekorKey, { body, integratedTime, logIndex });
  if (tamper === 'set') set = flipByte(set, -1);
  return goJson({
    SignedEntryTimestamp: set.toString('base64'),
    Payload: {
      body,
      integratedTime: tamper === 'integrated-time' ? integratedTime + 1 : integratedTime,
      logIndex,
      logID: rekor.testRekorKey.logId,
    },
  });
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Changes one character of the payload while keeping it well-formed JSON when possible. */
function tamperPayload(payload: Buffer): Buffer {
  const text = payload.toString('utf8');
  const at = text.indexOf('docker-reference":"');
  if (at < 0) return flipByte(payload, 0);
  const i = at + 'docker-reference":"'.length;
  const copy = Buffer.from(payload);
  copy[i] = copy[i] === 0x61 ? 0x62 : 0x61; // 'a' <-> 'b'
  return copy;
}
