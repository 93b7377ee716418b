/**
 * Whether text is a PEM public key the guard can use. The first checks catch the mistakes a policy
 * author makes (a path where the PEM should be, a truncated paste, or, worst, a private key) in their
 * own words; then the runtime's own key reader (keys/pem-key.ts) decides, so the policy accepts exactly
 * the keys the runtime can load (no `EC PUBLIC KEY` block, secp256k1 or unparsable DER gets through).
 */
import { readPemPublicKey } from '../keys/pem-key';

const BLOCK_RE = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\s]*?)-----END ([A-Z0-9 ]+)-----/g;

/**
 * Why `text` is not a PEM public key or certificate the runtime can load, or undefined when it is one.
 * `accepted` narrows the block labels further (transparency-log keys: `PUBLIC KEY` only).
 */
export function pemProblem(text: string, accepted?: ReadonlySet<string>): string | undefined {
  if (/PRIVATE KEY-----/.test(text)) {
    return 'is a PRIVATE key; give the public key (for cosign: cosign.pub, or `cosign public-key`)';
  }
  const trimmed = text.trim();
  if (!trimmed.startsWith('-----BEGIN ')) return 'is not PEM: expected a "-----BEGIN PUBLIC KEY-----" block';
  let blocks = 0;
  for (const m of trimmed.matchAll(BLOCK_RE)) {
    const label = m[1] as string;
    if (label !== m[3]) return `has a "BEGIN ${label}" block closed by "END ${m[3] as string}"`;
    if (accepted !== undefined && !accepted.has(label)) {
      return `has a "${label}" block; expected one of: ${[...accepted].join(', ')}`;
    }
    if ((m[2] as string).replace(/\s/g, '').length === 0) return `has an empty "${label}" block`;
    blocks++;
  }
  if (blocks === 0) return 'is not complete PEM: no matching "-----END …-----" line';
  const read = readPemPublicKey(text);
  return read.ok ? undefined : `is not a usable public key: ${read.problem}`;
}

export const PUBLIC_KEY_ONLY: ReadonlySet<string> = new Set(['PUBLIC KEY']);

/** The form the compiled policy stores: LF line ends, no surrounding blank space, one final newline. */
export function normalisePem(text: string): string {
  return `${text.replace(/\r\n/g, '\n').trim()}\n`;
}
