import { VerdictCache } from '../../lambda/cache/verdict-cache';
import type { TlogMode } from '../../lambda/cosign/types';
import { parsePemKey } from '../../lambda/keys/pem-key';
import type { TrustedKey } from '../../lambda/keys/types';
import { ReasonCode } from '../../lambda/reasons';
import type { ImageReference } from '../../lambda/reference/types';
import { ImageVerifier, verdictKey } from '../../lambda/verify/image-verifier';
import type { VerifyOptions } from '../../lambda/verify/types';
import { clientFor } from '../registry/client-for';
import { startRegistry, type StartedRegistry } from '../support/registry';
import { generateTestKey, generateTestRekorKey, sharedTestKey } from '../support/signer';
import { pushLegacySigned, refOf } from './support';

/**
 * A cached verdict may only answer the exact question it was computed for: everything that can
 * change the answer is part of the key. Each case below changes one thing and must miss.
 */
const keyA = sharedTestKey('p256');
const keyB = generateTestKey('p256');
const rekor = generateTestRekorKey();
const otherRekor = generateTestRekorKey();
const DIGEST = `sha256:${'a'.repeat(64)}`;

function pem(name: string, hashAlgorithm?: 'sha256' | 'sha512', key = keyA): TrustedKey {
  return parsePemKey({
    name,
    pem: key.publicKeyPem,
    source: 'test',
    ...(hashAlgorithm ? { hashAlgorithm } : {}),
  });
}

const ref: ImageReference = { registry: 'registry.example.com', repository: 'team/app', tag: 'v1' };
const base: VerifyOptions = {
  keys: [pem('a')],
  tlog: { mode: 'verify-if-present', rekorKeys: [rekor.rekorKey] },
  policySha256: 'p'.repeat(64),
};

describe('verdictKey', () => {
  const variants: Array<[string, ImageReference, string, VerifyOptions]> = [
    ['another registry', { ...ref, registry: 'mirror.example.com' }, DIGEST, base],
    ['another repository', { ...ref, repository: 'team/other' }, DIGEST, base],
    ['another digest', ref, `sha256:${'b'.repeat(64)}`, base],
    ['another transparency-log mode', ref, DIGEST, { ...base, tlog: { ...base.tlog, mode: 'required' } }],
    ['an added key', ref, DIGEST, { ...base, keys: [pem('a'), pem('b', undefined, keyB)] }],
    ['another key under the same name', ref, DIGEST, { ...base, keys: [pem('a', undefined, keyB)] }],
    ['the same key under another name', ref, DIGEST, { ...base, keys: [pem('renamed')] }],
    ['another hash algorithm for the key', ref, DIGEST, { ...base, keys: [pem('a', 'sha512')] }],
    ['other Rekor keys', ref, DIGEST, { ...base, tlog: { ...base.tlog, rekorKeys: [otherRekor.rekorKey] } }],
    ['no Rekor keys', ref, DIGEST, { ...base, tlog: { ...base.tlog, rekorKeys: [] } }],
    ['another policy', ref, DIGEST, { ...base, policySha256: 'q'.repeat(64) }],
    ['no policy hash', ref, DIGEST, { ...base, policySha256: undefined }],
  ];

  it.each(variants)('differs for %s', (_what, otherRef, digest, options) => {
    expect(verdictKey(otherRef, digest, options)).not.toBe(verdictKey(ref, DIGEST, base));
  });

  it('is the same for the same question, whatever the order of keys and the tag', () => {
    const two = { ...base, keys: [pem('a'), pem('b', undefined, keyB)] };
    const swapped = { ...base, keys: [pem('b', undefined, keyB), pem('a')] };
    expect(verdictKey(ref, DIGEST, two)).toBe(verdictKey(ref, DIGEST, swapped));
    expect(verdictKey({ ...ref, tag: 'v2' }, DIGEST, base)).toBe(verdictKey(ref, DIGEST, base));
  });
});

