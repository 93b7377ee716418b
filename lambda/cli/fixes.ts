/**
 * What the user can do about an error the CLI reports: the engine's messages say what went wrong
 * (they are shared with the Lambda); the CLI names its own flag or variable that fixes it.
 */

/** TLS alerts and OpenSSL errors seen when HTTPS is spoken to a plain-HTTP port. */
const PLAIN_HTTP =
  /ERR_SSL_WRONG_VERSION_NUMBER|wrong version number|ERR_SSL_PACKET_LENGTH_TOO_LONG|packet length too long|http request/i;
/** Node's certificate-chain errors: the registry's CA is not trusted. */
const UNKNOWN_CA =
  /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_UNTRUSTED|unable to verify the first certificate/;
const TLS_HOST = /TLS connection to (\S+?) failed/;

export function fixFor(message: string): string | undefined {
  if (PLAIN_HTTP.test(message)) {
    const host = TLS_HOST.exec(message)?.[1] ?? 'HOST[:PORT]';
    return `if ${host} speaks plain HTTP (a local or test registry), pass --insecure-registry ${host}`;
  }
  if (UNKNOWN_CA.test(message)) {
    return "the registry's certificate is not signed by a trusted CA: pass its CA certificate with --ca-file PEM";
  }
  if (/KMS/.test(message) && /region/i.test(message)) {
    return 'set AWS_REGION (or give the key as an ARN, which names its region)';
  }
  if (/KMS/.test(message) && /credentials/i.test(message)) {
    return 'give AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)';
  }
  return undefined;
}
