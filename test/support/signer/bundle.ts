import { createHash } from 'node:crypto';
import type { HashAlgorithm } from '../../../lambda/keys/types';
import { goJson } from './go-json';
import { flipByte, signBytes } from './sign-bytes';
import { makeDsseRekorBody, makeHashedRekordBody, makeSet, type TestRekorKey } from './test-rekor';
import type { TestKey } from './test-keys';

export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';

export interface BundleTlogOptions {
  testRekorKey: TestRekorKey;
  integratedTime?: number;
  logIndex?: number;
  /** A Rekor v2-style entry: inclusion proof only, no SET. */
  withoutSet?: boolean;
  /** Break the SET or the logged body (the signature itself stays valid). */
  tamper?: 'set' | 'integrated-time' | 'payload-hash' | 'signature' | 'key';
  /** Key to record as the entry's verifier instead of the signer's. */
  loggedPublicKeyPem?: string;
}

export interface StatementOptions {
  imageDigest: string;
  predicateType?: string;
  statementType?: string;
  /** Hex digests to list as subjects (default: the image digest). */
  subjectDigests?: string[];
  /** Per-subject annotations (cosign's `-a`); cosign v3 writes `{}` when none. */
  annotations?: Record<string, string>;
  /** cosign ≥ 3.0.5 writes `"predicate":{}`; the April 2026 v3 fixture has none. */
  predicate?: unknown;
}

/** The in-toto Statement cosign v3 signs for an image, byte-for-byte in cosign's field order. */
export function makeCosignStatement(options: StatementOptions): Buffer {
  const hex = options.imageDigest.replace(/^sha256:/, '');
  const statement: Record<string, unknown> = {
    _type: options.statementType ?? IN_TOTO_STATEMENT_V1,
    subject: (options.subjectDigests ?? [hex]).map((d) => ({
      digest: { sha256: d },
      annotations: options.annotations ?? {},
    })),
    predicateType: options.predicateType ?? COSIGN_SIGN_PREDICATE_TYPE,
  };
  if (options.predicate !== undefined) statement.predicate = options.predicate;
  return Buffer.from(goJson(statement), 'utf8');
}

export interface BundleOptions extends StatementOptions {
  key: TestKey;
  hash?: HashAlgorithm;
  payloadType?: string;
  mediaType?: string;
  /** Include `verificationMaterial.publicKey.hint` (default true, as cosign does). */
  hint?: boolean | string;
  /** Sign these exact payload bytes instead of the cosign statement. */
  payload?: Buffer;
  tamper?: 'payload' | 'signature';
  tlog?: BundleTlogOptions;
}

