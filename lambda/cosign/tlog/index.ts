export { canonicalJson } from './canonical-json';
export {
  PUBLIC_GOOD_REKOR_KEYS,
  PUBLIC_GOOD_REKOR_PEM,
  parseRekorKey,
  publicGoodRekorKeys,
} from './rekor-keys';
export { verifySignedEntryTimestamp, type SignedEntry } from './signed-entry-timestamp';
export { verifyLegacyRekorBundle } from './legacy-rekor-bundle';
export { verifyBundleTlogEntries, type BundleSignedContent } from './bundle-tlog-entries';
export { applyTlogMode, type TlogEvidence, type TlogVerdict } from './tlog-outcome';
