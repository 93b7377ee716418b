import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import { ReasonCode } from '../../lambda/reasons';
import type { NotationVerifier, NotationVerifyInput } from '../../lambda/notation/types';
import { verifyNotationEnvelope } from '../../lambda/notation/verify-envelope';
import {
  makeAwsSignerJws,
  makeAwsSignerTestChain,
  makeAwsSignerTestRoot,
  makeNotaryJws,
  type AwsSignerJwsOptions,
  type AwsSignerTestChain,
  type TestCertificate,
} from '../support/notation/test-signer';

const DAY = 24 * 3600 * 1000;
const LEAF_START = new Date('2024-05-01T10:00:00Z');
const SIGNED = new Date('2024-05-01T11:00:00Z');
const NOW = new Date('2024-05-02T00:00:00Z');
const ACCOUNT = '111122223333';
const PROFILE = `arn:aws:signer:us-east-2:${ACCOUNT}:/signing-profiles/ProdImages`;
const VERSION = `${PROFILE}/a1B2c3D4e5`;
const JOB = `arn:aws:signer:us-east-2:${ACCOUNT}:/signing-jobs/0f0e0d0c-1111-2222-3333-444455556666`;
const GOV_PROFILE = `arn:aws-us-gov:signer:us-gov-west-1:${ACCOUNT}:/signing-profiles/ProdImages`;
const TARGET = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'ab'.repeat(32)}`,
  size: 1234,
};

let root: TestCertificate;
let govRoot: TestCertificate;
let chain: AwsSignerTestChain;
let govChain: AwsSignerTestChain;

beforeAll(async () => {
  root = await makeAwsSignerTestRoot();
  govRoot = await makeAwsSignerTestRoot('Test AWS Signer Code Signing GovCloud (US) Root CA G1');
  chain = await makeAwsSignerTestChain({ root, leafNotBefore: LEAF_START });
  govChain = await makeAwsSignerTestChain({
    root: govRoot,
    leafNotBefore: LEAF_START,
    region: 'us-gov-west-1',
  });
});

const aws = (signingProfiles: string[], name = 'prod-signer'): NotationVerifier => ({
  kind: 'awsSigner',
  name,
  signingProfiles,
});

function envelope(overrides: Partial<AwsSignerJwsOptions> = {}): Buffer {
  return makeAwsSignerJws({
    chain,
    target: TARGET,
    signingTime: SIGNED,
    profileVersionArn: VERSION,
    jobArn: JOB,
    ...overrides,
  });
}

function verify(bytes: Buffer, verifiers: NotationVerifier[], overrides: Partial<NotationVerifyInput> = {}) {
  return verifyNotationEnvelope(
    {
      envelope: bytes,
      envelopeMediaType: 'application/jose+json',
      target: TARGET,
      verifiers,
      now: NOW,
      ...overrides,
    },
    { awsSignerRoots: [root.der, govRoot.der] },
  );
}

describe('AWS Signer signatures (test root injected as the AWS root)', () => {
  it('a valid signature passes and hands over what GetRevocationStatus needs', async () => {
    const result = await verify(envelope(), [aws([PROFILE])]);
    const expectedHashes = chain.chain.map((der) => {
      const tbs = Buffer.from(pkijs.Certificate.fromBER(new Uint8Array(der)).tbsView);
      return createHash('sha384').update(tbs).digest('hex');
    });
    expect(result).toEqual({
      format: 'notation-jws',
      ok: true,
      reason: ReasonCode.VERIFIED,
      message: expect.stringContaining('prod-signer'),
      verifier: 'prod-signer',
      identity: PROFILE,
      signingScheme: 'notary.x509.signingAuthority',
      signingTime: SIGNED.toISOString(),
      expiry: new Date(SIGNED.getTime() + 3 * 365 * DAY).toISOString(),
      awsSigner: {
        profileVersionArn: VERSION,
        jobArn: JOB,
        platformId: 'Notation-OCI-SHA384-ECDSA',
        signatureTimestamp: SIGNED,
        certificateHashes: [
          expectedHashes[0]! + expectedHashes[1]!,
          expectedHashes[1]! + expectedHashes[2]!,
          expectedHashes[2]! + expectedHashes[3]!,
          expectedHashes[3]! + expectedHashes[3]!,
        ],
      },
    });
  });

  it('without the injection only the real AWS roots are trusted, so a test chain fails authenticity', async () => {
    const result = await verifyNotationEnvelope({
      envelope: envelope(),
      envelopeMediaType: 'application/jose+json',
      target: TARGET,
      verifiers: [aws([PROFILE])],
      now: NOW,
    });
    expect(result).toMatchObject({
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
      failedCheck: 'authenticity',
    });
  });

  it('the three-day leaf stays valid after it expired: only the authentic signing time must be inside validity', async () => {
    const result = await verify(envelope(), [aws([PROFILE])], {
      now: new Date(LEAF_START.getTime() + 400 * DAY),
    });
    expect(result.ok).toBe(true);
  });

  it('an authentic signing time outside the leaf validity fails the authentic timestamp', async () => {
    const result = await verify(envelope({ signingTime: new Date(LEAF_START.getTime() + 4 * DAY) }), [
      aws([PROFILE]),
    ]);
    expect(result).toMatchObject({
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
      failedCheck: 'authenticTimestamp',
    });
    expect(result.message).toContain('AWS Signer');
  });

  it('an authentic signing time before the leaf was issued fails too', async () => {
    const result = await verify(envelope({ signingTime: new Date(LEAF_START.getTime() - 1000) }), [
      aws([PROFILE]),
    ]);
    expect(result).toMatchObject({ ok: false, failedCheck: 'authenticTimestamp' });
  });

  it('an expired signature fails at its expiry (now >= expiry), not a millisecond before', async () => {
    const expiry = new Date(SIGNED.getTime() + 2 * DAY);
    const bytes = envelope({ expiry });
    const atExpiry = await verify(bytes, [aws([PROFILE])], { now: expiry });
    expect(atExpiry).toMatchObject({
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
      failedCheck: 'expiry',
      expiry: expiry.toISOString(),
    });
    expect(atExpiry.message).toContain('expired');
    expect((await verify(bytes, [aws([PROFILE])], { now: new Date(expiry.getTime() - 1) })).ok).toBe(true);
  });

  it('a wrong profile fails the trusted identity', async () => {
    const result = await verify(envelope(), [
      aws([`arn:aws:signer:us-east-2:${ACCOUNT}:/signing-profiles/OtherProfile`]),
    ]);
    expect(result).toMatchObject({
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
      failedCheck: 'trustedIdentity',
    });
    expect(result.message).toContain(VERSION);
  });

  it('a profile ARN matches each of its versions', async () => {
    for (const version of [VERSION, `${PROFILE}/zZ9yY8xX7w`]) {
      const result = await verify(envelope({ profileVersionArn: version }), [aws([PROFILE])]);
      expect(result).toMatchObject({ ok: true, identity: PROFILE });
    }
  });

  it('a profile-version ARN matches only itself', async () => {
    expect(await verify(envelope(), [aws([VERSION])])).toMatchObject({ ok: true, identity: VERSION });
    const other = await verify(envelope({ profileVersionArn: `${PROFILE}/zZ9yY8xX7w` }), [aws([VERSION])]);
    expect(other).toMatchObject({ ok: false, failedCheck: 'trustedIdentity' });
  });

  it('"*" is refused as an AWS Signer identity', async () => {
    expect(await verify(envelope(), [aws(['*'])])).toMatchObject({
      ok: false,
      failedCheck: 'trustedIdentity',
    });
  });

  it('GovCloud and commercial are separate: a GovCloud signature matches only a GovCloud profile', async () => {
    const gov = makeAwsSignerJws({
      chain: govChain,
      target: TARGET,
      signingTime: SIGNED,
      profileVersionArn: `${GOV_PROFILE}/a1B2c3D4e5`,
      jobArn: JOB.replace('arn:aws:', 'arn:aws-us-gov:').replace('us-east-2', 'us-gov-west-1'),
    });
    expect(await verify(gov, [aws([PROFILE])])).toMatchObject({ ok: false, failedCheck: 'trustedIdentity' });
    expect(await verify(gov, [aws([GOV_PROFILE])])).toMatchObject({ ok: true, identity: GOV_PROFILE });
    // and the GovCloud root is part of the built-in trust: without it, the GovCloud chain is not authentic.
    const withoutGovRoot = await verifyNotationEnvelope(
      {
        envelope: gov,
        envelopeMediaType: 'application/jose+json',
        target: TARGET,
        verifiers: [aws([GOV_PROFILE])],
        now: NOW,
      },
      { awsSignerRoots: [root.der] },
    );
    expect(withoutGovRoot).toMatchObject({ ok: false, failedCheck: 'authenticity' });
  });

  it('an unknown critical attribute fails as unsupported', async () => {
    const bytes = envelope({
      extraAttributes: [{ key: 'com.example.mustUnderstand', value: 'x', critical: true }],
    });
    const result = await verify(bytes, [aws([PROFILE])]);
    expect(result).toMatchObject({
      ok: false,
      reason: ReasonCode.UNSUPPORTED_FORMAT,
      failedCheck: 'integrity',
    });
    expect(result.message).toContain('com.example.mustUnderstand');
  });

  it('an unknown attribute that is not critical is ignored', async () => {
    const bytes = envelope({
      extraAttributes: [{ key: 'com.example.informational', value: 'x', critical: false }],
    });
    expect((await verify(bytes, [aws([PROFILE])])).ok).toBe(true);
  });

  it('algorithm substitution: a header alg that is not the leaf key’s fails, even when the signature matches the header', async () => {
    const substituted = await verify(envelope({ alg: 'ES256', signAlg: 'ES256' }), [aws([PROFILE])]);
    expect(substituted).toMatchObject({
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
      failedCheck: 'integrity',
    });
    expect(substituted.message).toContain('substitution');
    const unknownAlg = await verify(envelope({ alg: 'HS384', signAlg: 'ES384' }), [aws([PROFILE])]);
    expect(unknownAlg).toMatchObject({
      ok: false,
      reason: ReasonCode.UNSUPPORTED_FORMAT,
      failedCheck: 'integrity',
    });
  });

  it('a tampered payload fails integrity', async () => {
    const tampered = envelope({
      tamperPayload: (p) =>
        Buffer.from(Buffer.from(p, 'base64url').toString().replace('"size":1234', '"size":1235')).toString(
          'base64url',
        ),
    });
    expect(await verify(tampered, [aws([PROFILE])])).toMatchObject({
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
      failedCheck: 'integrity',
    });
  });

  it('a signature for another image fails the descriptor check', async () => {
    const other = envelope({ target: { ...TARGET, digest: `sha256:${'cd'.repeat(32)}` } });
    const result = await verify(other, [aws([PROFILE])]);
    expect(result).toMatchObject({
      ok: false,
      reason: ReasonCode.DIGEST_MISMATCH,
      failedCheck: 'descriptor',
    });
    const otherSize = await verify(envelope({ target: { ...TARGET, size: 1 } }), [aws([PROFILE])]);
    expect(otherSize).toMatchObject({ ok: false, failedCheck: 'descriptor' });
    const otherType = await verify(
      envelope({ target: { ...TARGET, mediaType: 'application/vnd.oci.image.index.v1+json' } }),
      [aws([PROFILE])],
    );
    expect(otherType).toMatchObject({ ok: false, failedCheck: 'descriptor' });
  });

  it('the AWS attributes are required: no signing job, or another plugin, fails', async () => {
    const noJob = makeNotaryJws({
      alg: 'ES384',
      signingScheme: 'notary.x509.signingAuthority',
      signingTime: SIGNED,
      extended: [
        {
          key: 'io.cncf.notary.verificationPlugin',
          value: 'com.amazonaws.signer.notation.plugin',
          critical: true,
        },
        { key: 'com.amazonaws.signer.signingProfileVersion', value: VERSION, critical: true },
      ],
      chain: chain.chain,
      key: chain.leaf.privateKey,
      target: TARGET,
    });
    expect(await verify(noJob, [aws([PROFILE])])).toMatchObject({
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
    });
    const otherPlugin = makeNotaryJws({
      alg: 'ES384',
      signingScheme: 'notary.x509.signingAuthority',
      signingTime: SIGNED,
      extended: [{ key: 'io.cncf.notary.verificationPlugin', value: 'com.example.plugin', critical: true }],
      chain: chain.chain,
      key: chain.leaf.privateKey,
      target: TARGET,
    });
    expect(await verify(otherPlugin, [aws([PROFILE])])).toMatchObject({
      ok: false,
      reason: ReasonCode.UNSUPPORTED_FORMAT,
    });
  });

  it('a notary.x509 signature is not an AWS Signer signature', async () => {
    const x509 = makeNotaryJws({
      alg: 'ES384',
      signingScheme: 'notary.x509',
      signingTime: SIGNED,
      chain: chain.chain,
      key: chain.leaf.privateKey,
      target: TARGET,
    });
    expect(await verify(x509, [aws([PROFILE])])).toMatchObject({ ok: false, failedCheck: 'authenticity' });
  });
});

describe('verifier selection', () => {
  const x509 = (certificates: Buffer[]): Extract<NotationVerifier, { kind: 'x509' }> => ({
    kind: 'x509',
    name: 'team-ca',
    trustStores: [{ type: 'signingAuthority', name: 'aws', certificates }],
    trustedIdentities: ['*'],
    verifyTimestamp: 'always',
  });

  it('an x509 verifier cannot verify a signature that needs the AWS Signer plugin (inconclusive = fail)', async () => {
    const result = await verify(envelope(), [x509([root.der])]);
    expect(result).toMatchObject({
      ok: false,
      reason: ReasonCode.UNSUPPORTED_FORMAT,
      failedCheck: 'integrity',
    });
    expect(result.message).toContain('com.amazonaws.signer.notation.plugin');
  });

  it('the first verifier that passes is reported', async () => {
    const result = await verify(envelope(), [
      x509([root.der]),
      aws([PROFILE], 'second'),
      aws([VERSION], 'third'),
    ]);
    expect(result).toMatchObject({ ok: true, verifier: 'second' });
  });

  it('when none passes, the failure furthest along notation’s steps is reported', async () => {
    const result = await verify(envelope(), [
      x509([root.der]),
      aws(['arn:aws:signer:us-east-2:1:/signing-profiles/Nope'], 'wrong-profile'),
    ]);
    expect(result).toMatchObject({ ok: false, failedCheck: 'trustedIdentity' });
    expect(result.message).toMatch(/^wrong-profile: /);
  });

  it('a signingAuthority signature needs a signingAuthority store: the same root in a ca store does not authenticate it', async () => {
    const plain = makeNotaryJws({
      alg: 'ES384',
      signingScheme: 'notary.x509.signingAuthority',
      signingTime: SIGNED,
      chain: chain.chain,
      key: chain.leaf.privateKey,
      target: TARGET,
    });
    const inCa: NotationVerifier = {
      ...x509([]),
      trustStores: [{ type: 'ca', name: 'aws', certificates: [root.der] }],
    };
    expect(await verify(plain, [inCa])).toMatchObject({ ok: false, failedCheck: 'authenticity' });
    expect(await verify(plain, [x509([root.der])])).toMatchObject({ ok: true, verifier: 'team-ca' });
  });
});
