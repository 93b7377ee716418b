/**
 * Notation beside cosign: images signed both with a cosign v3 bundle and with a Notation JWS
 * envelope (an AWS Signer-style signature: ES384, signingAuthority scheme), listed in one
 * `sha256-<hex>` referrers tag index. Figures: uncached and cached verification latency and registry
 * requests, for a rule that trusts the cosign key only (Notation listed, not read) and for one that
 * trusts the key and the AWS Signer profile (`require: all`-style: both must verify), and the
 * GetRevocationStatus calls (aws-sdk-client-mock, counted).
 *
 * The envelope verifier here is a stand-in (`benchEnvelopeVerifier`: the JWS signature with
 * node:crypto over the bytes as received, and the target descriptor), NOT lambda/notation's: its
 * figures are the guard's Notation path (discovery, reads, revocation, cache) without certificate
 * chain validation. After merge, pass lambda/notation's verifier and envelopes from its test signer.
 */
import {
  createHash,
  createSign,
  createVerify,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { GetRevocationStatusCommand, SignerClient } from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { VerdictCache } from '../lambda/cache/verdict-cache';
import { createEngine } from '../lambda/guard/engine';
import type { TrustedKey } from '../lambda/keys/types';
import type { NotationVerifier, TargetDescriptor } from '../lambda/notation/types';
import { ReasonCode } from '../lambda/reasons';
import type { RegistryStats } from '../lambda/registry/stats';
import { AwsSignerRevocationChecker } from '../lambda/signer/revocation-checker';
import { ImageVerifier } from '../lambda/verify/image-verifier';
import { mapLimit } from '../lambda/verify/map-limit';
import type { NotationEnvelopeVerifier } from '../lambda/verify/notation-types';
import type { ImageVerification, VerifyOptions } from '../lambda/verify/types';
import {
  pushBlob,
  pushManifest,
  pushReferrersTagIndex,
  TestMediaType,
  type PushedManifest,
  type RegistryEndpoint,
} from '../test/support/registry';
import {
  makeBundle,
  makeBundleReferrerManifest,
  OCI_EMPTY_CONFIG,
  OCI_EMPTY_CONFIG_DIGEST,
  type TestKey,
} from '../test/support/signer';
import type { Report } from './report';
import { elapsedMs, summarize } from './stats';
import { refOf, verifyOptions } from './verify-helpers';
import type { BenchImage } from './signed-images';

const SECTION = 'Notation';
const NOTATION_TYPE = 'application/vnd.cncf.notary.signature';
const JWS = 'application/jose+json';
const PROFILE = 'arn:aws:signer:eu-west-1:111122223333:/signing-profiles/bench';
const PROFILE_VERSION = `${PROFILE}/v1`;
const KINDS = ['manifest', 'blob', 'referrers', 'token'] as const;

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** A flattened JWS as AWS Signer returns it (ES384, signingAuthority, authentic signing time, expiry). */
function jwsEnvelope(target: TargetDescriptor, key: KeyObject): Buffer {
  const now = Math.floor(Date.now() / 1000);
  const protectedHeader = b64url(
    JSON.stringify({
      alg: 'ES384',
      crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.authenticSigningTime', 'io.cncf.notary.expiry'],
      cty: 'application/vnd.cncf.notary.payload.v1+json',
      'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority',
      'io.cncf.notary.authenticSigningTime': new Date(now * 1000).toISOString(),
      'io.cncf.notary.expiry': new Date((now + 3 * 365 * 86400) * 1000).toISOString(),
      'com.amazonaws.signer.signingProfileVersion': PROFILE_VERSION,
      'com.amazonaws.signer.signingJob': `arn:aws:signer:eu-west-1:111122223333:/signing-jobs/${randomUUID()}`,
    }),
  );
  const payload = b64url(JSON.stringify({ targetArtifact: target }));
  const signature = createSign('sha384')
    .update(`${protectedHeader}.${payload}`)
    .sign({ key, dsaEncoding: 'ieee-p1363' });
  return Buffer.from(
    JSON.stringify({
      payload,
      protected: protectedHeader,
      header: { x5c: [], 'io.cncf.notary.signingAgent': 'bench' },
      signature: b64url(signature),
    }),
  );
}

/** The stand-in verifier (see the file comment): signature and target only. */
function benchEnvelopeVerifier(publicKey: KeyObject): NotationEnvelopeVerifier {
  return async (input) => {
    const jws = JSON.parse(input.envelope.toString('utf8')) as Record<string, string>;
    const header = JSON.parse(Buffer.from(jws.protected ?? '', 'base64url').toString('utf8')) as Record<
      string,
      string
    >;
    const ok = createVerify('sha384')
      .update(`${jws.protected}.${jws.payload}`)
      .verify({ key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(jws.signature ?? '', 'base64url'));
    const { targetArtifact: t } = JSON.parse(
      Buffer.from(jws.payload ?? '', 'base64url').toString('utf8'),
    ) as {
      targetArtifact: TargetDescriptor;
    };
    const signer = input.verifiers.find((v) => v.kind === 'awsSigner');
    if (
      !ok ||
      !signer ||
      t.digest !== input.target.digest ||
      t.size !== input.target.size ||
      t.mediaType !== input.target.mediaType
    ) {
      return {
        format: 'notation-jws',
        ok: false,
        reason: ReasonCode.SIGNATURE_INVALID,
        message: 'bench: invalid',
      };
    }
    const signingTime = header['io.cncf.notary.authenticSigningTime'] as string;
    return {
      format: 'notation-jws',
      ok: true,
      reason: ReasonCode.VERIFIED,
      message: 'verified',
      verifier: signer.name,
      identity: PROFILE,
      signingScheme: 'notary.x509.signingAuthority',
      signingTime,
      expiry: header['io.cncf.notary.expiry'] as string,
      awsSigner: {
        profileVersionArn: header['com.amazonaws.signer.signingProfileVersion'] as string,
        jobArn: header['com.amazonaws.signer.signingJob'] as string,
        platformId: 'Notation-OCI-SHA384-ECDSA',
        signatureTimestamp: new Date(signingTime),
        certificateHashes: ['0'.repeat(192)],
      },
    };
  };
}

/** Pushes `count` images, each with a cosign bundle and a Notation envelope in one tag index. */
async function pushDualSigned(
  endpoint: RegistryEndpoint,
  repo: string,
  count: number,
  cosignKey: TestKey,
  notationKey: KeyObject,
): Promise<BenchImage[]> {
  await pushBlob(endpoint, repo, OCI_EMPTY_CONFIG);
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    16,
    async (i) => {
      const id = randomUUID();
      const config = await pushBlob(
        endpoint,
        repo,
        JSON.stringify({ architecture: 'amd64', os: 'linux', id }),
      );
      const layer = await pushBlob(endpoint, repo, `layer ${id}`);
      const image: PushedManifest = await pushManifest(
        endpoint,
        repo,
        `n-${i}`,
        JSON.stringify({
          schemaVersion: 2,
          mediaType: TestMediaType.OCI_MANIFEST,
          config: { mediaType: TestMediaType.OCI_CONFIG, ...config },
          layers: [{ mediaType: TestMediaType.OCI_LAYER, ...layer }],
        }),
        TestMediaType.OCI_MANIFEST,
      );
      const bundle = makeBundleReferrerManifest(
        makeBundle({ imageDigest: image.digest, key: cosignKey }),
        image,
      );
      for (const [digest, blob] of bundle.blobs)
        if (digest !== OCI_EMPTY_CONFIG_DIGEST) await pushBlob(endpoint, repo, blob);
      const pushedBundle = await pushManifest(
        endpoint,
        repo,
        bundle.digest,
        bundle.manifest,
        bundle.mediaType,
      );
      const envelope = jwsEnvelope(
        { mediaType: image.mediaType, digest: image.digest, size: image.size },
        notationKey,
      );
      const envelopeBlob = await pushBlob(endpoint, repo, envelope);
      const signature = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: TestMediaType.OCI_MANIFEST,
          artifactType: NOTATION_TYPE,
          config: {
            mediaType: TestMediaType.OCI_EMPTY,
            digest: OCI_EMPTY_CONFIG_DIGEST,
            size: OCI_EMPTY_CONFIG.length,
          },
          layers: [{ mediaType: JWS, ...envelopeBlob }],
          subject: { mediaType: image.mediaType, digest: image.digest, size: image.size },
        }),
      );
      const pushedSignature = await pushManifest(
        endpoint,
        repo,
        `sha256:${createHash('sha256').update(signature).digest('hex')}`,
        signature,
        TestMediaType.OCI_MANIFEST,
      );
      await pushReferrersTagIndex(endpoint, repo, image.digest, [
        {
          mediaType: pushedBundle.mediaType,
          digest: pushedBundle.digest,
          size: pushedBundle.size,
          artifactType: bundle.artifactType,
        },
        {
          mediaType: pushedSignature.mediaType,
          digest: pushedSignature.digest,
          size: pushedSignature.size,
          artifactType: NOTATION_TYPE,
        },
      ]);
      return {
        format: 'bundle' as const,
        repo,
        tag: `n-${i}`,
        digest: image.digest,
        image: `${endpoint.host}/${repo}:n-${i}`,
        pinned: `${endpoint.host}/${repo}@${image.digest}`,
      };
    },
  );
}

