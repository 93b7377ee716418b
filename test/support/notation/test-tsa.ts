/**
 * A test RFC 3161 time-stamping authority: root → TSA certificate (EKU timeStamping, critical by
 * default) and TimeStampTokens (CMS SignedData over id-ct-TSTInfo) built and signed with pkijs, for
 * the rules real tokens cannot exercise (EKU, accuracy, imprint, untrusted TSA).
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { makeTestCertificate, type TestCertificate } from './test-signer';

const EKU_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
export const BASELINE_TIMESTAMP_POLICY = '0.4.0.2023.1.1';

export interface TestTsa {
  root: TestCertificate;
  tsa: TestCertificate;
}

export interface TestTsaOptions {
  /** The TSA certificate's EKUs (default: only timeStamping) and whether that extension is critical (default true). */
  extKeyUsage?: string[];
  extKeyUsageCritical?: boolean;
}

export async function makeTestTsa(options: TestTsaOptions = {}): Promise<TestTsa> {
  const notBefore = new Date('2020-01-01T00:00:00Z');
  const notAfter = new Date('2040-01-01T00:00:00Z');
  const root = await makeTestCertificate({
    name: [
      ['C', 'US'],
      ['O', 'Test TSA'],
      ['CN', 'Test TSA Root'],
    ],
    notBefore,
    notAfter,
    ca: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  const tsa = await makeTestCertificate({
    name: [
      ['C', 'US'],
      ['O', 'Test TSA'],
      ['CN', 'Test TSA Signer'],
    ],
    issuer: root,
    notBefore,
    notAfter,
    ca: false,
    keyUsage: ['digitalSignature'],
    extKeyUsage: options.extKeyUsage ?? [EKU_TIME_STAMPING],
    extKeyUsageCritical: options.extKeyUsageCritical ?? true,
  });
  return { root, tsa };
}

export interface TimestampOptions {
  /** The bytes the token vouches for (a Notation envelope's raw signature). */
  message: Buffer;
  genTime: Date;
  /** Seconds of accuracy; undefined writes no accuracy field. */
  accuracySeconds?: number;
  policy?: string;
}

/** A DER TimeStampToken (ContentInfo → SignedData) whose messageImprint is SHA-256(message). */
export async function makeTimestampToken(tsa: TestTsa, options: TimestampOptions): Promise<Buffer> {
  const tstInfo = new pkijs.TSTInfo({
    version: 1,
    policy: options.policy ?? '1.3.6.1.4.1.99999.1',
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256 }),
      hashedMessage: new asn1js.OctetString({
        valueHex: createHash('sha256').update(options.message).digest(),
      }),
    }),
    serialNumber: new asn1js.Integer({ value: 1 }),
    genTime: options.genTime,
    ...(options.accuracySeconds === undefined
      ? {}
      : { accuracy: new pkijs.Accuracy({ seconds: options.accuracySeconds }) }),
  });
  const tsaCert = pkijs.Certificate.fromBER(new Uint8Array(tsa.tsa.der));
  const signedData = new pkijs.SignedData({
    version: 3,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: OID_TST_INFO,
      eContent: new asn1js.OctetString({ valueHex: tstInfo.toSchema().toBER(false) }),
    }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: tsaCert.issuer, serialNumber: tsaCert.serialNumber }),
      }),
    ],
    certificates: [tsaCert, pkijs.Certificate.fromBER(new Uint8Array(tsa.root.der))],
  });
  await signedData.sign(tsa.tsa.signingKey, 0, 'SHA-384');
  const contentInfo = new pkijs.ContentInfo({
    contentType: pkijs.ContentInfo.SIGNED_DATA,
    content: signedData.toSchema(true),
  });
  return Buffer.from(contentInfo.toSchema().toBER(false));
}
