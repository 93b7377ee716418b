/**
 * Classifies what fetch threw (undici wraps the socket error as `cause`). Certificate and TLS
 * handshake failures are configuration problems, so they are not retried.
 */
export interface NetworkFailure {
  /** The innermost error code, e.g. ECONNREFUSED, UNABLE_TO_VERIFY_LEAF_SIGNATURE. */
  code: string | undefined;
  /** True for certificate / TLS protocol failures (never transient). */
  tls: boolean;
  detail: string;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

export function describeNetworkFailure(error: unknown): NetworkFailure {
  const chain: unknown[] = [];
  for (
    let e: unknown = error;
    e !== undefined && e !== null && chain.length < 5;
    e = (e as { cause?: unknown }).cause
  ) {
    chain.push(e);
  }
  let code: string | undefined;
  for (const e of chain) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') code = c;
  }
  const innermost = chain[chain.length - 1];
  const detail = innermost instanceof Error ? innermost.message : String(innermost);
  const tls =
    code !== undefined && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'));
  return { code, tls, detail };
}
