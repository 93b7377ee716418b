/**
 * Test signer: produces cosign artifacts as data, byte-for-byte in cosign's shapes, with node:crypto.
 * Registry I/O (pushing them) is the caller's business.
 */
export {
  ALL_TEST_KEY_KINDS,
  generateTestKey,
  sharedTestKey,
  type TestKey,
  type TestKeyKind,
} from './test-keys';
export { base64WithLineBreaks, flipByte, signBytes, type RsaPadding } from './sign-bytes';
export { goJson, sortedKeys } from './go-json';
export { makeSimpleSigningPayload } from './simple-signing-payload';
export {
  generateTestRekorKey,
  makeDsseRekorBody,
  makeHashedRekordBody,
  makeSet,
  type SetFields,
  type TestRekorKey,
} from './test-rekor';
export {
  CERTIFICATE_ANNOTATION,
  REKOR_BUNDLE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  makeLegacyRekorBundle,
  makeLegacySignature,
  sha256Digest,
  type LegacyRekorOptions,
  type LegacySignature,
  type LegacySignatureOptions,
} from './legacy-signature';
export {
  SIMPLE_SIGNING_MEDIA_TYPE,
  makeSigManifest,
  sigTagFor,
  type ManifestArtifact,
  type SigLayer,
  type SigManifest,
} from './sig-manifest';
export {
  BUNDLE_V03_MEDIA_TYPE,
  COSIGN_SIGN_PREDICATE_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_V1,
  makeBundle,
  makeCosignStatement,
  makeMessageSignatureBundle,
  type BundleOptions,
  type BundleTlogOptions,
  type StatementOptions,
} from './bundle';
export {
  OCI_EMPTY_CONFIG,
  OCI_EMPTY_CONFIG_DIGEST,
  makeBundleReferrerManifest,
  referrersTagFor,
  type Descriptor,
  type ReferrerArtifact,
} from './referrer-manifest';
