import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { spkiFingerprint } from './fingerprint';
import { DEFAULT_PEM_HASH, HASH_ALGORITHMS, isHashAlgorithm } from './hash-algorithm';
import { unsupportedKeyReason } from './supported-key-type';
import type { HashAlgorithm, TrustedKey } from './types';

export interface PemKeySpec {
  name: string;
  pem: string;
  /** Where the PEM came from (file path, `inline`), for messages. */
  source: string;
  hashAlgorithm?: HashAlgorithm;
}

/** A PEM file is small; anything bigger is not a key file and is refused before parsing. */
const MAX_PEM_CHARS = 256 * 1024;
/** A key, or a certificate chain, is a handful of blocks; this also bounds the block scan. */
const MAX_PEM_BLOCKS = 16;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;

/** The PEM block labels a public key is read from. */
const PEM_PUBLIC_KEY_LABELS = ['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE'] as const;

/** What is wrong with a PEM public key, in words that follow `key "NAME" (SOURCE): `. */
class PemKeyProblem extends Error {}

/**
 * Reads the public key from PEM text: an SPKI `PUBLIC KEY` (cosign.pub), a PKCS#1 `RSA PUBLIC KEY`,
 * or an X.509 `CERTIFICATE` (its subject public key is used; the certificate's chain and validity are
 * not checked — it is only a key carrier here). Several blocks are allowed only if they all hold the
 * same key. Private keys are refused, never parsed; so are keys cosign cannot verify with.
 * The policy check (policy/pem.ts) calls this too, so a synth accepts exactly the keys the runtime does.
 */
export function readPemPublicKey(
  pem: string,
): { ok: true; publicKey: KeyObject; fingerprint: string } | { ok: false; problem: string } {
  try {
    return { ok: true, ...publicKeyOf(pem) };
  } catch (e) {
    if (e instanceof PemKeyProblem) return { ok: false, problem: e.message };
    throw e;
  }
}

/** A trusted key from PEM text (readPemPublicKey); a GuardError(KEY_UNAVAILABLE) naming the key and what is wrong. */
export function parsePemKey(spec: PemKeySpec): TrustedKey {
  const fail = (what: string): GuardError =>
    new GuardError(ReasonCode.KEY_UNAVAILABLE, `key "${spec.name}" (${spec.source}): ${what}`);

  const hashAlgorithm = spec.hashAlgorithm ?? DEFAULT_PEM_HASH;
  if (!isHashAlgorithm(hashAlgorithm)) {
    throw fail(`hashAlgorithm "${String(hashAlgorithm)}" is not one of ${HASH_ALGORITHMS.join(', ')}`);
  }
  const read = readPemPublicKey(spec.pem);
  if (!read.ok) throw fail(read.problem);
  return {
    name: spec.name,
    source: spec.source,
    publicKey: read.publicKey,
    hashAlgorithm,
    fingerprint: read.fingerprint,
  };
}

function publicKeyOf(pem: unknown): { publicKey: KeyObject; fingerprint: string } {
  const fail = (what: string) => new PemKeyProblem(what);
  const text = typeof pem === 'string' ? pem : '';
  if (text.trim() === '') throw fail('the PEM is empty');
  if (text.length > MAX_PEM_CHARS) throw fail(`the PEM is larger than ${MAX_PEM_CHARS} characters`);
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    const encrypted = /-----BEGIN [A-Z0-9 ]*ENCRYPTED[A-Z0-9 ]*PRIVATE KEY-----/.test(text);
    throw fail(
      `this is ${encrypted ? 'an encrypted' : 'a'} PRIVATE key; give the PUBLIC key (e.g. cosign.pub), never the private key`,
    );
  }

  if ((text.match(/-----BEGIN /g) ?? []).length > MAX_PEM_BLOCKS) {
    throw fail(`the PEM has more than ${MAX_PEM_BLOCKS} blocks`);
  }
  const keys = new Map<string, KeyObject>();
  let blocks = 0;
  for (const match of text.matchAll(PEM_BLOCK)) {
    blocks += 1;
    const [, label = '', body = '', endLabel = ''] = match;
    if (label !== endLabel) throw fail(`PEM block "BEGIN ${label}" ends with "END ${endLabel}"`);
    const publicKey = publicKeyFromBlock(label, body, fail);
    keys.set(spkiFingerprint(publicKey), publicKey);
  }
  if (blocks === 0) throw fail('no PEM block found (expected "-----BEGIN PUBLIC KEY-----" or a certificate)');
  if (keys.size > 1) {
    throw fail(`the PEM holds ${keys.size} different public keys; give exactly one key per entry`);
  }
  const [[fingerprint, publicKey]] = [...keys.entries()] as [[string, KeyObject]];
  const unsupported = unsupportedKeyReason(publicKey);
  if (unsupported !== undefined) throw fail(unsupported);
  return { publicKey, fingerprint };
}

function publicKeyFromBlock(label: string, body: string, fail: (what: string) => Error): KeyObject {
  if (/^\s*Proc-Type:.*ENCRYPTED/m.test(body)) throw fail(`the ${label} block is encrypted`);
  if (/^[^\s:]+:/m.test(body)) throw fail(`the ${label} block has PEM headers, which are not supported`);
  const base64 = body.replace(/\s+/g, '');
  if (base64 === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    throw fail(`the ${label} block is not valid base64`);
  }
  const der = Buffer.from(base64, 'base64');
  try {
    switch (label) {
      case 'PUBLIC KEY':
        return createPublicKey({ key: der, format: 'der', type: 'spki' });
      case 'RSA PUBLIC KEY':
        return createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
      case 'CERTIFICATE':
        return new X509Certificate(der).publicKey;
      default:
        break;
    }
  } catch (e) {
    throw fail(`the ${label} block cannot be parsed (${e instanceof Error ? e.message : String(e)})`);
  }
  throw fail(`unsupported PEM block "${label}" (expected ${PEM_PUBLIC_KEY_LABELS.join(', ')})`);
}
