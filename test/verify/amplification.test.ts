import { ReasonCode } from '../../lambda/reasons';
import type { BudgetUsage } from '../../lambda/registry/budget';
import { ImageVerifier } from '../../lambda/verify/image-verifier';
import { DEFAULT_VERIFY_LIMITS, type VerifyLimits } from '../../lambda/verify/limits';
import {
  pushImage,
  startAmplifyingFront,
  startRegistry,
  type AmplifyingFront,
  type AmplifyingFrontOptions,
  type StartedRegistry,
} from '../support/registry';
import { sharedTestKey } from '../support/signer';
import { clientFor } from '../registry/client-for';
import { optionsFor, pushBundleSigned, pushLegacySigned, refOf, trustedKeyOf } from './support';

const key = sharedTestKey('p256');
const options = optionsFor([trustedKeyOf(key)]);
const KiB = 1024;

let registry: StartedRegistry;
const fronts: AmplifyingFront[] = [];
let imageCounter = 0;

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  for (const front of fronts) await front.stop();
  await registry?.stop();
});

/** An unsigned image in the registry, served through a new amplifying front. */
async function amplified(frontOptions: AmplifyingFrontOptions) {
  const front = await startAmplifyingFront(registry, frontOptions);
  fronts.push(front);
  const repo = 'hostile/app';
  const image = await pushImage(registry, repo, `v${++imageCounter}`);
  front.amplify(repo, image);
  return { front, ref: refOf(front, repo, image.digest) };
}

function withinLimits(usage: BudgetUsage | undefined, limits: VerifyLimits): void {
  expect(usage).toBeDefined();
  const u = usage as BudgetUsage;
  expect(u.requests).toBeLessThanOrEqual(limits.maxRequests);
  expect(u.manifests).toBeLessThanOrEqual(limits.maxManifests);
  expect(u.layers).toBeLessThanOrEqual(limits.maxLayers);
  expect(u.bytes).toBeLessThanOrEqual(limits.maxBytes);
}

describe('a registry that amplifies one verification', () => {
  it("the issue's case (one manifest listed 50 times, 100 one-MiB layers) reads the manifest once and no payload", async () => {
    const { front, ref } = await amplified({
      manifests: 1,
      copies: 50,
      layersPerManifest: 100,
      layerBytes: 1024 * KiB,
    });
    const client = clientFor(front);
    const verdict = await new ImageVerifier({ registry: client }).verify(ref, options);

    expect(verdict).toMatchObject({ verified: false, error: false, reason: ReasonCode.LIMIT_EXCEEDED });
    expect(verdict.message).toContain('over the 262144-byte limit');
    // Listed 50 times, read once; a 1 MiB payload is over the simple-signing cap, so never asked for.
    expect(front.served).toMatchObject({ referrers: 1, manifests: 1, blobs: 0 });
    // `.sig` tag (404), the referrers page, the one signature manifest.
    expect(client.stats.total).toBe(3);
    expect(verdict.usage?.requests).toBe(3);
    withinLimits(verdict.usage, DEFAULT_VERIFY_LIMITS);
  });

  it('50 distinct manifests of 100 payloads under the cap end within the default budget, as LIMIT_EXCEEDED', async () => {
    const { front, ref } = await amplified({
      manifests: 50,
      copies: 1,
      layersPerManifest: 100,
      layerBytes: 64 * KiB,
    });
    const client = clientFor(front);
    const verdict = await new ImageVerifier({ registry: client }).verify(ref, options);

    expect(verdict).toMatchObject({ verified: false, error: false, reason: ReasonCode.LIMIT_EXCEEDED });
    expect(verdict.message).toContain('verification budget');
    withinLimits(verdict.usage, DEFAULT_VERIFY_LIMITS);
    // What the registry actually delivered stays within the budget too (5,000 payloads were on offer).
    expect(front.requests.length).toBeLessThanOrEqual(DEFAULT_VERIFY_LIMITS.maxRequests);
    expect(front.served.blobs).toBeLessThanOrEqual(DEFAULT_VERIFY_LIMITS.maxLayers);
    expect(front.served.bytes).toBeLessThanOrEqual(DEFAULT_VERIFY_LIMITS.maxBytes);
    expect(client.stats.total).toBe(verdict.usage?.requests);
  });

  // Each dimension alone must stop the verification: the others are set out of reach.
  const UNBOUNDED = { maxRequests: 1e6, maxManifests: 1e6, maxLayers: 1e6, maxBytes: 1e12 };
  it.each([
    ['requests', { maxRequests: 20 }],
    ['manifests', { maxManifests: 5 }],
    ['layers', { maxLayers: 30 }],
    ['bytes', { maxBytes: 1024 * KiB }],
  ] as const)('a budget of %s alone ends it exactly at its limit', async (dimension, limit) => {
    const { front, ref } = await amplified({
      manifests: 50,
      copies: 1,
      layersPerManifest: 100,
      layerBytes: 64 * KiB,
    });
    const client = clientFor(front);
    const limits = { ...DEFAULT_VERIFY_LIMITS, ...UNBOUNDED, ...limit };
    const verdict = await new ImageVerifier({ registry: client, limits }).verify(ref, options);

    expect(verdict).toMatchObject({ verified: false, error: false, reason: ReasonCode.LIMIT_EXCEEDED });
    expect(verdict.message).toContain(`budget of ${Object.values(limit)[0]} ${dimension}`);
    withinLimits(verdict.usage, limits);
    // Every request the client sent reached the front, and none beyond the budget.
    expect(front.requests.length).toBe(verdict.usage?.requests);
    if (dimension === 'bytes') {
      // Payloads are paid for before they are asked for: the 17th 64 KiB payload is never requested.
      expect(front.served.blobs).toBeLessThanOrEqual(16);
    } else {
      expect(verdict.usage?.[dimension]).toBe(Object.values(limit)[0]);
    }
  });
});

describe('a normal image stays far inside the budget', () => {
  it('legacy signature: 4 requests, verified', async () => {
    const image = await pushLegacySigned(registry, 'normal/legacy', 'v1', key);
    const client = clientFor(registry);
    const verdict = await new ImageVerifier({ registry: client }).verify(
      refOf(registry, 'normal/legacy', image.digest),
      options,
    );
    expect(verdict).toMatchObject({ verified: true, reason: ReasonCode.VERIFIED });
    expect(client.stats.total).toBe(4);
    expect(verdict.usage).toMatchObject({ requests: 4, layers: 1 });
  });

  it('bundle through the referrers tag: 5 requests, verified', async () => {
    const image = await pushBundleSigned(registry, 'normal/bundle', 'v1', key);
    const client = clientFor(registry);
    const verdict = await new ImageVerifier({ registry: client }).verify(
      refOf(registry, 'normal/bundle', image.digest),
      options,
    );
    expect(verdict).toMatchObject({ verified: true, reason: ReasonCode.VERIFIED });
    expect(client.stats.total).toBe(5);
    expect(verdict.usage).toMatchObject({ requests: 5, layers: 1 });
  });
});
