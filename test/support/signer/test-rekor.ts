import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { RekorKey } from '../../../lambda/cosign/types';
import { goJson } from './go-json';

/** A stand-in transparency log: a P-256 key like Rekor's, with its logID. */
export interface TestRekorKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** Lower-case hex SHA-256 of the DER SPKI. */
  logId: string;
  /** As the verifier takes it. */
  rekorKey: RekorKey;
}

export function generateTestRekorKey(): TestRekorKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const logId = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    logId,
    rekorKey: { logId, publicKey },
  };
}

export interface SetFields {
  /** base64 of the canonicalized entry body, exactly as it will be stored. */
  body: string;
  integratedTime: number;
  logIndex: number;
}

/**
 * A Signed Entry Timestamp as Rekor makes it: ECDSA-SHA256 (DER) over the RFC 8785 form of
 * {body, integratedTime, logID, logIndex}. Written out by hand (keys already in sorted order) so the
 * test oracle does not share the verifier's canonicalisation code.
 */
export function makeSet(rekor: TestRekorKey, fields: SetFields): Buffer {
  const canonical =
    `{"body":${JSON.stringify(fields.body)},"integratedTime":${fields.integratedTime},` +
    `"logID":${JSON.stringify(rekor.logId)},"logIndex":${fields.logIndex}}`;
  return sign('sha256', Buffer.from(canonical, 'utf8'), { key: rekor.privateKey, dsaEncoding: 'der' });
}

/** A hashedrekord v0.0.1 entry body as Rekor canonicalises it (base64 of the JSON). */
export function makeHashedRekordBody(entry: {
  sha256Hex: string;
  signature: Buffer;
  publicKeyPem: string;
}): string {
  const body = {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: entry.sha256Hex } },
      signature: {
        content: entry.signature.toString('base64'),
        publicKey: { content: Buffer.from(entry.publicKeyPem, 'utf8').toString('base64') },
      },
    },
  };
  return Buffer.from(goJson(body), 'utf8').toString('base64');
}

/** A dsse v0.0.1 entry body (base64 of the JSON): payloadHash, envelopeHash, signatures with verifiers. */
export function makeDsseRekorBody(entry: {
  payloadSha256Hex: string;
  envelopeSha256Hex: string;
  signatures: { signature: Buffer; publicKeyPem: string }[];
}): string {
  const body = {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: entry.envelopeSha256Hex },
      payloadHash: { algorithm: 'sha256', value: entry.payloadSha256Hex },
      signatures: entry.signatures.map((s) => ({
        signature: s.signature.toString('base64'),
        verifier: Buffer.from(s.publicKeyPem, 'utf8').toString('base64'),
      })),
    },
  };
  return Buffer.from(goJson(body), 'utf8').toString('base64');
}