describe('a cached verdict is never reused for a different question (real registry)', () => {
  let registry: StartedRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => registry?.stop());

  async function cachedVerifier() {
    const client = clientFor(registry);
    return { client, verifier: new ImageVerifier({ registry: client, cache: new VerdictCache() }) };
  }
  function options(
    keys: TrustedKey[],
    mode: TlogMode,
    rekorKeys = [rekor.rekorKey],
    policy = 'p',
  ): VerifyOptions {
    return { keys, tlog: { mode, rekorKeys }, policySha256: policy.repeat(64) };
  }

  it('a verdict without a log entry under verify-if-present does not answer tlog: required', async () => {
    const image = await pushLegacySigned(registry, 'cache/tlog', 'v1', keyA);
    const { verifier } = await cachedVerifier();
    const at = refOf(registry, 'cache/tlog', image.digest);
    expect(await verifier.verify(at, options([pem('a')], 'verify-if-present'))).toMatchObject({
      verified: true,
      cached: false,
    });
    expect(await verifier.verify(at, options([pem('a')], 'required'))).toMatchObject({
      verified: false,
      reason: ReasonCode.TLOG_MISSING,
      cached: false,
    });
  });

  it('a verdict for one key set does not answer another', async () => {
    const image = await pushLegacySigned(registry, 'cache/keys', 'v1', keyA);
    const { verifier } = await cachedVerifier();
    const at = refOf(registry, 'cache/keys', image.digest);
    expect(await verifier.verify(at, options([pem('a')], 'ignore'))).toMatchObject({ verified: true });
    expect(await verifier.verify(at, options([pem('a', undefined, keyB)], 'ignore'))).toMatchObject({
      verified: false,
      reason: ReasonCode.SIGNATURE_INVALID,
      cached: false,
    });
  });

  it('a verdict for one hash algorithm does not answer another', async () => {
    const image = await pushLegacySigned(registry, 'cache/hash', 'v1', keyA);
    const { verifier } = await cachedVerifier();
    const at = refOf(registry, 'cache/hash', image.digest);
    expect(await verifier.verify(at, options([pem('a', 'sha256')], 'ignore'))).toMatchObject({
      verified: true,
    });
    expect(await verifier.verify(at, options([pem('a', 'sha512')], 'ignore'))).toMatchObject({
      verified: false,
      reason: ReasonCode.SIGNATURE_INVALID,
      cached: false,
    });
  });

  it('a verdict under one set of Rekor keys does not answer another', async () => {
    const image = await pushLegacySigned(registry, 'cache/rekor', 'v1', keyA, {
      rekor: { testRekorKey: rekor },
    });
    const { verifier } = await cachedVerifier();
    const at = refOf(registry, 'cache/rekor', image.digest);
    expect(await verifier.verify(at, options([pem('a')], 'required'))).toMatchObject({ verified: true });
    const other = await verifier.verify(at, options([pem('a')], 'required', [otherRekor.rekorKey]));
    expect(other).toMatchObject({ verified: false, cached: false });
    expect(other.reason).toBe(ReasonCode.TLOG_INVALID);
  });

  it('a verdict under one policy is not reused under another (the registry is asked again)', async () => {
    const image = await pushLegacySigned(registry, 'cache/policy', 'v1', keyA);
    const { client, verifier } = await cachedVerifier();
    const at = refOf(registry, 'cache/policy', image.digest);
    expect(await verifier.verify(at, options([pem('a')], 'ignore', [], 'p'))).toMatchObject({
      verified: true,
    });
    expect(await verifier.verify(at, options([pem('a')], 'ignore', [], 'p'))).toMatchObject({ cached: true });
    const before = client.stats.total;
    expect(await verifier.verify(at, options([pem('a')], 'ignore', [], 'q'))).toMatchObject({
      verified: true,
      cached: false,
    });
    expect(client.stats.total).toBeGreaterThan(before);
  });
});
