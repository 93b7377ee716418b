import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { invalid } from '../failure';
import { NOTATION_LIMITS } from '../limits';
import { CertificateParseError, parseCertificate, type ParsedCertificate } from '../x509/certificate';
import { validateCertificateChain } from '../x509/chain';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
/** RFC 3628 baseline time-stamp policy: no accuracy field means ±1 s (tspclient-go). */
const OID_BASELINE_TIMESTAMP_POLICY = '0.4.0.2023.1.1';
/** messageImprint hashes tspclient-go accepts. */
const IMPRINT_HASHES: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** A verified RFC 3161 timestamp: genTime ± accuracy. */
export interface VerifiedTimestamp {
  genTime: Date;
  accuracyMs: number;
  /** The TSA chain the token verified to, leaf first. */
  tsaChain: ParsedCertificate[];
}

function fail(message: string): never {
  throw invalid('authenticTimestamp', `timestamp countersignature: ${message}`);
}

function accuracyMs(tst: pkijs.TSTInfo): number {
  const a = tst.accuracy;
  const ms = (a?.seconds ?? 0) * 1000 + (a?.millis ?? 0) + (a?.micros ?? 0) / 1000;
  return ms === 0 && tst.policy === OID_BASELINE_TIMESTAMP_POLICY ? 1000 : ms;
}

function toDer(cert: pkijs.Certificate): Buffer {
  return Buffer.from(cert.toSchema().toBER(false));
}

/**
 * notation-go verifyTimestamp with tspclient-go: the token is a CMS SignedData over id-ct-TSTInfo,
 * version 1, whose messageImprint is the hash of the envelope's raw signature bytes; its signature
 * and TSA chain verify (pkijs, at genTime) to a certificate of the `tsa` trust store; the TSA chain
 * meets the timestamping profile (leaf EKU exactly timeStamping, critical).
 */
export async function verifyTimestampToken(
  token: Buffer,
  signature: Buffer,
  tsaRoots: readonly Buffer[],
): Promise<VerifiedTimestamp> {
  if (token.length > NOTATION_LIMITS.maxTimestampTokenBytes)
    fail(`token of ${token.length} bytes exceeds the cap`);
  let signedData: pkijs.SignedData;
  let tst: pkijs.TSTInfo;
  try {
    const asn = asn1js.fromBER(new Uint8Array(token));
    if (asn.offset === -1) throw new Error(asn.result.error);
    const contentInfo = new pkijs.ContentInfo({ schema: asn.result });
    if (contentInfo.contentType !== OID_SIGNED_DATA) throw new Error('not a CMS SignedData');
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
    if (signedData.encapContentInfo.eContentType !== OID_TST_INFO)
      throw new Error('the content type is not id-ct-TSTInfo');
    const eContent = signedData.encapContentInfo.eContent;
    if (eContent === undefined) throw new Error('TSTInfo is missing');
    tst = pkijs.TSTInfo.fromBER(eContent.getValue());
  } catch (e) {
    return fail(`cannot be parsed (${e instanceof Error ? e.message : String(e)})`);
  }
  if (tst.version !== 1) fail(`TSTInfo version is ${tst.version}, not 1`);
  const hash = IMPRINT_HASHES[tst.messageImprint.hashAlgorithm.algorithmId];
  if (hash === undefined)
    fail(`messageImprint hash ${tst.messageImprint.hashAlgorithm.algorithmId} is not SHA-256/384/512`);
  const expected = createHash(hash).update(signature).digest();
  if (!expected.equals(Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView))) {
    fail('messageImprint is not the hash of this signature');
  }
  if (tsaRoots.length === 0) fail('the policy has a tsa trust store without certificates');

  const trustedCerts = tsaRoots.map((der) => pkijs.Certificate.fromBER(new Uint8Array(der)));
  let lastError = 'the token has no signer';
  for (let signer = 0; signer < signedData.signerInfos.length; signer += 1) {
    let path: pkijs.Certificate[];
    try {
      const result = await signedData.verify({
        signer,
        data: new Uint8Array(signature).buffer,
        trustedCerts,
        checkChain: true,
        extendedMode: true,
      });
      if (result.signatureVerified !== true || result.signerCertificateVerified !== true) {
        lastError = result.message || 'the token signature or TSA chain does not verify';
        continue;
      }
      path = result.certificatePath;
    } catch (e) {
      lastError = `does not verify to the tsa trust store (${e instanceof Error ? e.message : String(e)})`;
      continue;
    }
    let tsaChain: ParsedCertificate[];
    try {
      tsaChain = path.map((c) => parseCertificate(toDer(c)));
    } catch (e) {
      lastError = e instanceof CertificateParseError ? `TSA certificate: ${e.message}` : String(e);
      continue;
    }
    validateCertificateChain(tsaChain, 'timestamping', 'authenticTimestamp');
    return { genTime: tst.genTime, accuracyMs: accuracyMs(tst), tsaChain };
  }
  return fail(lastError);
}
