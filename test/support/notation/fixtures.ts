import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Real Notation vectors and AWS Signer metadata, copied into the repository with their sources (see NOTICE). */
export const NOTATION_REAL_FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'notation-real');

export function notationFixturePath(relative: string): string {
  return path.join(NOTATION_REAL_FIXTURES, relative);
}

export function notationFixtureBytes(relative: string): Buffer {
  const file = notationFixturePath(relative);
  if (!existsSync(file)) throw new Error(`fixture missing: ${file}`);
  return readFileSync(file);
}

export function notationFixtureJson<T = unknown>(relative: string): T {
  return JSON.parse(notationFixtureBytes(relative).toString('utf8')) as T;
}

/** Every certificate of a PEM file, as DER, in file order (node:crypto parses each block). */
export function pemCertificates(relative: string): Buffer[] {
  const text = notationFixtureBytes(relative).toString('utf8');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block).raw);
}

export interface NotationVector {
  id: string;
  envelope: { file: string; mediaType: string; digest: string; size: number };
  targetDescriptor: { mediaType: string; digest: string; size: number };
  trustStoreType: 'ca' | 'signingAuthority';
  tsaTrustAnchors?: unknown[];
  trustPolicy: {
    trustPolicies: Array<{
      trustStores: string[];
      trustedIdentities: string[];
      signatureVerification: { level: string; verifyTimestamp?: string };
    }>;
  };
  verificationTime: string;
  expected: { verdict: 'valid' | 'invalid'; failedCheck: string | null };
  expectedOtherwise?: Array<{ when: string; verdict: string; failedCheck?: string }>;
  checkedHere: Record<string, unknown>;
}

/** The folders that hold an envelope vector (a vector.json). */
export function notationVectorIds(): string[] {
  return readdirSync(NOTATION_REAL_FIXTURES)
    .filter((dir) => existsSync(path.join(NOTATION_REAL_FIXTURES, dir, 'vector.json')))
    .sort();
}

export function loadNotationVector(id: string): NotationVector {
  return notationFixtureJson<NotationVector>(`${id}/vector.json`);
}
