/**
 * Notation signatures through a real registry (distribution 2.8.2, with and without the referrers
 * API front): found in the same listing as cosign's, both manifest forms, read within the limits,
 * the image's own descriptor handed to the envelope verifier, AWS Signer revocation asked through
 * the real checker (aws-sdk-client-mock answering like the API).
 */
import { GetRevocationStatusCommand, SignerClient } from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import type { NotationVerifier } from '../../lambda/notation/types';
import { ReasonCode } from '../../lambda/reasons';
import type { ImageReference } from '../../lambda/reference/types';
import type { RegistryClient } from '../../lambda/registry/client';
import type { RegistryReader } from '../../lambda/registry/types';
import { AwsSignerRevocationChecker } from '../../lambda/signer/revocation-checker';
import { ImageVerifier } from '../../lambda/verify/image-verifier';
import { DEFAULT_VERIFY_LIMITS } from '../../lambda/verify/limits';
import type { VerifyOptions } from '../../lambda/verify/types';
import { clientFor } from '../registry/client-for';
import {
  pushArtifact,
  pushBlob,
  pushImage,
  pushManifest,
  pushReferrersTagIndex,
  sha256Digest,
  startReferrersFront,
  startRegistry,
  type PushedManifest,
  type ReferrersFront,
  type RegistryEndpoint,
  type StartedRegistry,
} from '../support/registry';
import { makeBundle, makeBundleReferrerManifest, sharedTestKey } from '../support/signer';
import {
  awsSigner,
  COSE,
  envelopeFor,
  envelopeVerifierDouble,
  JOB,
  pushNotationSignature,
  x509Signer,
  type EnvelopeVerifierDouble,
} from './notation-support';
import { optionsFor, refOf, trustedKeyOf } from './support';

const signerApi = mockClient(SignerClient);
const key = sharedTestKey('p256');
const cosignKey = trustedKeyOf(key, 'ci');
const NOW = new Date('2026-11-30T07:00:00Z');

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
beforeEach(() => {
  signerApi.reset();
  signerApi
    .on(GetRevocationStatusCommand)
    .resolves({ $metadata: { httpStatusCode: 200 }, revokedEntities: [] });
});

function revocationChecker() {
  return new AwsSignerRevocationChecker({
    client: new SignerClient({
      region: 'us-west-2',
      credentials: { accessKeyId: 'A', secretAccessKey: 'B' },
    }),
    retry: { attempts: 2, sleep: async () => undefined },
  });
}

function notationOptions(signers: NotationVerifier[], keys = [cosignKey]): VerifyOptions {
  return { ...optionsFor(keys), notation: signers, revocation: revocationChecker() };
}

function verifierFor(client: RegistryClient, double: EnvelopeVerifierDouble, limits = {}) {
  return new ImageVerifier({
    registry: client,
    notationVerifier: double.verify,
    currentTime: () => NOW,
    limits,
  });
}

/** A cosign v3 bundle for `image`, pushed by digest; its listing descriptor. */
async function pushCosignBundle(endpoint: RegistryEndpoint, repo: string, image: PushedManifest) {
  const referrer = makeBundleReferrerManifest(makeBundle({ imageDigest: image.digest, key }), image);
  const pushed = await pushArtifact(endpoint, repo, referrer.digest, referrer);
  return {
    mediaType: pushed.mediaType,
    digest: pushed.digest,
    size: pushed.size,
    artifactType: referrer.artifactType,
  };
}

/** A new repository with one image (tag `v1`). */
async function newImage(endpoint: RegistryEndpoint = registry) {
  const repo = `notation/app${++counter}`;
  const image = await pushImage(endpoint, repo, 'v1');
  return { repo, image };
}

const byTag = (endpoint: RegistryEndpoint, repo: string): ImageReference =>
  ({ registry: endpoint.host, repository: repo, tag: 'v1' }) as ImageReference;