/** `preAuthEncoding` written independently of the verifier's, for the oracle. */
function pae(payloadType: string, payload: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `, 'utf8'),
    payload,
  ]);
}

/**
 * A cosign v3 (`--new-bundle-format`, key-signed) Sigstore bundle: DSSE envelope over the in-toto
 * Statement, `publicKey.hint`, optional Rekor v1 `dsse` entry with a SET. Protobuf field order, compact.
 */
export function makeBundle(options: BundleOptions): Buffer {
  const hash = options.hash ?? options.key.defaultHash;
  const payloadType = options.payloadType ?? IN_TOTO_PAYLOAD_TYPE;
  const signedPayload = options.payload ?? makeCosignStatement(options);
  let signature = signBytes(options.key, pae(payloadType, signedPayload), hash);
  if (options.tamper === 'signature') signature = flipByte(signature, -1);
  const payload = options.tamper === 'payload' ? flipByte(signedPayload, -2) : signedPayload;
  const envelope = {
    payload: payload.toString('base64'),
    payloadType,
    signatures: [{ sig: signature.toString('base64') }],
  };
  const tlogEntries =
    options.tlog === undefined
      ? []
      : [dsseTlogEntry(options.tlog, signedPayload, signature, envelope, options.key)];
  return Buffer.from(
    goJson({
      mediaType: options.mediaType ?? BUNDLE_V03_MEDIA_TYPE,
      verificationMaterial: verificationMaterial(options.key, options.hint, tlogEntries),
      dsseEnvelope: envelope,
    }),
    'utf8',
  );
}

/**
 * A key-signed messageSignature bundle over `artifact` bytes (`cosign sign-blob --new-bundle-format`):
 * messageDigest = digest of the artifact, signature over the artifact; optional hashedrekord entry.
 */
export function makeMessageSignatureBundle(options: {
  artifact: Buffer;
  key: TestKey;
  hash?: HashAlgorithm;
  tamper?: 'signature' | 'digest';
  tlog?: BundleTlogOptions;
}): Buffer {
  const hash = options.hash ?? options.key.defaultHash;
  let signature = signBytes(options.key, options.artifact, hash);
  if (options.tamper === 'signature') signature = flipByte(signature, -1);
  let digest: Buffer = createHash(hash).update(options.artifact).digest();
  if (options.tamper === 'digest') digest = flipByte(digest, 0);
  const tlogEntries = [];
  if (options.tlog !== undefined) {
    const body = makeHashedRekordBody({
      sha256Hex: createHash('sha256').update(options.artifact).digest('hex'),
      signature: options.tlog.tamper === 'signature' ? flipByte(signature, -1) : signature,
      publicKeyPem: options.tlog.loggedPublicKeyPem ?? options.key.publicKeyPem,
    });
    tlogEntries.push(tlogEntry(options.tlog, body, 'hashedrekord'));
  }
  const algorithm = { sha256: 'SHA2_256', sha384: 'SHA2_384', sha512: 'SHA2_512' }[hash];
  return Buffer.from(
    goJson({
      mediaType: BUNDLE_V03_MEDIA_TYPE,
      verificationMaterial: verificationMaterial(options.key, true, tlogEntries),
      messageSignature: {
        messageDigest: { algorithm, digest: digest.toString('base64') },
        signature: signature.toString('base64'),
      },
    }),
    'utf8',
  );
}

function verificationMaterial(
  key: TestKey,
  hint: boolean | string | undefined,
  tlogEntries: unknown[],
): unknown {
  const material: Record<string, unknown> = {};
  if (hint !== false) material.publicKey = { hint: typeof hint === 'string' ? hint : key.hint };
  material.tlogEntries = tlogEntries;
  return material;
}

function dsseTlogEntry(
  tlog: BundleTlogOptions,
  payload: Buffer,
  signature: Buffer,
  envelope: unknown,
  key: TestKey,
): unknown {
  const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  const body = makeDsseRekorBody({
    payloadSha256Hex: sha256(
      tlog.tamper === 'payload-hash' ? Buffer.concat([payload, Buffer.from(' ')]) : payload,
    ),
    envelopeSha256Hex: sha256(Buffer.from(goJson(envelope), 'utf8')),
    signatures: [
      {
        signature: tlog.tamper === 'signature' ? flipByte(signature, -1) : signature,
        publicKeyPem: tlog.loggedPublicKeyPem ?? key.publicKeyPem,
      },
    ],
  });
  return tlogEntry(tlog, body, 'dsse');
}

/** A Rekor v1 TransparencyLogEntry in protojson form (int64 fields as strings). */
function tlogEntry(tlog: BundleTlogOptions, body: string, kind: 'dsse' | 'hashedrekord'): unknown {
  const integratedTime = tlog.integratedTime ?? 1_767_225_600;
  const logIndex = tlog.logIndex ?? 654_321;
  let set = makeSet(tlog.testRekorKey, { body, integratedTime, logIndex });
  if (tlog.tamper === 'set') set = flipByte(set, -1);
  const entry: Record<string, unknown> = {
    logIndex: String(logIndex),
    logId: { keyId: Buffer.from(tlog.testRekorKey.logId, 'hex').toString('base64') },
    kindVersion: { kind, version: '0.0.1' },
    integratedTime: String(tlog.tamper === 'integrated-time' ? integratedTime + 1 : integratedTime),
  };
  if (!tlog.withoutSet) entry.inclusionPromise = { signedEntryTimestamp: set.toString('base64') };
  entry.inclusionProof = {
    logIndex: String(logIndex),
    rootHash: createHash('sha256').update('root').digest('base64'),
    treeSize: String(logIndex + 1),
    hashes: [],
    checkpoint: { envelope: 'test-rekor - 1\n1\nroot\n' },
  };
  entry.canonicalizedBody = body;
  return entry;
}
