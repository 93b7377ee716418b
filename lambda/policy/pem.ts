/**
 * A shallow check that text is PEM (RFC 7468) of a kind a public key can come in. Parsing the key
 * itself happens in lambda/keys; this only catches the mistakes a policy author makes: a path where
 * the PEM should be, a truncated paste, or, worst, a private key.
 */

const BLOCK_RE = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\s]*?)-----END ([A-Z0-9 ]+)-----/g;
const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'CERTIFICATE', 'RSA PUBLIC KEY', 'EC PUBLIC KEY']);

/** Why `text` is not a PEM public key or certificate, or undefined when it looks like one. */
export function pemProblem(text: string, accepted: ReadonlySet<string> = PUBLIC_LABELS): string | undefined {
  if (/PRIVATE KEY-----/.test(text)) {
    return 'is a PRIVATE key; give the public key (for cosign: cosign.pub, or `cosign public-key`)';
  }
  const trimmed = text.trim();
  if (!trimmed.startsWith('-----BEGIN ')) return 'is not PEM: expected a "-----BEGIN PUBLIC KEY-----" block';
  let blocks = 0;
  for (const m of trimmed.matchAll(BLOCK_RE)) {
    const label = m[1] as string;
    if (label !== m[3]) return `has a "BEGIN ${label}" block closed by "END ${m[3] as string}"`;
    if (!accepted.has(label)) {
      return `has a "${label}" block; expected one of: ${[...accepted].join(', ')}`;
    }
    if ((m[2] as string).replace(/\s/g, '').length === 0) return `has an empty "${label}" block`;
    blocks++;
  }
  if (blocks === 0) return 'is not complete PEM: no matching "-----END …-----" line';
  return undefined;
}

export const PUBLIC_KEY_ONLY: ReadonlySet<string> = new Set(['PUBLIC KEY']);

/** The form the compiled policy stores: LF line ends, no surrounding blank space, one final newline. */
export function normalisePem(text: string): string {
  return `${text.replace(/\r\n/g, '\n').trim()}\n`;
}
