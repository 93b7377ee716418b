import path from 'node:path';
import { COSIGN_REAL_FIXTURES } from '../support/fixtures';

export const COSIGN_REAL = COSIGN_REAL_FIXTURES;
export const PUBKEY_PEM_PATH = path.join(COSIGN_REAL, 'ci-p256-key-no-tlog', 'pubkey.pem');
export const REKOR_PUB_PATH = path.join(COSIGN_REAL, 'ci-p256-key-rekor-set', 'rekor.pub');
export const CERT_PEM_PATH = path.join(COSIGN_REAL, 'ci-rsa4096-pkcs1v15-x509', 'certificate.pem');

export const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const REPO_ROOT = path.join(__dirname, '..', '..');

/** Indents a multi-line string for a YAML block scalar. */
export function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .trimEnd()
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
