/**
 * Notation signers in the policy's `keys:` list, compiled: `awsSigner` entries as written, `notation`
 * entries with every trust store's certificates read (inline PEM, or `certificatesFile`: PEM or DER),
 * checked for the store's type and written back as canonical PEM, and `verifyTimestamp` defaulted.
 * Problems are returned as issues with the field path, like key files.
 */
import path from 'node:path';
import type { KeyFileReader } from './compile';
import {
  certificatesPem,
  readCertificateFile,
  readPemCertificates,
  trustStoreCertificateProblem,
} from './certificates';
import type { PolicyIssue } from './issues';
import {
  POLICY_DEFAULTS,
  POLICY_LIMITS,
  type AwsSignerPolicyKey,
  type NotationPolicyKey,
  type NotationTrustStore,
  type PolicyFile,
} from './schema';

type KeyEntry = NonNullable<PolicyFile['keys']>[number];

/** Certificate files are a few kilobytes; anything far larger is not a certificate file. */
export const MAX_CERTIFICATE_FILE_BYTES = 256 * 1024;

export function compileAwsSigner(
  name: string,
  awsSigner: NonNullable<KeyEntry['awsSigner']>,
): AwsSignerPolicyKey {
  return { name, awsSigner: { signingProfiles: [...awsSigner.signingProfiles] } };
}

export function compileNotationTrust(
  name: string,
  spec: NonNullable<KeyEntry['notation']>,
  at: string,
  reader: KeyFileReader,
  issues: PolicyIssue[],
): NotationPolicyKey {
  const trustStores: NotationTrustStore[] = spec.trustStores.map((store, j) => {
    const storeAt = `${at}.trustStores[${j}]`;
    let certificates = '';
    if (store.certificates !== undefined) {
      const read = readPemCertificates(store.certificates);
      if (read.ok) certificates = certificatesPem(read.certificates);
    } else if (store.certificatesFile !== undefined) {
      certificates =
        readTrustStoreFile(
          store.certificatesFile,
          store.type,
          `${storeAt}.certificatesFile`,
          reader,
          issues,
        ) ?? '';
    }
    return { type: store.type, name: store.name, certificates };
  });
  return {
    name,
    notation: {
      trustStores,
      trustedIdentities: [...spec.trustedIdentities],
      verifyTimestamp: spec.verifyTimestamp ?? POLICY_DEFAULTS.verifyTimestamp,
    },
  };
}

/**
 * Reads a certificate file (PEM or DER) for a store of `type` and returns its canonical PEM, or
 * undefined after recording an issue at `at`.
 */
export function readTrustStoreFile(
  file: string,
  type: NotationTrustStore['type'],
  at: string,
  reader: KeyFileReader,
  issues: PolicyIssue[],
): string | undefined {
  const resolved = path.resolve(reader.baseDir, file);
  let bytes: Buffer;
  try {
    bytes = reader.readBytes ? reader.readBytes(resolved) : Buffer.from(reader.readFile(resolved), 'utf8');
  } catch (e) {
    issues.push({ path: at, message: `cannot read ${JSON.stringify(resolved)} (${errorCode(e)})` });
    return undefined;
  }
  if (bytes.length > MAX_CERTIFICATE_FILE_BYTES) {
    issues.push({
      path: at,
      message: `${JSON.stringify(resolved)} is larger than ${MAX_CERTIFICATE_FILE_BYTES} bytes`,
    });
    return undefined;
  }
  const read = readCertificateFile(bytes);
  if (!read.ok) {
    issues.push({ path: at, message: `${JSON.stringify(resolved)} ${read.problem}` });
    return undefined;
  }
  for (const cert of read.certificates) {
    const problem = trustStoreCertificateProblem(cert, type);
    if (problem !== undefined) {
      issues.push({ path: at, message: `${JSON.stringify(resolved)}: ${problem}` });
      return undefined;
    }
  }
  const pem = certificatesPem(read.certificates);
  if (pem.length > POLICY_LIMITS.pemChars) {
    issues.push({
      path: at,
      message: `${JSON.stringify(resolved)} is more than ${POLICY_LIMITS.pemChars} characters of PEM`,
    });
    return undefined;
  }
  return pem;
}

export function errorCode(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return e instanceof Error ? e.message : String(e);
}