describe('Notation signatures in the discovery pass', () => {
  it('an AWS Signer signature (artifactType form) in the referrers tag index verifies under its signer name, revocation asked', async () => {
    const { repo, image } = await newImage();
    const sig = await pushNotationSignature(registry, repo, image, envelopeFor(image));
    await pushReferrersTagIndex(registry, repo, image.digest, [sig]);
    const double = envelopeVerifierDouble();

    const verdict = await verifierFor(clientFor(registry), double).verify(
      refOf(registry, repo, image.digest),
      notationOptions([awsSigner()], []),
    );

    expect(verdict).toMatchObject({
      verified: true,
      error: false,
      reason: ReasonCode.VERIFIED,
      verifiedKeys: ['aws-prod'],
    });
    expect(verdict.signatures).toEqual([
      expect.objectContaining({
        format: 'notation-jws',
        artifact: sig.digest,
        key: 'aws-prod',
        ok: true,
        notation: expect.objectContaining({
          verifier: 'aws-prod',
          awsSigner: true,
          revocation: 'not-revoked',
          signingTime: '2026-11-29T10:00:00.000Z',
          expiry: '2029-11-29T10:00:00.000Z',
        }),
      }),
    ]);
    expect(verdict.notation).toEqual({ signers: ['aws-prod'], awsSigner: true, cosign: false });
    // The image's own descriptor, the envelope's layer type, the rule's signers, the injected time.
    expect(double.calls).toHaveLength(1);
    expect(double.calls[0]).toMatchObject({
      target: { mediaType: image.mediaType, digest: image.digest, size: image.size },
      envelopeMediaType: 'application/jose+json',
      now: NOW,
    });
    expect(signerApi.commandCalls(GetRevocationStatusCommand)).toHaveLength(1);
  });

  it('the legacy form (config.mediaType) through the referrers API verifies; an X.509 chain says revocation not checked', async () => {
    const { repo, image } = await newImage(front);
    const envelope = envelopeFor(image, { aws: undefined, subject: 'CN=acme release, O=acme' });
    await pushNotationSignature(front, repo, image, envelope, { form: 'legacy', layerMediaType: COSE });
    const double = envelopeVerifierDouble();

    const verdict = await verifierFor(clientFor(front), double).verify(
      refOf(front, repo, image.digest),
      notationOptions([x509Signer()], []),
    );

    expect(verdict).toMatchObject({ verified: true, verifiedKeys: ['acme-ca'] });
    expect(verdict.signatures[0]).toMatchObject({
      format: 'notation-cose',
      notation: {
        awsSigner: false,
        identity: 'CN=acme release, O=acme',
        revocation: 'not-checked',
        revocationDetail: expect.stringContaining('revocation not checked'),
      },
    });
    expect(signerApi.commandCalls(GetRevocationStatusCommand)).toHaveLength(0);
  });

  describe('an image signed by cosign and by Notation', () => {
    it.each([
      ['the referrers tag index', false],
      ['the referrers API', true],
    ])(
      'costs no listing request beyond cosign discovery, only each artifact’s manifest and blob (%s)',
      async (_via, api) => {
        const endpoint = api ? front : registry;
        // Today's cosign discovery of a bundle-signed image, as the baseline.
        const cosignOnly = await newImage(endpoint);
        const bundleOnly = await pushCosignBundle(endpoint, cosignOnly.repo, cosignOnly.image);
        if (!api)
          await pushReferrersTagIndex(endpoint, cosignOnly.repo, cosignOnly.image.digest, [bundleOnly]);
        const baseline = clientFor(endpoint);
        const cosignVerdict = await new ImageVerifier({ registry: baseline }).verify(
          byTag(endpoint, cosignOnly.repo),
          optionsFor([cosignKey]),
        );
        expect(cosignVerdict).toMatchObject({ verified: true, verifiedKeys: ['ci'] });

        const both = await newImage(endpoint);
        const bundle = await pushCosignBundle(endpoint, both.repo, both.image);
        const sig = await pushNotationSignature(endpoint, both.repo, both.image, envelopeFor(both.image));
        if (!api) await pushReferrersTagIndex(endpoint, both.repo, both.image.digest, [bundle, sig]);
        const client = clientFor(endpoint);
        const verdict = await verifierFor(client, envelopeVerifierDouble()).verify(
          byTag(endpoint, both.repo),
          notationOptions([awsSigner()]),
        );

        expect(verdict).toMatchObject({
          verified: true,
          verifiedKeys: expect.arrayContaining(['ci', 'aws-prod']),
        });
        expect(verdict.verifiedKeys).toHaveLength(2);
        // The tag was resolved: the image's descriptor is known, no request for it.
        expect(client.stats.referrers).toBe(baseline.stats.referrers);
        expect(client.stats.manifest).toBe(baseline.stats.manifest + 1);
        expect(client.stats.blob).toBe(baseline.stats.blob + 1);
        expect(client.stats.total).toBe(baseline.stats.total + 2);
      },
    );

    it('pinned by digest, the target descriptor comes from the signature manifest’s subject: no request for it', async () => {
      const { repo, image } = await newImage();
      const bundle = await pushCosignBundle(registry, repo, image);
      const sigs = [
        await pushNotationSignature(registry, repo, image, envelopeFor(image)),
        await pushNotationSignature(
          registry,
          repo,
          image,
          envelopeFor(image, { signingTime: '2026-11-29T11:00:00.000Z' }),
        ),
      ];
      await pushReferrersTagIndex(registry, repo, image.digest, [bundle, ...sigs]);
      const ref = refOf(registry, repo, image.digest);

      const cosignClient = clientFor(registry);
      await new ImageVerifier({ registry: cosignClient }).verify(ref, optionsFor([cosignKey]));
      const client = clientFor(registry);
      const double = envelopeVerifierDouble();
      const verdict = await verifierFor(client, double).verify(ref, notationOptions([awsSigner()]));

      expect(verdict.verifiedKeys).toEqual(expect.arrayContaining(['ci', 'aws-prod']));
      expect(double.calls).toHaveLength(2);
      expect(double.calls.map((c) => c.target)).toEqual([
        { mediaType: image.mediaType, digest: image.digest, size: image.size },
        { mediaType: image.mediaType, digest: image.digest, size: image.size },
      ]);
      // Each signature's own manifest and blob, nothing else.
      expect(client.stats.manifest).toBe(cosignClient.stats.manifest + 2);
      expect(client.stats.blob).toBe(cosignClient.stats.blob + 2);
      expect(client.stats.referrers).toBe(cosignClient.stats.referrers);
    });
  });

  it('a Notation signature listed twice (and under the cosign type too) is read once', async () => {
    const { repo, image } = await newImage();
    const sig = await pushNotationSignature(registry, repo, image, envelopeFor(image));
    await pushReferrersTagIndex(registry, repo, image.digest, [
      sig,
      sig,
      { ...sig, artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' },
    ]);
    const client = clientFor(registry);
    const double = envelopeVerifierDouble();
    const verdict = await verifierFor(client, double).verify(
      byTag(registry, repo),
      notationOptions([awsSigner()], []),
    );

    expect(verdict.verified).toBe(true);
    expect(verdict.signatures).toHaveLength(1);
    expect(double.calls).toHaveLength(1);
    // Tag, `.sig` tag, referrers tag index, the signature manifest.
    expect(client.stats.manifest).toBe(4);
    expect(client.stats.blob).toBe(1);
  });

  it('a rule that trusts no Notation signer lists Notation signatures but does not read them, and says they are there', async () => {
    const { repo, image } = await newImage();
    const sig = await pushNotationSignature(registry, repo, image, envelopeFor(image));
    await pushReferrersTagIndex(registry, repo, image.digest, [sig]);
    const client = clientFor(registry);
    const double = envelopeVerifierDouble();
    const verdict = await verifierFor(client, double).verify(
      refOf(registry, repo, image.digest),
      optionsFor([cosignKey]),
    );

    expect(verdict).toMatchObject({
      verified: false,
      error: false,
      reason: ReasonCode.NO_SIGNATURES,
      signatures: [],
    });
    expect(verdict.message).toContain(
      '1 Notation signature(s) are present, but the rule trusts no Notation signer',
    );
    expect(verdict.notation).toBeUndefined();
    expect(double.calls).toHaveLength(0);
    // `.sig` tag and the referrers tag index: the signature manifest is never asked for.
    expect(client.stats.manifest).toBe(2);
    expect(client.stats.blob).toBe(0);
  });

  it('an unsigned image under a rule that trusts Notation says neither cosign nor Notation signature was found', async () => {
    const { repo, image } = await newImage();
    const verdict = await verifierFor(clientFor(registry), envelopeVerifierDouble()).verify(
      refOf(registry, repo, image.digest),
      notationOptions([awsSigner()]),
    );
    expect(verdict).toMatchObject({ reason: ReasonCode.NO_SIGNATURES });
    expect(verdict.message).toContain('no cosign or Notation signature found');
  });

  describe('a malformed signature manifest fails alone', () => {
    it.each([
      [
        'two envelope layers',
        { layers: [Buffer.from('a'), Buffer.from('b')] },
        'exactly one envelope layer; this one has 2',
      ],
      ['no layer', { layers: [] }, 'exactly one envelope layer; this one has 0'],
      [
        'a config that is neither form',
        { configMediaType: 'application/vnd.oci.image.config.v1+json' },
        'not a Notation signature manifest',
      ],
    ])('%s: SIGNATURE_MALFORMED, no envelope read', async (_what, options, message) => {
      const { repo, image } = await newImage();
      const bad = await pushNotationSignature(registry, repo, image, envelopeFor(image), options);
      const good = await pushNotationSignature(registry, repo, image, envelopeFor(image));
      await pushReferrersTagIndex(registry, repo, image.digest, [bad, good]);
      const client = clientFor(registry);
      const double = envelopeVerifierDouble();
      const verdict = await verifierFor(client, double).verify(
        refOf(registry, repo, image.digest),
        notationOptions([awsSigner()], []),
      );

      expect(verdict.verified).toBe(true);
      expect(verdict.signatures.find((s) => s.artifact === bad.digest)).toMatchObject({
        format: 'notation',
        ok: false,
        reason: ReasonCode.SIGNATURE_MALFORMED,
        message: expect.stringContaining(message),
      });
      expect(double.calls).toHaveLength(1);
      expect(client.stats.blob).toBe(1);
    });
  });

  it('an envelope over the cap is LIMIT_EXCEEDED and never requested', async () => {
    const { repo, image } = await newImage();
    const sig = await pushNotationSignature(registry, repo, image, envelopeFor(image));
    await pushReferrersTagIndex(registry, repo, image.digest, [sig]);
    const client = clientFor(registry);
    const verdict = await verifierFor(client, envelopeVerifierDouble(), { maxSignatureBlobBytes: 64 }).verify(
      refOf(registry, repo, image.digest),
      notationOptions([awsSigner()], []),
    );
    expect(verdict).toMatchObject({ verified: false, reason: ReasonCode.LIMIT_EXCEEDED });
    expect(verdict.signatures[0]?.message).toContain('over the 64-byte limit');
    expect(client.stats.blob).toBe(0);
  });

  it('the verification budget bounds Notation envelopes like cosign layers', async () => {
    const { repo, image } = await newImage();
    const sigs = [];
    for (let i = 0; i < 3; i++)
      sigs.push(await pushNotationSignature(registry, repo, image, envelopeFor(image, { aws: undefined })));
    await pushReferrersTagIndex(registry, repo, image.digest, sigs);
    const client = clientFor(registry);
    const double = envelopeVerifierDouble();
    const verdict = await verifierFor(client, double, {
      ...DEFAULT_VERIFY_LIMITS,
      maxLayers: 2,
      concurrency: 1,
    }).verify(refOf(registry, repo, image.digest), notationOptions([awsSigner()], []));
    expect(verdict).toMatchObject({ verified: false, error: false, reason: ReasonCode.LIMIT_EXCEEDED });
    expect(verdict.message).toContain('budget of 2 layers');
    expect(verdict.usage?.layers).toBe(2);
    expect(client.stats.blob).toBe(2);
    expect(double.calls).toHaveLength(2);
  });

  it('a signature manifest without a subject (listed in a tag index) is SIGNATURE_MALFORMED, its envelope not read', async () => {
    const { repo, image } = await newImage();
    const sig = await pushNotationSignature(registry, repo, image, envelopeFor(image), {
      withoutSubject: true,
    });
    await pushReferrersTagIndex(registry, repo, image.digest, [sig]);
    const double = envelopeVerifierDouble();
    const verdict = await verifierFor(clientFor(registry), double).verify(
      refOf(registry, repo, image.digest),
      notationOptions([awsSigner()], []),
    );
    expect(verdict).toMatchObject({ verified: false, error: false, reason: ReasonCode.SIGNATURE_MALFORMED });
    expect(verdict.signatures[0]?.message).toContain('no valid subject');
    expect(double.calls).toHaveLength(0);
  });

  it('a signature manifest listed under the image whose subject is another manifest is a DIGEST_MISMATCH, its envelope not read', async () => {
    const { repo, image } = await newImage();
    const other = await pushImage(registry, repo, 'other-subject');
    // Its subject is `other`, but the tag index lists it under `image`.
    const sig = await pushNotationSignature(registry, repo, other, envelopeFor(image));
    await pushReferrersTagIndex(registry, repo, image.digest, [sig]);
    const client = clientFor(registry);
    const double = envelopeVerifierDouble();
    const verdict = await verifierFor(client, double).verify(
      refOf(registry, repo, image.digest),
      notationOptions([awsSigner()], []),
    );
    expect(verdict).toMatchObject({ verified: false, error: false, reason: ReasonCode.DIGEST_MISMATCH });
    expect(verdict.signatures[0]?.message).toContain('not this image');
    expect(double.calls).toHaveLength(0);
    expect(client.stats.blob).toBe(0);
  });

  it('a signature for another image is not accepted (the target is the image’s own descriptor)', async () => {
    const { repo, image } = await newImage();
    const other = await pushImage(registry, repo, 'other');
    const sig = await pushNotationSignature(registry, repo, image, envelopeFor(other));
    await pushReferrersTagIndex(registry, repo, image.digest, [sig]);
    const verdict = await verifierFor(clientFor(registry), envelopeVerifierDouble()).verify(
      refOf(registry, repo, image.digest),
      notationOptions([awsSigner()], []),
    );
    expect(verdict).toMatchObject({ verified: false, error: false, reason: ReasonCode.DIGEST_MISMATCH });
    expect(verdict.signatures[0]?.notation).toMatchObject({ failedCheck: 'descriptor', revocation: null });
  });

  describe('AWS Signer revocation', () => {
    async function awsSigned() {
      const { repo, image } = await newImage();
      const sig = await pushNotationSignature(registry, repo, image, envelopeFor(image));
      await pushReferrersTagIndex(registry, repo, image.digest, [sig]);
      return refOf(registry, repo, image.digest);
    }

    it('a revoked signing job is REVOKED, a denial naming the job', async () => {
      signerApi.reset();
      signerApi
        .on(GetRevocationStatusCommand)
        .resolves({ $metadata: { httpStatusCode: 200 }, revokedEntities: [JOB] });
      const verdict = await verifierFor(clientFor(registry), envelopeVerifierDouble()).verify(
        await awsSigned(),
        notationOptions([awsSigner()], []),
      );
      expect(verdict).toMatchObject({
        verified: false,
        error: false,
        reason: ReasonCode.REVOKED,
        verifiedKeys: [],
      });
      expect(verdict.message).toContain(`signing job ${JOB}`);
      expect(verdict.signatures[0]).toMatchObject({
        ok: false,
        key: 'aws-prod',
        notation: { revocation: 'revoked' },
      });
    });

    it('a revocation look-up that fails is an error (REVOCATION_UNAVAILABLE), never a pass', async () => {
      signerApi.reset();
      signerApi.on(GetRevocationStatusCommand).rejects(
        Object.assign(new Error('denied'), {
          name: 'AccessDeniedException',
          $metadata: { httpStatusCode: 403 },
        }),
      );
      const verdict = await verifierFor(clientFor(registry), envelopeVerifierDouble()).verify(
        await awsSigned(),
        notationOptions([awsSigner()], []),
      );
      expect(verdict).toMatchObject({
        verified: false,
        error: true,
        reason: ReasonCode.REVOCATION_UNAVAILABLE,
      });
      expect(verdict.signatures[0]).toMatchObject({
        ok: false,
        notation: { awsSigner: true, revocation: null },
      });
    });

    it('without a revocation checker an AWS Signer signature is an error, never a pass', async () => {
      const verdict = await verifierFor(clientFor(registry), envelopeVerifierDouble()).verify(
        await awsSigned(),
        {
          ...optionsFor([]),
          notation: [awsSigner()],
        },
      );
      expect(verdict).toMatchObject({
        verified: false,
        error: true,
        reason: ReasonCode.REVOCATION_UNAVAILABLE,
      });
      expect(verdict.message).toContain('no AWS Signer revocation checker is configured');
    });

    it('an envelope verifier that reports AWS Signer without revocation input is an error, never a pass', async () => {
      const double = envelopeVerifierDouble();
      const stripped = async (input: Parameters<typeof double.verify>[0]) => {
        const { awsSigner: _dropped, ...rest } = await double.verify(input);
        return rest;
      };
      const verdict = await new ImageVerifier({
        registry: clientFor(registry),
        notationVerifier: stripped,
        currentTime: () => NOW,
      }).verify(await awsSigned(), notationOptions([awsSigner()], []));
      expect(verdict).toMatchObject({ verified: false, error: true, reason: ReasonCode.INTERNAL_ERROR });
      expect(signerApi.commandCalls(GetRevocationStatusCommand)).toHaveLength(0);
    });
  });

  it('an envelope verifier that throws is an error for that signature, never a pass', async () => {
    const { repo, image } = await newImage();
    const sig = await pushNotationSignature(registry, repo, image, envelopeFor(image));
    await pushReferrersTagIndex(registry, repo, image.digest, [sig]);
    const verdict = await new ImageVerifier({
      registry: clientFor(registry),
      notationVerifier: async () => {
        throw new Error('boom');
      },
    }).verify(refOf(registry, repo, image.digest), notationOptions([awsSigner()], []));
    expect(verdict).toMatchObject({ verified: false, error: true, reason: ReasonCode.INTERNAL_ERROR });
  });
});

describe('Notation signatures a registry serves wrongly', () => {
  it('a signature manifest over 4 MiB is refused even when the registry client would take more', async () => {
    const { repo, image } = await newImage();
    const sig = await pushNotationSignature(registry, repo, image, envelopeFor(image));
    await pushReferrersTagIndex(registry, repo, image.digest, [sig]);
    const client = clientFor(registry);
    // The registry (distribution caps manifests at 4 MiB itself) serves the manifest padded past the limit.
    const padded: RegistryReader = {
      getBlob: (r, d, o) => client.getBlob(r, d, o),
      listReferrers: (r, d, o) => client.listReferrers(r, d, o),
      getManifest: async (r, reference, o) => {
        const m = await client.getManifest(r, reference, o);
        return m && reference === sig.digest
          ? { ...m, bytes: Buffer.concat([m.bytes, Buffer.alloc(4 * 1024 * 1024, ' ')]) }
          : m;
      },
    };
    const double = envelopeVerifierDouble();
    const verdict = await new ImageVerifier({
      registry: padded,
      notationVerifier: double.verify,
      currentTime: () => NOW,
    }).verify(refOf(registry, repo, image.digest), notationOptions([awsSigner()], []));
    expect(verdict).toMatchObject({ verified: false, reason: ReasonCode.LIMIT_EXCEEDED });
    expect(verdict.signatures[0]?.message).toContain('over the 4194304-byte limit');
    expect(double.calls).toHaveLength(0);
  });

  it('an envelope layer that is no descriptor is SIGNATURE_MALFORMED', async () => {
    const { repo, image } = await newImage();
    const config = await pushBlob(registry, repo, '{}');
    const layer = await pushBlob(registry, repo, envelopeFor(image));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: 'application/vnd.cncf.notary.signature',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', ...config },
        layers: [{ mediaType: 'application/jose+json', digest: layer.digest }],
        subject: { mediaType: image.mediaType, digest: image.digest, size: image.size },
      }),
    );
    const pushed = await pushManifest(
      registry,
      repo,
      sha256Digest(manifest),
      manifest,
      'application/vnd.oci.image.manifest.v1+json',
    );
    await pushReferrersTagIndex(registry, repo, image.digest, [
      {
        mediaType: pushed.mediaType,
        digest: pushed.digest,
        size: pushed.size,
        artifactType: 'application/vnd.cncf.notary.signature',
      },
    ]);
    const verdict = await verifierFor(clientFor(registry), envelopeVerifierDouble()).verify(
      refOf(registry, repo, image.digest),
      notationOptions([awsSigner()], []),
    );
    expect(verdict.signatures[0]).toMatchObject({
      reason: ReasonCode.SIGNATURE_MALFORMED,
      message: expect.stringContaining('not a valid descriptor'),
    });
  });
});

