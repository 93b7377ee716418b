import { createHash } from 'node:crypto';
import {
  OCI_EMPTY_CONFIG_DIGEST,
  SIMPLE_SIGNING_MEDIA_TYPE as LIB_SIMPLE_SIGNING,
  BUNDLE_V03_MEDIA_TYPE as LIB_BUNDLE_V03,
} from '../../lambda/cosign/media-types';
import {
  OCI_EMPTY_CONFIG,
  SIMPLE_SIGNING_MEDIA_TYPE,
  generateTestRekorKey,
  makeBundle,
  makeBundleReferrerManifest,
  makeCosignStatement,
  makeDsseRekorBody,
  makeHashedRekordBody,
  makeLegacyRekorBundle,
  makeLegacySignature,
  makeSigManifest,
  makeSimpleSigningPayload,
  referrersTagFor,
  sharedTestKey,
  sigTagFor,
} from '../support/signer';
import { fixtureBytes, fixtureDigest, fixtureText, sha256Of } from './real-fixtures';

/** The signer must write what cosign writes: compared byte-for-byte with the real vectors. */
describe('test signer reproduces cosign byte shapes', () => {
  it.each([
    ['ci-p256-key-no-tlog', '192.168.64.2:5000/cosign-signed-single-sample', undefined],
    ['ci-p256-key-rekor-set', '192.168.64.2:5000/cosign-signed/key-1', undefined],
    ['ci-rsa4096-pkcs1v15-x509', 'localhost:5000/test', undefined],
    ['rs-rsa2048-pkcs1v15-suse-obs', 'registry.suse.com/suse/sle-micro/5.0/toolbox', { creator: 'OBS' }],
  ] as const)('simple-signing payload of %s', (dir, dockerReference, optional) => {
    const payload = makeSimpleSigningPayload({
      dockerReference,
      imageDigest: fixtureDigest(`${dir}/image-digest.txt`),
      ...(optional === undefined ? {} : { optional }),
    });
    expect(payload.toString()).toBe(fixtureText(`${dir}/payload.json`));
  });

  it('in-toto statement of the real cosign v3 bundle', () => {
    const statement = makeCosignStatement({
      imageDigest: fixtureDigest('v3-bundle-dsse-keyless-kubewarden/image-digest.txt'),
    });
    expect(statement.equals(fixtureBytes('v3-bundle-dsse-keyless-kubewarden/statement.json'))).toBe(true);
  });

  it('hashedrekord entry body of the real Rekor bundle', () => {
    const dir = 'ci-p256-key-rekor-set';
    const real = JSON.parse(fixtureText(`${dir}/bundle.json`)) as { Payload: { body: string } };
    const body = makeHashedRekordBody({
      sha256Hex: createHash('sha256')
        .update(fixtureBytes(`${dir}/payload.json`))
        .digest('hex'),
      signature: Buffer.from(fixtureText(`${dir}/signature.b64`), 'base64'),
      publicKeyPem: fixtureText(`${dir}/pubkey.pem`),
    });
    expect(body).toBe(real.Payload.body);
  });

  it('dsse entry body of the real v3 bundle', () => {
    const dir = 'v3-bundle-dsse-keyless-kubewarden';
    const real = JSON.parse(fixtureText(`${dir}/bundle.json`)) as {
      verificationMaterial: { tlogEntries: { canonicalizedBody: string }[] };
    };
    const realBody = real.verificationMaterial.tlogEntries[0]?.canonicalizedBody ?? '';
    const decoded = JSON.parse(Buffer.from(realBody, 'base64').toString()) as {
      spec: { envelopeHash: { value: string } };
    };
    const body = makeDsseRekorBody({
      payloadSha256Hex: createHash('sha256')
        .update(fixtureBytes(`${dir}/statement.json`))
        .digest('hex'),
      envelopeSha256Hex: decoded.spec.envelopeHash.value,
      signatures: [
        {
          signature: Buffer.from(fixtureText(`${dir}/signature.b64`), 'base64'),
          publicKeyPem: fixtureText(`${dir}/certificate.pem`),
        },
      ],
    });
    expect(body).toBe(realBody);
  });

  it('Rekor bundle annotation has cosign RekorBundle field order', () => {
    const real = fixtureText('ci-p256-key-rekor-set/bundle.json');
    const ours = makeLegacyRekorBundle(Buffer.from('x'), Buffer.from('sig'), sharedTestKey('p256'), {
      testRekorKey: generateTestRekorKey(),
    });
    const shape = (json: string): string[] => {
      const o = JSON.parse(json) as { Payload: Record<string, unknown> };
      return [...Object.keys(o), ...Object.keys(o.Payload)];
    };
    expect(shape(ours)).toEqual(shape(real));
  });

  it('.sig manifest: one layer per signature, 233-byte ggcr config, layer descriptors as in the real gcpkms manifest', () => {
    const dir = 'gcpkms-p256-salrashid';
    const real = JSON.parse(fixtureText(`${dir}/sig-manifest.pretty.json`)) as {
      mediaType: string;
      config: { mediaType: string };
      layers: unknown[];
    };
    const payload = fixtureBytes(`${dir}/payload.json`);
    const kmsLayer = {
      payload,
      annotations: { 'dev.cosignproject.cosign/signature': fixtureText(`${dir}/signature.b64`) },
    };
    const single = makeSigManifest([kmsLayer]);
    expect(single.config.length).toBe(233);
    const parsed = JSON.parse(single.manifest.toString()) as typeof real & {
      config: { size: number; digest: string };
    };
    expect(parsed.mediaType).toBe(real.mediaType);
    expect(parsed.config.mediaType).toBe(real.config.mediaType);
    expect(parsed.config).toEqual({
      mediaType: real.config.mediaType,
      size: 233,
      digest: single.configDigest,
    });
    expect(parsed.layers[0]).toEqual(real.layers[0]);
    expect(single.digest).toBe(sha256Of(single.manifest));
    expect(single.blobs.get(sha256Of(payload))?.equals(payload)).toBe(true);
    expect(single.blobs.get(single.configDigest)?.equals(single.config)).toBe(true);
    expect(SIMPLE_SIGNING_MEDIA_TYPE).toBe(LIB_SIMPLE_SIGNING);

    const two = makeSigManifest([kmsLayer, kmsLayer], { docker: true });
    const dockerParsed = JSON.parse(two.manifest.toString()) as {
      mediaType: string;
      config: { mediaType: string };
      layers: unknown[];
    };
    expect(dockerParsed.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(dockerParsed.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
    expect(dockerParsed.layers).toHaveLength(2);
    expect(two.blobs.size).toBe(2); // shared payload blob + config
  });

  it('referrer manifest: empty config {}, artifactType, subject and cosign annotations', () => {
    expect(sha256Of(OCI_EMPTY_CONFIG)).toBe(OCI_EMPTY_CONFIG_DIGEST);
    const bundle = makeBundle({ imageDigest: 'sha256:' + 'a'.repeat(64), key: sharedTestKey('p256') });
    const subject = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:' + 'a'.repeat(64),
      size: 1234,
    };
    const referrer = makeBundleReferrerManifest(bundle, subject, { created: '2026-04-09T07:23:29Z' });
    const m = JSON.parse(referrer.manifest.toString()) as Record<string, unknown>;
    expect(Object.keys(m)).toEqual([
      'schemaVersion',
      'mediaType',
      'config',
      'layers',
      'annotations',
      'subject',
      'artifactType',
    ]);
    expect(m).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        size: 2,
        digest: OCI_EMPTY_CONFIG_DIGEST,
        artifactType: LIB_BUNDLE_V03,
      },
      layers: [{ mediaType: LIB_BUNDLE_V03, size: bundle.length, digest: sha256Of(bundle) }],
      annotations: {
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1',
        'org.opencontainers.image.created': '2026-04-09T07:23:29Z',
      },
      subject,
      artifactType: LIB_BUNDLE_V03,
    });
    expect(referrer.blobs.get(sha256Of(bundle))?.equals(bundle)).toBe(true);
    expect(referrer.digest).toBe(sha256Of(referrer.manifest));
    expect(referrersTagFor(subject.digest)).toBe('sha256-' + 'a'.repeat(64));
    expect(sigTagFor(subject.digest)).toBe('sha256-' + 'a'.repeat(64) + '.sig');
  });

  it('bundle: protobuf field order like the real v3 bundle', () => {
    const real = JSON.parse(fixtureText('v3-bundle-dsse-keyless-kubewarden/bundle.json')) as Record<
      string,
      Record<string, unknown>
    >;
    const ours = JSON.parse(
      makeBundle({
        imageDigest: 'sha256:' + 'b'.repeat(64),
        key: sharedTestKey('p256'),
        tlog: { testRekorKey: generateTestRekorKey() },
      }).toString(),
    ) as Record<string, Record<string, unknown> & { tlogEntries: Record<string, unknown>[] }>;
    expect(Object.keys(ours)).toEqual(Object.keys(real));
    expect(Object.keys(ours.dsseEnvelope ?? {})).toEqual(Object.keys(real.dsseEnvelope ?? {}));
    const realEntry = (real.verificationMaterial?.tlogEntries as Record<string, unknown>[])[0] ?? {};
    expect(Object.keys(ours.verificationMaterial?.tlogEntries[0] ?? {})).toEqual(Object.keys(realEntry));
  });

  it('legacy signature with base64WithNewlines wraps at 76 characters like the real RSA-4096 vector', () => {
    const sig = makeLegacySignature({
      imageDigest: 'sha256:' + 'c'.repeat(64),
      dockerReference: 'localhost:5000/test',
      key: sharedTestKey('rsa4096'),
      base64WithNewlines: true,
    });
    const ours = sig.annotations['dev.cosignproject.cosign/signature'] ?? '';
    const real = fixtureText('ci-rsa4096-pkcs1v15-x509/signature.b64');
    expect(ours.split('\n').map((l) => l.length)).toEqual(real.split('\n').map((l) => l.length));
  });
});
