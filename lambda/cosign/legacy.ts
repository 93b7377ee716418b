import { createHash } from 'node:crypto';
import { verifySignature } from '../keys/verify-signature';
import type { TrustedKey } from '../keys/types';
import { ReasonCode } from '../reasons';
import { decodeBase64Strict } from './base64';
import { listNames, signatureCheck } from './check-result';
import { MAX_SIGNATURE_ANNOTATION_CHARS, MAX_SIMPLE_SIGNING_PAYLOAD_BYTES } from './limits';
import { REKOR_BUNDLE_ANNOTATION, SIGNATURE_ANNOTATION } from './media-types';
import { checkSimpleSigningClaims } from './simple-signing-claims';
import { verifyLegacyRekorBundle } from './tlog/legacy-rekor-bundle';
import { applyTlogMode } from './tlog/tlog-outcome';
import type { SignatureCheck } from './types';
import { imageDigestHex, isSha256Digest, type CosignVerifyContext } from './verify-context';

export interface LegacyLayerInput {
  /** The layer's digest (`sha256:…`), as named by the `.sig` manifest. */
  artifact: string;
  /** The layer blob: the simple-signing payload, exactly as fetched. */
  payload: Buffer;
  annotations: Record<string, string> | undefined;
}

/**
 * Checks one layer of a cosign `.sig` manifest: the base64 signature annotation must verify over the
 * raw payload bytes with a trusted key; only then is the payload parsed and its claims checked
 * (digest, type); then the transparency-log policy is applied to the layer's Rekor bundle. A bad
 * layer fails on its own (never throws); the caller decides what several results mean.
 */
export function verifyLegacyLayer(input: LegacyLayerInput, ctx: CosignVerifyContext): SignatureCheck {
  imageDigestHex(ctx);
  const result = (reason: ReasonCode, message: string, key?: TrustedKey): SignatureCheck =>
    signatureCheck('legacy', input.artifact, reason, message, key?.name);

  if (!Buffer.isBuffer(input.payload))
    return result(ReasonCode.SIGNATURE_MALFORMED, 'the layer has no payload');
  if (input.payload.length > MAX_SIMPLE_SIGNING_PAYLOAD_BYTES) {
    return result(
      ReasonCode.LIMIT_EXCEEDED,
      `the signature payload is ${input.payload.length} bytes (at most ${MAX_SIMPLE_SIGNING_PAYLOAD_BYTES})`,
    );
  }
  if (isSha256Digest(input.artifact)) {
    const actual = `sha256:${createHash('sha256').update(input.payload).digest('hex')}`;
    if (actual !== input.artifact) {
      return result(ReasonCode.CONTENT_MISMATCH, `the payload's digest is ${actual}, not the layer digest`);
    }
  }
  const annotation = input.annotations?.[SIGNATURE_ANNOTATION];
  if (typeof annotation !== 'string') {
    return result(ReasonCode.SIGNATURE_MALFORMED, `the layer has no ${SIGNATURE_ANNOTATION} annotation`);
  }
  if (annotation.length > MAX_SIGNATURE_ANNOTATION_CHARS) {
    return result(
      ReasonCode.LIMIT_EXCEEDED,
      `the signature annotation is longer than ${MAX_SIGNATURE_ANNOTATION_CHARS}`,
    );
  }
  const signature = decodeBase64Strict(annotation, { allowLineBreaks: true });
  if (signature === undefined) {
    return result(
      ReasonCode.SIGNATURE_MALFORMED,
      `the ${SIGNATURE_ANNOTATION} annotation is not valid base64`,
    );
  }

  const key = ctx.keys.find((k) => verifySignature(k, input.payload, signature));
  if (key === undefined) {
    return result(
      ReasonCode.SIGNATURE_INVALID,
      `the signature does not verify with any of the ${ctx.keys.length} trusted key(s) tried` +
        (ctx.keys.length > 0 ? ` (${listNames(ctx.keys.map((k) => k.name))})` : ''),
    );
  }

  const claims = checkSimpleSigningClaims(input.payload, ctx.imageDigest);
  if (!claims.ok) return result(claims.reason, `signed by key "${key.name}", but ${claims.message}`, key);

  const rekorBundle = input.annotations?.[REKOR_BUNDLE_ANNOTATION];
  const tlog = applyTlogMode(ctx.tlog.mode, () =>
    rekorBundle === undefined
      ? { status: 'absent' }
      : verifyLegacyRekorBundle(rekorBundle, { payload: input.payload, signature, key }, ctx.tlog.rekorKeys),
  );
  if (tlog.reason !== ReasonCode.VERIFIED)
    return result(tlog.reason, `signed by key "${key.name}", but ${tlog.note}`, key);
  return result(ReasonCode.VERIFIED, `signature verified with key "${key.name}"; ${tlog.note}`, key);
}
