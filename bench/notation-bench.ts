/**
 * Notation beside cosign: images signed both with a cosign v3 bundle and with a Notation JWS
 * envelope, listed in one `sha256-<hex>` referrers tag index. Figures: uncached and cached
 * verification latency and registry requests, for a rule that trusts the cosign key only (Notation
 * listed, not read), for one that trusts the key and an AWS Signer profile (`require: all`-style:
 * both must verify) and for one that trusts the key and a generic X.509 signer (a `ca` store), and
 * the GetRevocationStatus calls (aws-sdk-client-mock, counted).
 *
 * Envelopes come from test/support/notation's test signer and are checked by the guard's real
 * verifier (lambda/notation/verify-envelope.ts, loaded with a dynamic import as the ImageVerifier's
 * default loader does): AWS Signer's shape (ES384, a P-384 four-certificate chain with a fresh leaf
 * per signing job, signingAuthority scheme, the AWS attributes), the test root trusted in place of
 * AWS's (the verifier's `awsSignerRoots` test seam); the X.509 ones are `notary.x509` signatures by
 * the same kind of chain, its root in the `ca` store.
 */
import { createHash, randomUUID } from 'node:crypto';
import { GetRevocationStatusCommand, SignerClient } from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { VerdictCache } from '../lambda/cache/verdict-cache';
import { createEngine } from '../lambda/guard/engine';
import type { TrustedKey } from '../lambda/keys/types';
import type { NotationVerifier, TargetDescriptor } from '../lambda/notation/types';
import type { RegistryStats } from '../lambda/registry/stats';
import { AwsSignerRevocationChecker } from '../lambda/signer/revocation-checker';
import { ImageVerifier } from '../lambda/verify/image-verifier';
import { mapLimit } from '../lambda/verify/map-limit';
import type { NotationEnvelopeVerifier } from '../lambda/verify/notation-types';
import type { ImageVerification, VerifyOptions } from '../lambda/verify/types';
import {
  makeAwsSignerJws,
  makeAwsSignerTestChain,
  makeAwsSignerTestRoot,
  makeNotaryJws,
  type TestCertificate,
} from '../test/support/notation/test-signer';
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
const ACCOUNT = '111122223333';
const PROFILE = `arn:aws:signer:eu-west-1:${ACCOUNT}:/signing-profiles/bench`;
const PROFILE_VERSION = `${PROFILE}/a1B2c3D4e5`;
const KINDS = ['manifest', 'blob', 'referrers', 'token'] as const;
const HOUR = 3600 * 1000;

/** Makes the Notation envelope for one image (its target descriptor). */
type EnvelopeSigner = (target: TargetDescriptor) => Promise<Buffer>;

/** AWS Signer's shape: a fresh leaf (and regional CA) per signing job under one root, signed an hour ago. */
function awsSignerEnvelopes(root: TestCertificate): EnvelopeSigner {
  return async (target) => {
    const now = Date.now();
    const chain = await makeAwsSignerTestChain({
      root,
      leafNotBefore: new Date(now - HOUR),
      region: 'eu-west-1',
    });
    return makeAwsSignerJws({
      chain,
      target,
      signingTime: new Date(now - HOUR / 2),
      profileVersionArn: PROFILE_VERSION,
      jobArn: `arn:aws:signer:eu-west-1:${ACCOUNT}:/signing-jobs/${randomUUID()}`,
    });
  };
}

/** Generic Notation (`notary.x509`, ES384) by one long-lived leaf under `root`, as a team's own CA would sign. */
async function x509Envelopes(root: TestCertificate): Promise<EnvelopeSigner> {
  const chain = await makeAwsSignerTestChain({
    root,
    leafNotBefore: new Date(Date.now() - HOUR),
    leafDays: 365,
  });
  return async (target) =>
    makeNotaryJws({
      alg: 'ES384',
      signingScheme: 'notary.x509',
      signingTime: new Date(Date.now() - HOUR / 2),
      chain: chain.chain,
      key: chain.leaf.privateKey,
      target,
    });
}

