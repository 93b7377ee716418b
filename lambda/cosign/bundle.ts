import { createHash } from 'node:crypto';
import type { TrustedKey } from '../keys/types';
import { verifySignature } from '../keys/verify-signature';
import { ReasonCode } from '../reasons';
import { listNames, signatureCheck } from './check-result';
import { parseBundle, type DsseContent } from './bundle-content';
import { preAuthEncoding } from './dsse';
import { checkCosignStatement } from './in-toto-statement';
import { isJsonObject } from './json-object';
import { MAX_BUNDLE_BYTES } from './limits';
import { IN_TOTO_PAYLOAD_TYPE } from './media-types';
import { verifyBundleTlogEntries, type BundleSignedContent } from './tlog/bundle-tlog-entries';
import { applyTlogMode } from './tlog/tlog-outcome';
import type { SignatureCheck } from './types';
import { imageDigestHex, type CosignVerifyContext } from './verify-context';

export interface BundleInput {
  /** Digest of the referrer manifest that carried the bundle. */
  artifact: string;
  /** The bundle layer blob (Sigstore bundle JSON), exactly as fetched. */
  bytes: Buffer;
}

/**
 * Checks one Sigstore bundle (cosign v3 referrer). DSSE: a signature over the PAE bytes must verify
 * with a trusted key; then the in-toto Statement must be a cosign signature (predicateType
 * cosign/sign/v1) with the image digest as a subject. Then the tlog policy applies to `tlogEntries`.
 * A messageSignature bundle (`cosign sign-blob`) is UNSUPPORTED_FORMAT: it is not an image signature.
 * Never throws for a bad bundle; the publicKey hint only orders the keys tried.
 */
export function verifyBundle(input: BundleInput, ctx: CosignVerifyContext): SignatureCheck {
  const imageHex = imageDigestHex(ctx);
  const result = (reason: ReasonCode, message: string, key?: TrustedKey): SignatureCheck =>
    signatureCheck('bundle', input.artifact, reason, message, key?.name);

  if (!Buffer.isBuffer(input.bytes))
    return result(ReasonCode.SIGNATURE_MALFORMED, 'the bundle has no content');
  if (input.bytes.length > MAX_BUNDLE_BYTES) {
    return result(
      ReasonCode.LIMIT_EXCEEDED,
      `the bundle is ${input.bytes.length} bytes (at most ${MAX_BUNDLE_BYTES})`,
    );
  }
  const bundle = parseBundle(input.bytes);
  if ('problem' in bundle) {
    const reason =
      bundle.problem === 'unsupported' ? ReasonCode.UNSUPPORTED_FORMAT : ReasonCode.SIGNATURE_MALFORMED;
    return result(reason, bundle.message);
  }
  const keys = orderByHint(ctx.keys, bundle.verificationMaterial);
  const signed = verifyDsse(bundle.content, keys, imageHex);
  if ('reason' in signed) return result(signed.reason, signed.message, signed.key);

  const tlog = applyTlogMode(ctx.tlog.mode, () =>
    verifyBundleTlogEntries(bundle.verificationMaterial.tlogEntries, signed.content, ctx.tlog.rekorKeys),
  );
  const key = signed.content.key;
  if (tlog.reason !== ReasonCode.VERIFIED)
    return result(tlog.reason, `signed by key "${key.name}", but ${tlog.note}`, key);
  return result(ReasonCode.VERIFIED, `${signed.what} verified with key "${key.name}"; ${tlog.note}`, key);
}

type SignedOutcome =
  { content: BundleSignedContent; what: string } | { reason: ReasonCode; message: string; key?: TrustedKey };

function verifyDsse(content: DsseContent, keys: readonly TrustedKey[], imageHex: string): SignedOutcome {
  const pae = preAuthEncoding(content.payloadType, content.payload);
  let verified: { key: TrustedKey; signature: Buffer } | undefined;
  for (const signature of content.signatures) {
    const key = keys.find((k) => verifySignature(k, pae, signature));
    if (key !== undefined) {
      verified = { key, signature };
      break;
    }
  }
  if (verified === undefined) return noKeyVerified(keys, 'DSSE signature');
  const { key, signature } = verified;
  if (content.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return {
      reason: ReasonCode.NOT_A_SIGNATURE,
      message: `signed by key "${key.name}", but the DSSE payloadType is ${content.payloadType.slice(0, 100)}, not ${IN_TOTO_PAYLOAD_TYPE}`,
      key,
    };
  }
  const claims = checkCosignStatement(content.payload, imageHex);
  if (!claims.ok)
    return { reason: claims.reason, message: `signed by key "${key.name}", but ${claims.message}`, key };
  const sha256Hex = createHash('sha256').update(content.payload).digest('hex');
  return { content: { kind: 'dsse', sha256Hex, signature, key }, what: 'DSSE signature' };
}

function noKeyVerified(keys: readonly TrustedKey[], what: string): SignedOutcome {
  return {
    reason: ReasonCode.SIGNATURE_INVALID,
    message:
      `the ${what} does not verify with any of the ${keys.length} trusted key(s) tried` +
      (keys.length > 0 ? ` (${listNames(keys.map((k) => k.name))})` : ''),
  };
}

/** Keys whose fingerprint matches `publicKey.hint` go first: an optimisation only, never a filter. */
function orderByHint(
  keys: readonly TrustedKey[],
  verificationMaterial: Record<string, unknown>,
): readonly TrustedKey[] {
  const publicKey = verificationMaterial.publicKey;
  const hint = isJsonObject(publicKey) && typeof publicKey.hint === 'string' ? publicKey.hint : undefined;
  if (hint === undefined) return keys;
  const hinted = (k: TrustedKey): boolean => Buffer.from(k.fingerprint, 'hex').toString('base64') === hint;
  return [...keys.filter(hinted), ...keys.filter((k) => !hinted(k))];
}
