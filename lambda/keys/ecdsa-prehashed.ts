import type { KeyObject } from 'node:crypto';
import { NIST_CURVES, type PrimeCurve } from './ecdsa-curves';

/**
 * ECDSA verification of an already-computed message digest (FIPS 186-4 6.4.2). Node's crypto.verify
 * always hashes its input, so a signature known only by the digest it signs (a Sigstore bundle's
 * messageSignature bound to an image digest) needs this. Only public values are involved, so
 * variable-time BigInt arithmetic is acceptable. Tested against node:crypto as the oracle.
 */
export function ecdsaVerifyDigest(publicKey: KeyObject, digest: Buffer, derSignature: Buffer): boolean {
  const curve = NIST_CURVES[publicKey.asymmetricKeyDetails?.namedCurve ?? ''];
  if (publicKey.asymmetricKeyType !== 'ec' || curve === undefined || digest.length === 0) return false;
  const rs = parseDerSignature(derSignature);
  if (rs === undefined) return false;
  const [r, s] = rs;
  const { n } = curve;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const q = publicPoint(publicKey, curve);
  if (q === undefined) return false;

  const nBits = n.toString(2).length;
  let e = bytesToBigInt(digest);
  const digestBits = digest.length * 8;
  if (digestBits > nBits) e >>= BigInt(digestBits - nBits);
  const w = modPow(s, n - 2n, n);
  const u1 = mod(e * w, n);
  const u2 = mod(r * w, n);
  const sum = add(curve, multiply(curve, u1, { x: curve.gx, y: curve.gy, z: 1n }), multiply(curve, u2, q));
  const affine = toAffine(curve, sum);
  return affine !== undefined && mod(affine.x, n) === r;
}

interface Jacobian {
  x: bigint;
  y: bigint;
  z: bigint;
}

const INFINITY: Jacobian = { x: 1n, y: 1n, z: 0n };

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function modPow(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

function bytesToBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

function double(c: PrimeCurve, pt: Jacobian): Jacobian {
  const { p } = c;
  if (pt.z === 0n || pt.y === 0n) return INFINITY;
  // dbl-2001-b for a = -3.
  const delta = mod(pt.z * pt.z, p);
  const gamma = mod(pt.y * pt.y, p);
  const beta = mod(pt.x * gamma, p);
  const alpha = mod(3n * (pt.x - delta) * (pt.x + delta), p);
  const x = mod(alpha * alpha - 8n * beta, p);
  const z = mod((pt.y + pt.z) * (pt.y + pt.z) - gamma - delta, p);
  const y = mod(alpha * (4n * beta - x) - 8n * gamma * gamma, p);
  return { x, y, z };
}

function add(c: PrimeCurve, a: Jacobian, b: Jacobian): Jacobian {
  const { p } = c;
  if (a.z === 0n) return b;
  if (b.z === 0n) return a;
  const z1z1 = mod(a.z * a.z, p);
  const z2z2 = mod(b.z * b.z, p);
  const u1 = mod(a.x * z2z2, p);
  const u2 = mod(b.x * z1z1, p);
  const s1 = mod(a.y * b.z * z2z2, p);
  const s2 = mod(b.y * a.z * z1z1, p);
  if (u1 === u2) return s1 === s2 ? double(c, a) : INFINITY;
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const h2 = mod(h * h, p);
  const h3 = mod(h * h2, p);
  const u1h2 = mod(u1 * h2, p);
  const x = mod(r * r - h3 - 2n * u1h2, p);
  const y = mod(r * (u1h2 - x) - s1 * h3, p);
  const z = mod(h * a.z * b.z, p);
  return { x, y, z };
}

function multiply(c: PrimeCurve, k: bigint, pt: Jacobian): Jacobian {
  let result = INFINITY;
  for (const bit of k.toString(2)) {
    result = double(c, result);
    if (bit === '1') result = add(c, result, pt);
  }
  return result;
}

function toAffine(c: PrimeCurve, pt: Jacobian): { x: bigint; y: bigint } | undefined {
  if (pt.z === 0n) return undefined;
  const zInv = modPow(pt.z, c.p - 2n, c.p);
  const zInv2 = mod(zInv * zInv, c.p);
  return { x: mod(pt.x * zInv2, c.p), y: mod(pt.y * zInv2 * zInv, c.p) };
}

/** The key's point, checked to lie on the curve. */
function publicPoint(publicKey: KeyObject, c: PrimeCurve): Jacobian | undefined {
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return undefined;
  const x = bytesToBigInt(Buffer.from(jwk.x, 'base64url'));
  const y = bytesToBigInt(Buffer.from(jwk.y, 'base64url'));
  if (x >= c.p || y >= c.p) return undefined;
  if (mod(y * y - (x * x * x - 3n * x + c.b), c.p) !== 0n) return undefined;
  return { x, y, z: 1n };
}

/** Strict DER `SEQUENCE { INTEGER r, INTEGER s }`; undefined for anything else. */
export function parseDerSignature(der: Buffer): [bigint, bigint] | undefined {
  if (der.length < 8 || der[0] !== 0x30) return undefined;
  const seq = readLength(der, 1);
  if (seq === undefined || seq.offset + seq.length !== der.length) return undefined;
  const r = readInteger(der, seq.offset);
  if (r === undefined) return undefined;
  const s = readInteger(der, r.next);
  if (s === undefined || s.next !== der.length) return undefined;
  return [r.value, s.value];
}

function readLength(buf: Buffer, at: number): { length: number; offset: number } | undefined {
  const first = buf[at];
  if (first === undefined) return undefined;
  if (first < 0x80) return { length: first, offset: at + 1 };
  if (first === 0x81) {
    const len = buf[at + 1];
    if (len === undefined || len < 0x80) return undefined; // long form only when needed
    return { length: len, offset: at + 2 };
  }
  return undefined; // ECDSA signatures on these curves are always < 256 bytes
}

function readInteger(buf: Buffer, at: number): { value: bigint; next: number } | undefined {
  if (buf[at] !== 0x02) return undefined;
  const len = readLength(buf, at + 1);
  if (len === undefined || len.length === 0 || len.offset + len.length > buf.length) return undefined;
  const bytes = buf.subarray(len.offset, len.offset + len.length);
  const b0 = bytes[0] ?? 0;
  if (b0 & 0x80) return undefined; // negative
  if (b0 === 0 && bytes.length > 1 && ((bytes[1] ?? 0) & 0x80) === 0) return undefined; // non-minimal
  return { value: bytesToBigInt(Buffer.from(bytes)), next: len.offset + len.length };
}
