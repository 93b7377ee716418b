import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRekorKey } from '../../lambda/cosign/tlog/rekor-keys';
import type { RekorKey, TlogMode } from '../../lambda/cosign/types';
import type { CosignVerifyContext } from '../../lambda/cosign/verify-context';
import { parsePemKey } from '../../lambda/keys/pem-key';
import type { HashAlgorithm, TrustedKey } from '../../lambda/keys/types';
import { COSIGN_REAL_FIXTURES } from '../support/fixtures';

export const FIXTURES = COSIGN_REAL_FIXTURES;

export function fixturePath(relative: string): string {
  return path.join(FIXTURES, relative);
}

export function fixtureBytes(relative: string): Buffer {
  const file = fixturePath(relative);
  if (!existsSync(file)) throw new Error(`fixture missing: ${file}`);
  return readFileSync(file);
}

export function fixtureText(relative: string): string {
  return fixtureBytes(relative).toString('utf8');
}

export function fixtureKey(
  relative: string,
  name = path.basename(path.dirname(relative)),
  hash?: HashAlgorithm,
): TrustedKey {
  return parsePemKey({
    name,
    pem: fixtureText(relative),
    source: relative,
    ...(hash === undefined ? {} : { hashAlgorithm: hash }),
  });
}

export function fixtureRekorKey(relative: string): RekorKey {
  return parseRekorKey(fixtureText(relative), relative);
}

export function fixtureDigest(relative: string): string {
  return fixtureText(relative).trim();
}

export function sha256Of(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function context(
  imageDigest: string,
  keys: TrustedKey[],
  mode: TlogMode = 'verify-if-present',
  rekorKeys: RekorKey[] = [],
): CosignVerifyContext {
  return { imageDigest, keys, tlog: { mode, rekorKeys } };
}
