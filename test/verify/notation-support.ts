/**
 * Notation signatures in a real registry, for the discovery suites: signature manifests in both
 * forms, and a controlled envelope verifier standing in for lambda/notation's (tested on its own).
 * The double reads a small JSON "envelope" and judges it the way the real one does for what the
 * guard hands over: the target descriptor must be the image's own, the layer type an envelope type,
 * the signer one of the rule's; it never knows what a test expects.
 */
import { randomUUID } from 'node:crypto';
import type {
  NotationEnvelopeResult,
  NotationVerifier,
  NotationVerifyInput,
  TargetDescriptor,
} from '../../lambda/notation/types';
import { ReasonCode } from '../../lambda/reasons';
import type { NotationEnvelopeVerifier } from '../../lambda/verify/notation-types';
import {
  EMPTY_JSON,
  pushArtifact,
  sha256Digest,
  TestMediaType,
  type DescriptorJson,
  type PushedManifest,
  type RegistryEndpoint,
} from '../support/registry';

export const NOTATION_TYPE = 'application/vnd.cncf.notary.signature';
export const JWS = 'application/jose+json';
export const COSE = 'application/cose';
export const PROFILE = 'arn:aws:signer:us-west-2:111122223333:/signing-profiles/prod';
export const PROFILE_VERSION = `${PROFILE}/v1a2b3c`;
export const JOB = 'arn:aws:signer:us-west-2:111122223333:/signing-jobs/8b1a9953-c461-4d3e-a4b4-3b6a5f0e1c2d';
export const CERT_HASHES = ['a'.repeat(192), 'b'.repeat(192), 'c'.repeat(192), 'd'.repeat(192)];

export const awsSigner = (name = 'aws-prod', profiles = [PROFILE]): NotationVerifier => ({
  kind: 'awsSigner',
  name,
  signingProfiles: profiles,
});
export const x509Signer = (
  name = 'acme-ca',
  subject = 'CN=acme release, O=acme',
  anchor = Buffer.from('test anchor'),
): NotationVerifier => ({
  kind: 'x509',
  name,
  trustStores: [{ type: 'ca', name: 'acme', certificates: [anchor] }],
  trustedIdentities: [`x509.subject: ${subject}`],
  verifyTimestamp: 'always',
});

/** The test envelope: what it signs (`targetArtifact`) and who it claims signed it. */
export interface TestEnvelope {
  targetArtifact: TargetDescriptor;
  /** AWS Signer: the profile version and job; else an X.509 leaf subject. */
  aws?: { profileVersionArn: string; jobArn: string };
  subject?: string;
  signingTime: string;
  expiry?: string;
}

export function envelopeFor(image: PushedManifest, extra: Partial<TestEnvelope> = {}): Buffer {
  const envelope: TestEnvelope = {
    targetArtifact: { mediaType: image.mediaType, digest: image.digest, size: image.size },
    aws: { profileVersionArn: PROFILE_VERSION, jobArn: JOB },
    signingTime: '2026-11-29T10:00:00.000Z',
    expiry: '2029-11-29T10:00:00.000Z',
    ...extra,
  };
  return Buffer.from(JSON.stringify({ ...envelope, nonce: randomUUID() }));
}

/** AWS's identity rule: a profile ARN matches its versions, a version ARN only itself. */
function profileMatches(trusted: string, version: string): boolean {
  const t = trusted.toLowerCase();
  const v = version.toLowerCase();
  return t === v || t === v.slice(0, v.lastIndexOf('/'));
}

export interface EnvelopeVerifierDouble {
  verify: NotationEnvelopeVerifier;
  calls: NotationVerifyInput[];
}

