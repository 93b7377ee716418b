export type { RekorKey, SignatureCheck, SignatureFormat, TlogMode, TlogOptions } from './types';
export * from './media-types';
export { preAuthEncoding } from './dsse';
export { decodeBase64Strict } from './base64';
export * from './limits';
export { imageDigestHex, type CosignVerifyContext } from './verify-context';
export { verifyLegacyLayer, type LegacyLayerInput } from './legacy';
export { verifyBundle, type BundleInput } from './bundle';
export { checkSimpleSigningClaims, type ClaimsCheck } from './simple-signing-claims';
export { checkCosignStatement } from './in-toto-statement';
export { canonicalJson } from './tlog/canonical-json';
export {
  PUBLIC_GOOD_REKOR_KEYS,
  PUBLIC_GOOD_REKOR_PEM,
  parseRekorKey,
  publicGoodRekorKeys,
} from './tlog/rekor-keys';
export { verifySignedEntryTimestamp, type SignedEntry } from './tlog/signed-entry-timestamp';
