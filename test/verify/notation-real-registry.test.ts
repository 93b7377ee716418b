/**
 * Real Notation signatures (notation's own e2e OCI layout: one image, two signatures, a stale
 * referrers-tag index) pushed byte-for-byte into a real registry, found by the guard's discovery and
 * verified by the real envelope verifier, with and without the referrers API.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { NotationVerifier } from '../../lambda/notation/types';
import { ReasonCode } from '../../lambda/reasons';
import { ImageVerifier } from '../../lambda/verify/image-verifier';
import { clientFor } from '../registry/client-for';
import {
  pushBlob,
  pushManifest,
  startReferrersFront,
  startRegistry,
  type ReferrersFront,
  type RegistryEndpoint,
  type StartedRegistry,
} from '../support/registry';
import { refOf } from './support';

const VECTOR = path.join(__dirname, '..', 'fixtures', 'notation-real', 'registry-layout-multiple-signatures');
const LAYOUT = path.join(VECTOR, 'oci-layout');
const IMAGE = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const INDEX = 'sha256:13e107e0dd246f07ff18998a3d39e226965c41477a1bc1765f7617632ff3f283';
/** Signature #1 (e2e key, valid to 2122; listed in the stale tag index) and #2 (legacy form, expired cert). */
const SIG_E2E = 'sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f';
const SIG_LEGACY = 'sha256:c3ebe4a20b6832328fc5078a7795ddc1114b896e13fca2add38109c3866b5fbf';
const BLOBS = [
  'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  'sha256:6de5fe1f75e4b1094c98086f403d5fd8117776ebe5aad1609281403d13dea070',
  'sha256:c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50',
  'sha256:a54333638acfa773a6b25429ee409b558d39c6f3c45dd14f714d72452bc36481',
];
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

const blob = (digest: string): Buffer => readFileSync(path.join(LAYOUT, 'blobs', 'sha256', digest.slice(7)));
const der = (file: string): Buffer => new X509Certificate(readFileSync(path.join(VECTOR, file))).raw;

const trusting = (anchor: Buffer): NotationVerifier => ({
  kind: 'x509',
  name: 'e2e',
  trustStores: [{ type: 'ca', name: 'e2e', certificates: [anchor] }],
  trustedIdentities: ['*'],
  verifyTimestamp: 'always',
});

let registry: StartedRegistry;
let front: ReferrersFront;
let counter = 0;

beforeAll(async () => {
  registry = await startRegistry();
  front = await startReferrersFront(registry);
});
afterAll(async () => {
  await front?.stop();
  await registry?.stop();
});

/** The layout as notation's e2e suite loads it: blobs, the image (tag v1), both signatures, the tag index. */
async function pushLayout(endpoint: RegistryEndpoint): Promise<string> {
  const repo = `notation-real/multi-${++counter}`;
  for (const digest of BLOBS) await pushBlob(endpoint, repo, blob(digest));
  await pushManifest(endpoint, repo, 'v1', blob(IMAGE), OCI_MANIFEST);
  await pushManifest(endpoint, repo, SIG_E2E, blob(SIG_E2E), OCI_MANIFEST);
  await pushManifest(endpoint, repo, SIG_LEGACY, blob(SIG_LEGACY), OCI_MANIFEST);
  await pushManifest(endpoint, repo, `sha256-${IMAGE.slice(7)}`, blob(INDEX), OCI_INDEX);
  return repo;
}

const options = (signer: NotationVerifier) => ({
  keys: [],
  notation: [signer],
  tlog: { mode: 'ignore' as const, rekorKeys: [] },
});

describe('notation e2e layout (two real signatures, a stale referrers-tag index) through a real registry', () => {
  it('without the referrers API: the tag index lists signature #1 only, and it verifies with the e2e anchor', async () => {
    const repo = await pushLayout(registry);
    const verdict = await new ImageVerifier({ registry: clientFor(registry) }).verify(
      refOf(registry, repo, IMAGE),
      options(trusting(der('trust-anchor-e2e.pem'))),
    );
    expect(verdict).toMatchObject({ verified: true, reason: ReasonCode.VERIFIED, verifiedKeys: ['e2e'] });
    expect(verdict.signatures.map((s) => [s.artifact, s.format, s.ok])).toEqual([
      [SIG_E2E, 'notation-jws', true],
    ]);
  });

  it('with the referrers API: both signatures are read, the legacy-form one fails, the first that passes wins', async () => {
    const repo = await pushLayout(front);
    const verdict = await new ImageVerifier({ registry: clientFor(front) }).verify(
      refOf(front, repo, IMAGE),
      options(trusting(der('trust-anchor-e2e.pem'))),
    );
    expect(verdict).toMatchObject({ verified: true, verifiedKeys: ['e2e'] });
    const byArtifact = new Map(verdict.signatures.map((s) => [s.artifact, s]));
    expect(byArtifact.get(SIG_E2E)).toMatchObject({ format: 'notation-jws', ok: true });
    // testcert11 is not in the e2e store (and its certificate expired in 2025).
    expect(byArtifact.get(SIG_LEGACY)).toMatchObject({
      format: 'notation-jws',
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
    });
  });

  it('another trust anchor: both signatures are found, none verifies, and the verdict is a denial, not an error', async () => {
    const repo = await pushLayout(front);
    const other = der('../neg-jws-wrong-trust-anchor/trust-anchor.pem');
    const verdict = await new ImageVerifier({ registry: clientFor(front) }).verify(
      refOf(front, repo, IMAGE),
      options(trusting(other)),
    );
    expect(verdict).toMatchObject({ verified: false, error: false, reason: ReasonCode.SIGNATURE_INVALID });
    expect(verdict.signatures).toHaveLength(2);
    expect(verdict.signatures.every((s) => !s.ok)).toBe(true);
  });
});