export function envelopeVerifierDouble(): EnvelopeVerifierDouble {
  const calls: NotationVerifyInput[] = [];
  const verify: NotationEnvelopeVerifier = async (input) => {
    calls.push(input);
    const format =
      input.envelopeMediaType === JWS
        ? 'notation-jws'
        : input.envelopeMediaType === COSE
          ? 'notation-cose'
          : undefined;
    const fail = (reason: ReasonCode, message: string, failedCheck: NotationEnvelopeResult['failedCheck']) =>
      ({ format, ok: false, reason, message, failedCheck }) as NotationEnvelopeResult;
    if (!format) return fail(ReasonCode.UNSUPPORTED_FORMAT, 'not an envelope', 'integrity');
    const e = JSON.parse(input.envelope.toString('utf8')) as TestEnvelope;
    const t = e.targetArtifact;
    if (
      t.digest !== input.target.digest ||
      t.size !== input.target.size ||
      t.mediaType !== input.target.mediaType
    )
      return fail(ReasonCode.DIGEST_MISMATCH, 'content descriptor mismatch', 'descriptor');
    const signer = input.verifiers.find((v) =>
      v.kind === 'awsSigner'
        ? e.aws !== undefined && v.signingProfiles.some((p) => profileMatches(p, e.aws!.profileVersionArn))
        : e.subject !== undefined && v.trustedIdentities.includes(`x509.subject: ${e.subject}`),
    );
    if (!signer)
      return fail(ReasonCode.SIGNATURE_INVALID, 'signing identity is not trusted', 'trustedIdentity');
    if (e.expiry && Date.parse(e.expiry) <= input.now.getTime())
      return {
        ...fail(ReasonCode.SIGNATURE_INVALID, 'the signature expired', 'expiry'),
        verifier: signer.name,
      };
    const aws = signer.kind === 'awsSigner' && e.aws;
    return {
      format,
      ok: true,
      reason: ReasonCode.VERIFIED,
      message: 'verified',
      verifier: signer.name,
      identity: aws ? signer.signingProfiles[0] : e.subject,
      signingScheme: aws ? 'notary.x509.signingAuthority' : 'notary.x509',
      signingTime: e.signingTime,
      ...(e.expiry ? { expiry: e.expiry } : {}),
      ...(aws
        ? {
            awsSigner: {
              profileVersionArn: aws.profileVersionArn,
              jobArn: aws.jobArn,
              platformId: 'Notation-OCI-SHA384-ECDSA',
              signatureTimestamp: new Date(e.signingTime),
              certificateHashes: CERT_HASHES,
            },
          }
        : {}),
    };
  };
  return { verify, calls };
}

export interface NotationSignatureOptions {
  /** `artifactType` (default) or the legacy `config.mediaType` form. */
  form?: 'artifactType' | 'legacy';
  /** Envelope layers; default one, of `layerMediaType` (default JWS). */
  layers?: Buffer[];
  layerMediaType?: string;
  /** Config media type of the artifactType form (default the empty one). */
  configMediaType?: string;
  /** Leave out `subject` (a manifest no referrers listing would name, but a tag index can). */
  withoutSubject?: boolean;
}

/** A Notation signature manifest with `subject` = `image`, as notation / ORAS write it. */
export function notationSignature(
  image: PushedManifest,
  envelope: Buffer,
  options: NotationSignatureOptions = {},
) {
  const legacy = options.form === 'legacy';
  const layers = options.layers ?? [envelope];
  const configBytes = EMPTY_JSON;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: TestMediaType.OCI_MANIFEST,
      ...(legacy ? {} : { artifactType: NOTATION_TYPE }),
      config: {
        mediaType: legacy ? NOTATION_TYPE : (options.configMediaType ?? TestMediaType.OCI_EMPTY),
        digest: sha256Digest(configBytes),
        size: configBytes.length,
      },
      layers: layers.map((l) => ({
        mediaType: options.layerMediaType ?? JWS,
        digest: sha256Digest(l),
        size: l.length,
      })),
      ...(options.withoutSubject
        ? {}
        : { subject: { mediaType: image.mediaType, digest: image.digest, size: image.size } }),
      annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["00"]' },
    }),
  );
  const blobs = new Map<string, Buffer>([[sha256Digest(configBytes), configBytes]]);
  for (const l of layers) blobs.set(sha256Digest(l), l);
  return { manifest, mediaType: TestMediaType.OCI_MANIFEST, digest: sha256Digest(manifest), blobs };
}

/** Pushes a Notation signature by digest; returns its descriptor as a referrers listing names it. */
export async function pushNotationSignature(
  endpoint: RegistryEndpoint,
  repo: string,
  image: PushedManifest,
  envelope: Buffer,
  options: NotationSignatureOptions = {},
): Promise<DescriptorJson> {
  const signature = notationSignature(image, envelope, options);
  const pushed = await pushArtifact(endpoint, repo, signature.digest, signature);
  // Both forms are listed with the Notation artifact type (the registry or ORAS takes the config's).
  return {
    mediaType: pushed.mediaType,
    digest: pushed.digest,
    size: pushed.size,
    artifactType: NOTATION_TYPE,
  };
}