function delta(after: RegistryStats, before: RegistryStats): RegistryStats {
  const d = { ...after };
  for (const k of Object.keys(d) as (keyof RegistryStats)[]) d[k] = after[k] - before[k];
  return d;
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

function mustHold(verdict: ImageVerification, image: BenchImage, keys: string[]): void {
  if (!verdict.verified || !keys.every((k) => verdict.verifiedKeys.includes(k))) {
    throw new Error(
      `bench image ${image.pinned}: ${verdict.reason} ${verdict.message} (keys ${verdict.verifiedKeys.join(', ')})`,
    );
  }
}

export interface NotationBenchInput {
  registry: RegistryEndpoint;
  insecure: string[];
  cosignKey: TestKey;
  trustedKey: TrustedKey;
  report: Report;
  count?: number;
}

export async function benchNotation(input: NotationBenchInput): Promise<void> {
  const { report } = input;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const images = await pushDualSigned(
    input.registry,
    'bench/notation',
    input.count ?? 50,
    input.cosignKey,
    privateKey,
  );
  const signerApi = mockClient(SignerClient);
  signerApi
    .on(GetRevocationStatusCommand)
    .resolves({ $metadata: { httpStatusCode: 200 }, revokedEntities: [] });
  const signerClient = new SignerClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'A', secretAccessKey: 'B' },
  });
  const awsSigner: NotationVerifier = { kind: 'awsSigner', name: 'aws-bench', signingProfiles: [PROFILE] };
  const cosignOnly = verifyOptions(input.trustedKey);
  const withNotation = (): VerifyOptions => ({
    ...cosignOnly,
    notation: [awsSigner],
    revocation: new AwsSignerRevocationChecker({ client: signerClient }),
  });
  const notationVerifier = benchEnvelopeVerifier(publicKey);
  const engine = createEngine({ registry: { insecureRegistries: input.insecure } });
  try {
    const cases: Array<[string, () => VerifyOptions, string[]]> = [
      ['cosign key only (Notation listed, not read)', () => cosignOnly, [input.trustedKey.name]],
      ['cosign key + AWS Signer profile', withNotation, [input.trustedKey.name, awsSigner.name]],
    ];
    // Warm-up: the token, the JIT, the SDK module.
    for (const image of images.slice(0, 5)) {
      for (const [, options] of cases) {
        await new ImageVerifier({ registry: engine.registry, notationVerifier }).verify(
          refOf(image),
          options(),
        );
      }
    }
    for (const [label, options, keys] of cases) {
      const latencies: number[] = [];
      const deltas: RegistryStats[] = [];
      signerApi.resetHistory();
      for (const image of images) {
        const verifier = new ImageVerifier({ registry: engine.registry, notationVerifier });
        const before = { ...engine.registry.stats };
        const started = performance.now();
        const verdict = await verifier.verify(refOf(image), options());
        latencies.push(elapsedMs(started));
        deltas.push(delta(engine.registry.stats, before));
        mustHold(verdict, image, keys);
      }
      const s = summarize(latencies);
      const revocations = signerApi.commandCalls(GetRevocationStatusCommand).length;
      report.add(SECTION, `uncached verification latency, ${label}, p50`, s.p50, 'ms');
      report.add(
        SECTION,
        `uncached verification latency, ${label}, p99`,
        s.p99,
        'ms',
        undefined,
        `n=${s.n}, mean ${s.mean.toFixed(2)} ms`,
      );
      const totals = deltas.map((d) => d.total);
      const kinds = KINDS.map((k) => `${k} ${mean(deltas.map((d) => d[k])).toFixed(2)}`).join(', ');
      report.add(
        SECTION,
        `registry requests / uncached verification, ${label}, max`,
        Math.max(...totals),
        'req',
        // cosign bundle discovery is 5 by digest; Notation adds its manifest, its envelope and the image manifest.
        { op: '<=', value: label.startsWith('cosign key only') ? 5 : 8 },
        `mean ${mean(totals).toFixed(2)}; by kind (mean): ${kinds}; GetRevocationStatus calls: ${revocations} for ${images.length} verifications`,
      );
      report.detail(`notation.uncached.${label}`, { latency: s, requestsMean: mean(totals), revocations });
    }

    // Cached: a verdict cache (filled first), a second pass timed; no request, no revocation call.
    const cache = new VerdictCache();
    const cached = new ImageVerifier({ registry: engine.registry, notationVerifier, cache });
    const options = withNotation();
    for (const image of images) mustHold(await cached.verify(refOf(image), options), image, [awsSigner.name]);
    engine.registry.resetStats();
    signerApi.resetHistory();
    const latencies: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (const image of images) {
        const started = performance.now();
        const verdict = await cached.verify(refOf(image), options);
        if (round > 0) latencies.push(elapsedMs(started));
        if (!verdict.cached) throw new Error(`expected a cached verdict for ${image.pinned}`);
      }
    }
    const s = summarize(latencies);
    report.add(SECTION, 'cached verification latency, cosign key + AWS Signer profile, p50', s.p50, 'ms', {
      op: '<',
      value: 0.05,
    });
    report.add(
      SECTION,
      'cached verification latency, cosign key + AWS Signer profile, p99',
      s.p99,
      'ms',
      undefined,
      `n=${s.n}`,
    );
    report.add(
      SECTION,
      'registry requests and GetRevocationStatus calls for cached verdicts',
      engine.registry.stats.total + signerApi.commandCalls(GetRevocationStatusCommand).length,
      'req',
      { op: '<=', value: 0 },
      `${2 * images.length} cached verifications`,
    );
    report.note(
      SECTION,
      `${images.length} images, each signed with a cosign bundle and a Notation JWS (ES384) in one referrers tag index, pinned by digest. ` +
        'Envelope verifier: a bench stand-in (JWS signature + target descriptor, no certificate chain); re-measure with lambda/notation after merge. ' +
        'GetRevocationStatus answered by aws-sdk-client-mock.',
    );
  } finally {
    signerApi.restore();
  }
}
