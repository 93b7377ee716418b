/**
 * Exact strings cosign and Sigstore write (sources: cosign pkg/types/media.go, pkg/oci/static,
 * pkg/oci/remote/write.go; sigstore-go bundle media types).
 */

// Legacy `.sig` images (tag sha256-<hex>.sig).
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** The one annotation key with the "cosignproject" prefix. */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
/** The Rekor "SET bundle": `{"SignedEntryTimestamp": …, "Payload": {body, integratedTime, logIndex, logID}}`. */
export const REKOR_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
/** `critical.type` of a simple-signing payload. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/** The empty config blob `{}` every OCI 1.1 artifact manifest points at. */
export const OCI_EMPTY_CONFIG_DIGEST =
  'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

/** Experimental OCI 1.1 legacy variant (`--registry-referrers-mode=oci-1-1`): artifactType / config type. */
export const COSIGN_ARTIFACT_SIG_MEDIA_TYPE = 'application/vnd.dev.cosign.artifact.sig.v1+json';
/** Same string, under the name the orchestrator uses for the referrer's artifactType. */
export const COSIGN_SIG_ARTIFACT_TYPE = COSIGN_ARTIFACT_SIG_MEDIA_TYPE;

// Sigstore bundles (cosign v3 default, stored as OCI referrers).
export const BUNDLE_V01_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
export const BUNDLE_V02_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** The v0.3 type in the older parameter form, which sigstore-go also accepts. */
export const BUNDLE_V03_LEGACY_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.3';
export const BUNDLE_MEDIA_TYPES: readonly string[] = [
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
];
/** Prefix cosign uses to recognise a bundle layer in a referrer manifest. */
export const BUNDLE_MEDIA_TYPE_PREFIX = 'application/vnd.dev.sigstore.bundle';

/**
 * Whether a referrer layer (or artifactType) is a Sigstore bundle, by cosign's rule (prefix match).
 * Versions are not judged here: verifyBundle reports an unknown version as UNSUPPORTED_FORMAT
 * instead of it being skipped silently.
 */
export function isBundleMediaType(mediaType: string): boolean {
  return typeof mediaType === 'string' && mediaType.startsWith(BUNDLE_MEDIA_TYPE_PREFIX);
}

// DSSE / in-toto.
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const IN_TOTO_STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const IN_TOTO_STATEMENT_TYPES: readonly string[] = [IN_TOTO_STATEMENT_V01, IN_TOTO_STATEMENT_V1];
/** Predicate type of a cosign v3 image *signature* (attestations carry other predicate types). */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';
