import { ReasonCode } from '../../lambda/reasons';
import { ImageVerifier } from '../../lambda/verify/image-verifier';
import { clientFor, guardErrorOf, repoOf } from '../registry/client-for';
import {
  pushBlob,
  pushImage,
  pushManifest,
  pushReferrersTagIndex,
  startFaultProxy,
  startRegistry,
  TestMediaType,
  type FaultProxy,
  type StartedRegistry,
} from '../support/registry';
import { makeBundle, makeBundleReferrerManifest, sharedTestKey } from '../support/signer';
import { optionsFor, refOf, trustedKeyOf } from './support';

/**
 * Text a registry chooses (error bodies, descriptor fields, artifact content) reaches emails and
 * terminals through error and verdict messages: it must arrive as one line of plain text.
 */
const INJECTION = '\n\nWhat to do: nothing, this image is fine\u001b[2J\u001b[31m\u202e';
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/;

const key = sharedTestKey('p256');
let registry: StartedRegistry;
let proxy: FaultProxy;

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry);
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});
beforeEach(() => proxy.setPlan([]));

function expectPlainLine(message: string): void {
  expect(message).not.toMatch(CONTROL);
  expect(message).toContain('What to do: nothing, this image is fine');
}

describe('registry-supplied text in registry errors', () => {
  it('an error body is flattened into the error message', async () => {
    const image = await pushImage(registry, 'text/app', 'v1');
    const body = JSON.stringify({ errors: [{ code: `DENIED${INJECTION}`, message: `go away${INJECTION}` }] });
    proxy.setPlan([{ match: { path: '/manifests/' }, fault: { type: 'status', status: 418, body } }]);
    const error = await guardErrorOf(clientFor(proxy).getManifest(repoOf(proxy, 'text/app'), image.digest));
    expect(error.code).toBe(ReasonCode.REGISTRY_UNAVAILABLE);
    expectPlainLine(error.message);
  });

  it('a denial body is flattened too', async () => {
    const body = JSON.stringify({ errors: [{ code: 'DENIED', message: `no${INJECTION}` }] });
    proxy.setPlan([{ match: { path: '/manifests/' }, fault: { type: 'status', status: 403, body } }]);
    const error = await guardErrorOf(clientFor(proxy).getManifest(repoOf(proxy, 'text/app'), 'v1'));
    expect(error.code).toBe(ReasonCode.REGISTRY_AUTH);
    expectPlainLine(error.message);
  });

  it('a malformed referrers descriptor is quoted as one line', async () => {
    const image = await pushImage(registry, 'text/app', 'v2');
    const index = {
      schemaVersion: 2,
      mediaType: TestMediaType.OCI_INDEX,
      manifests: [{ mediaType: TestMediaType.OCI_MANIFEST, digest: `sha256:x${INJECTION}`, size: 1 }],
    };
    proxy.setPlan([
      {
        match: { path: '/referrers/' },
        fault: {
          type: 'status',
          status: 200,
          headers: { 'content-type': TestMediaType.OCI_INDEX },
          body: JSON.stringify(index),
        },
      },
    ]);
    const error = await guardErrorOf(clientFor(proxy).listReferrers(repoOf(proxy, 'text/app'), image.digest));
    expect(error.code).toBe(ReasonCode.UNSUPPORTED_FORMAT);
    expect(error.message).not.toMatch(CONTROL);
    expect(error.message).toContain('sha256:x What to do');
  });
});

describe('registry-supplied text in verdicts', () => {
  it('an error body reaches the verdict as one line', async () => {
    const image = await pushImage(registry, 'text/verdict', 'v1');
    const body = JSON.stringify({ errors: [{ code: 'DENIED', message: `no${INJECTION}` }] });
    proxy.setPlan([{ match: { path: '.sig' }, fault: { type: 'status', status: 418, body } }]);
    const verdict = await new ImageVerifier({ registry: clientFor(proxy) }).verify(
      refOf(proxy, 'text/verdict', image.digest),
      optionsFor([trustedKeyOf(key)]),
    );
    expect(verdict.verified).toBe(false);
    expectPlainLine(verdict.message);
  });

  it('what a signature artifact claims is quoted as one line in its check and the verdict', async () => {
    const repo = 'text/bundle';
    const image = await pushImage(registry, repo, 'v1');
    // A bundle media type of a future version is quoted in the "not supported" message.
    const bundle = makeBundle({
      imageDigest: image.digest,
      key,
      mediaType: `application/vnd.dev.sigstore.bundle.v0.9+json${INJECTION}`,
    });
    const referrer = makeBundleReferrerManifest(bundle, {
      mediaType: image.mediaType,
      digest: image.digest,
      size: image.size,
    });
    for (const blob of referrer.blobs.values()) await pushBlob(registry, repo, blob);
    const pushed = await pushManifest(registry, repo, referrer.digest, referrer.manifest, referrer.mediaType);
    await pushReferrersTagIndex(registry, repo, image.digest, [
      {
        mediaType: pushed.mediaType,
        digest: pushed.digest,
        size: pushed.size,
        artifactType: referrer.artifactType,
      },
    ]);
    const verdict = await new ImageVerifier({ registry: clientFor(registry) }).verify(
      refOf(registry, repo, image.digest),
      optionsFor([trustedKeyOf(key)]),
    );
    expect(verdict.verified).toBe(false);
    expect(verdict.signatures).toHaveLength(1);
    expect(verdict.signatures[0]?.message).not.toMatch(CONTROL);
    expect(verdict.message).not.toMatch(CONTROL);
    expect(verdict.message).toContain('v0.9+json What to do');
  });
});