describe('an envelope verifier or revocation checker that answers out of contract', () => {
  async function awsSignedRef() {
    const { repo, image } = await newImage();
    const sig = await pushNotationSignature(registry, repo, image, envelopeFor(image));
    await pushReferrersTagIndex(registry, repo, image.digest, [sig]);
    return refOf(registry, repo, image.digest);
  }

  it('an accepted signature naming no signer of the rule is an error, never a pass', async () => {
    const double = envelopeVerifierDouble();
    const renamed: typeof double.verify = async (input) => ({
      ...(await double.verify(input)),
      verifier: 'someone-else',
    });
    const verdict = await new ImageVerifier({
      registry: clientFor(registry),
      notationVerifier: renamed,
      currentTime: () => NOW,
    }).verify(await awsSignedRef(), notationOptions([awsSigner()], []));
    expect(verdict).toMatchObject({ verified: false, error: true, reason: ReasonCode.INTERNAL_ERROR });
    expect(verdict.message).toContain('without naming a signer of this rule');
  });

  it('a revocation checker that does not say "not revoked" for AWS Signer is an error, never a pass', async () => {
    const verdict = await verifierFor(clientFor(registry), envelopeVerifierDouble()).verify(
      await awsSignedRef(),
      {
        ...optionsFor([]),
        notation: [awsSigner()],
        revocation: { check: async () => ({ status: 'not-checked', why: 'confused' }) },
      },
    );
    expect(verdict).toMatchObject({ verified: false, error: true, reason: ReasonCode.INTERNAL_ERROR });
    expect(verdict.signatures[0]?.notation).toMatchObject({ revocation: null });
  });
});