/** Pushes `count` images, each with a cosign bundle and a Notation envelope in one tag index. */
async function pushDualSigned(
  endpoint: RegistryEndpoint,
  repo: string,
  count: number,
  cosignKey: TestKey,
  signEnvelope: EnvelopeSigner,
  prefix: string,
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
        `${prefix}-${i}`,
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
      const envelope = await signEnvelope({
        mediaType: image.mediaType,
        digest: image.digest,
        size: image.size,
      });
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
        tag: `${prefix}-${i}`,
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
  const count = input.count ?? 50;
  const awsRoot = await makeAwsSignerTestRoot();
  const x509Root = await makeAwsSignerTestRoot('Bench Team Code Signing Root CA');
  const images = await pushDualSigned(
    input.registry,
    'bench/notation',
    count,
    input.cosignKey,
    awsSignerEnvelopes(awsRoot),
    'n',
  );
  const x509Images = await pushDualSigned(
    input.registry,
    'bench/notation-x509',
    count,
    input.cosignKey,
    await x509Envelopes(x509Root),
    'x',
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
  const x509Signer: NotationVerifier = {
    kind: 'x509',
    name: 'team-ca',
    trustStores: [{ type: 'ca', name: 'team', certificates: [x509Root.der] }],
    trustedIdentities: ['x509.subject: C=US, ST=WA, O=AWS, CN=AWS Signer'],
    verifyTimestamp: 'always',
  };
  const cosignOnly = verifyOptions(input.trustedKey);
  // A new revocation checker per verification: its cache must not serve the next image.
  const withNotation = (): VerifyOptions => ({
    ...cosignOnly,
    notation: [awsSigner],
    revocation: new AwsSignerRevocationChecker({ client: signerClient }),
  });
  const withX509 = (): VerifyOptions => ({
    ...cosignOnly,
    notation: [x509Signer],
    revocation: new AwsSignerRevocationChecker({ client: signerClient }),
  });
  // The ImageVerifier's default loader (notation-envelope-loader.ts) plus the test root as AWS's;
  // each call's time is kept, to tell the envelope's share of a verification.
  const envelopeMs: number[] = [];
  const notationVerifier: NotationEnvelopeVerifier = async (envelope) => {
    const started = performance.now();
    const { verifyNotationEnvelope } = await import('../lambda/notation/verify-envelope');
    const result = await verifyNotationEnvelope(envelope, { awsSignerRoots: [awsRoot.der] });
    envelopeMs.push(elapsedMs(started));
    return result;
  };
  const engine = createEngine({ registry: { insecureRegistries: input.insecure } });
  try {
    const cases: Array<[string, () => VerifyOptions, string[], BenchImage[]]> = [
      ['cosign key only (Notation listed, not read)', () => cosignOnly, [input.trustedKey.name], images],
      ['cosign key + AWS Signer profile', withNotation, [input.trustedKey.name, awsSigner.name], images],
      ['cosign key + X.509 ca store', withX509, [input.trustedKey.name, x509Signer.name], x509Images],
    ];
    // Warm-up: the tokens, the JIT, the SDK module, lambda/notation and its libraries.
    for (let i = 0; i < 5; i++) {
      for (const [, options, keys, set] of cases) {
        const image = set[i] as BenchImage;
        const verdict = await new ImageVerifier({ registry: engine.registry, notationVerifier }).verify(
          refOf(image),
          options(),
        );
        mustHold(verdict, image, keys);
      }
    }
    for (const [label, options, keys, set] of cases) {
      const latencies: number[] = [];
      const deltas: RegistryStats[] = [];
      signerApi.resetHistory();
      envelopeMs.length = 0;
      for (const image of set) {
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
        // cosign bundle discovery is 5 by digest; Notation adds its manifest and its envelope (the target
        // descriptor comes from the signature manifest's subject).
        { op: '<=', value: label.startsWith('cosign key only') ? 5 : 7 },
        `mean ${mean(totals).toFixed(2)}; by kind (mean): ${kinds}; GetRevocationStatus calls: ${revocations} for ${set.length} verifications`,
      );
      if (envelopeMs.length > 0) {
        const e = summarize(envelopeMs);
        report.add(
          SECTION,
          `of which envelope verification (lambda/notation), ${label}, p50`,
          e.p50,
          'ms',
          undefined,
          `p99 ${e.p99.toFixed(2)} ms, n=${e.n}: integrity, certificate chain, identity, expiry (revocation and registry reads excluded)`,
        );
      }
      report.detail(`notation.uncached.${label}`, {
        latency: s,
        requestsMean: mean(totals),
        revocations,
        ...(envelopeMs.length > 0 ? { envelope: summarize(envelopeMs) } : {}),
      });
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
        'Envelopes from the test signer (AWS Signer: ES384, P-384 four-certificate chain, a fresh leaf per job; X.509: notary.x509 under a ca-store root), ' +
        `checked by lambda/notation's verifier (certificate chains included), the test root trusted as AWS's; ${x509Images.length} more images for the X.509 case. ` +
        'GetRevocationStatus answered by aws-sdk-client-mock.',
    );
  } finally {
    signerApi.restore();
  }
}
