/**
 * Caps on what one Notation envelope may make the verifier parse. notation-go accepts envelope blobs
 * up to 32 MiB; real envelopes are a few KiB (the largest vendored one, with an RFC 3161 token and its
 * TSA chain, is under 10 KiB; an AWS Signer envelope with its four P-384 certificates is about 5 KiB),
 * so 1 MiB keeps two orders of magnitude of headroom while bounding JSON/CBOR/ASN.1 work per signature.
 */
export const NOTATION_LIMITS = {
  /** The whole envelope layer. */
  maxEnvelopeBytes: 1024 * 1024,
  /** Certificates in `x5c` / `x5chain` (AWS Signer uses 4). */
  maxChainLength: 10,
  /** One DER certificate. */
  maxCertificateBytes: 16 * 1024,
  /** The RFC 3161 timestamp token (a CMS SignedData with its TSA chain). */
  maxTimestampTokenBytes: 64 * 1024,
  /** The signed payload (`{"targetArtifact": …}`; a descriptor with annotations). */
  maxPayloadBytes: 64 * 1024,
  /** CBOR nesting: COSE_Sign1 needs 4 levels (tag, array, map, x5chain array); crit adds one inside the protected map. */
  maxCborDepth: 8,
} as const;
