/**
 * Size caps for signature artifacts. Real ones are tiny (a simple-signing payload is ~300 bytes, a
 * cosign v3 bundle ~5–15 KiB); the caps only bound what a hostile registry can make us parse.
 */
export const MAX_SIMPLE_SIGNING_PAYLOAD_BYTES = 256 * 1024;
export const MAX_SIGNATURE_ANNOTATION_CHARS = 16 * 1024;
export const MAX_REKOR_BUNDLE_ANNOTATION_CHARS = 256 * 1024;
export const MAX_BUNDLE_BYTES = 2 * 1024 * 1024;
export const MAX_DSSE_SIGNATURES = 16;
export const MAX_TLOG_ENTRIES = 16;
export const MAX_STATEMENT_SUBJECTS = 1024;
