import { verifyNotationEnvelope } from '../../lambda/notation/verify-envelope';
import { parseCertificate } from '../../lambda/notation/x509/certificate';
import { notationFixtureBytes, notationFixtureJson } from '../support/notation/fixtures';
import { decode, Tag } from 'cbor2';
import {
  assembleCoseEnvelope,
  assembleJwsEnvelope,
  makeCoseProtectedHeader,
  AWS_SIGNER_LEAF_NAME,
  makeAwsSignerJws,
  makeAwsSignerTestChain,
  makeNotaryPayload,
  makeProtectedHeader,
  type AwsSignerTestChain,
} from '../support/notation/test-signer';

interface RealJws {
  payload: string;
  protected: string;
  signature: string;
  header: Record<string, unknown> & { x5c: string[] };
}

const realJws = (dir: string): RealJws =>
  JSON.parse(notationFixtureBytes(`${dir}/envelope.jws`).toString('utf8')) as RealJws;
const decoded = (b64url: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(b64url, 'base64url').toString('utf8')) as Record<string, unknown>;

/** The signer must write what notation writes: compared byte-for-byte with real envelopes. */
describe('test signer reproduces notation JWS byte shapes', () => {
  it.each(['jws-ps256-e2e-selfsigned-valid', 'jws-ps256-rfc3161-timestamp-valid'])(
    're-assembles %s byte-for-byte',
    (dir) => {
      const real = realJws(dir);
      const header = decoded(real.protected);
      const target = JSON.parse(Buffer.from(real.payload, 'base64url').toString('utf8')).targetArtifact;
      // Protected header and payload, from their values alone.
      expect(
        makeProtectedHeader({
          alg: header.alg as string,
          signingScheme: header['io.cncf.notary.signingScheme'] as string,
          signingTime: header['io.cncf.notary.signingTime'] as string,
        }),
      ).toBe(Buffer.from(real.protected, 'base64url').toString('utf8'));
      expect(makeNotaryPayload(target)).toBe(Buffer.from(real.payload, 'base64url').toString('utf8'));
      // The whole envelope, from its parts.
      const token = real.header['io.cncf.notary.timestampSignature'] as string | undefined;
      const envelope = assembleJwsEnvelope({
        protected: real.protected,
        payload: real.payload,
        signature: real.signature,
        x5c: real.header.x5c.map((c) => Buffer.from(c, 'base64')),
        signingAgent: real.header['io.cncf.notary.signingAgent'] as string,
        ...(token === undefined ? {} : { timestampToken: Buffer.from(token, 'base64') }),
      });
      expect(envelope.equals(notationFixtureBytes(`${dir}/envelope.jws`))).toBe(true);
    },
  );

  it('writes a signingAuthority header (crit order, sorted keys) as notation-core-go does', () => {
    const real = realJws('jws-ps384-signingauthority-valid');
    const header = decoded(real.protected);
    expect(
      makeProtectedHeader({
        alg: 'PS384',
        signingScheme: 'notary.x509.signingAuthority',
        signingTime: header['io.cncf.notary.authenticSigningTime'] as string,
        expiry: header['io.cncf.notary.expiry'] as string,
      }),
    ).toBe(Buffer.from(real.protected, 'base64url').toString('utf8'));
  });
});

describe('test signer reproduces notation-go COSE byte shapes', () => {
  it.each(['cose-ps256-notationgo-alpine-valid', 'cose-ps256-rfc3161-timestamp-valid'])(
    're-assembles %s byte-for-byte',
    (dir) => {
      const real = notationFixtureBytes(`${dir}/envelope.cose`);
      const message = decode(new Uint8Array(real), { ignoreGlobalTags: true, preferMap: true }) as Tag;
      const [protectedBytes, unprotected, payload, signature] = message.contents as [
        Uint8Array,
        Map<unknown, unknown>,
        Uint8Array,
        Uint8Array,
      ];
      const header = decode(protectedBytes, { ignoreGlobalTags: true, preferMap: true }) as Map<
        unknown,
        unknown
      >;
      const signingTime = header.get('io.cncf.notary.signingTime') as Tag;
      const rebuiltHeader = makeCoseProtectedHeader({
        alg: header.get(1) as number,
        signingScheme: header.get('io.cncf.notary.signingScheme') as string,
        signingTime: new Date((signingTime.contents as number) * 1000),
      });
      expect(rebuiltHeader.equals(Buffer.from(protectedBytes))).toBe(true);
      const token = unprotected.get('io.cncf.notary.timestampSignature') as Uint8Array | undefined;
      const rebuilt = assembleCoseEnvelope({
        protectedHeader: rebuiltHeader,
        x5chain: (unprotected.get(33) as Uint8Array[]).map((c) => Buffer.from(c)),
        payload: Buffer.from(payload),
        signature: Buffer.from(signature),
        signingAgent: unprotected.get('io.cncf.notary.signingAgent') as string,
        ...(token === undefined ? {} : { timestampToken: Buffer.from(token) }),
      });
      expect(rebuilt.equals(real)).toBe(true);
    },
  );
});

describe('AWS-Signer-like envelopes have the real shapes', () => {
  const signingTime = new Date('2023-12-06T01:20:03Z');
  const real = notationFixtureJson<{
    signatures: Array<{ signedAttributes: Record<string, string> }>;
    'certificateChain (x5c order, identical in both signatures)': Array<{ subject: string }>;
  }>('aws-signer-real-metadata/real-signatures.json');
  const realAttributes = real.signatures[0]!.signedAttributes;
  let chain: AwsSignerTestChain;
  let envelope: RealJws;

  beforeAll(async () => {
    chain = await makeAwsSignerTestChain({ leafNotBefore: new Date('2023-12-06T00:30:50Z') });
    envelope = JSON.parse(
      makeAwsSignerJws({
        chain,
        target: {
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          digest: `sha256:${'3c'.repeat(32)}`,
          size: 1778,
        },
        signingTime,
        expiry: new Date(realAttributes.expiry!),
        profileVersionArn: realAttributes['com.amazonaws.signer.signingProfileVersion']!,
        jobArn: realAttributes['com.amazonaws.signer.signingJob']!,
      }).toString('utf8'),
    ) as RealJws;
  });

  it('same top-level members, unprotected header members and x5c encoding as a real notation JWS', () => {
    const reference = realJws('jws-ps256-e2e-selfsigned-valid');
    expect(Object.keys(envelope)).toEqual(Object.keys(reference));
    expect(Object.keys(envelope.header)).toEqual(Object.keys(reference.header));
    for (const [i, c] of envelope.header.x5c.entries()) {
      expect(c).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(Buffer.from(c, 'base64').equals(chain.chain[i]!)).toBe(true);
    }
  });

  it('the real signingAuthority header members plus exactly the AWS attributes, with the real values', () => {
    const reference = decoded(realJws('jws-ps384-signingauthority-valid').protected);
    const ours = decoded(envelope.protected);
    const added = Object.keys(ours).filter((k) => !(k in reference));
    expect(Object.keys(reference).every((k) => k in ours)).toBe(true);
    expect(added.sort()).toEqual([
      'com.amazonaws.signer.signingJob',
      'com.amazonaws.signer.signingProfileVersion',
      'io.cncf.notary.verificationPlugin',
    ]);
    expect(Object.keys(ours)).toEqual([...Object.keys(ours)].sort());
    expect(ours.alg).toBe('ES384');
    expect(ours['io.cncf.notary.signingScheme']).toBe(realAttributes.signingScheme);
    expect(ours['io.cncf.notary.authenticSigningTime']).toBe(
      realAttributes['signingTime (= io.cncf.notary.authenticSigningTime)'],
    );
    expect(ours['io.cncf.notary.expiry']).toBe(realAttributes.expiry);
    for (const key of added) expect(ours[key]).toBe(realAttributes[key]);
    expect(ours.crit).toEqual(
      expect.arrayContaining([
        ...added,
        'io.cncf.notary.signingScheme',
        'io.cncf.notary.authenticSigningTime',
        'io.cncf.notary.expiry',
      ]),
    );
  });

  it('the payload has the real CLI payload shape', () => {
    const reference = decoded(realJws('jws-ps256-e2e-selfsigned-valid').payload);
    const ours = decoded(envelope.payload);
    expect(Object.keys(ours)).toEqual(Object.keys(reference));
    expect(Object.keys(ours.targetArtifact as object)).toEqual(
      Object.keys(reference.targetArtifact as object),
    );
  });

  it('a four-certificate P-384 chain with the real leaf subject and a three-day leaf', () => {
    const certs = chain.chain.map(parseCertificate);
    const realChain = real['certificateChain (x5c order, identical in both signatures)'];
    expect(certs).toHaveLength(realChain.length);
    expect(certs[0]!.subject).toBe(realChain[0]!.subject);
    expect(AWS_SIGNER_LEAF_NAME.map(([t]) => t)).toEqual(['C', 'ST', 'L', 'O', 'OU', 'CN']);
    expect(certs[0]!.notAfter.getTime() - certs[0]!.notBefore.getTime()).toBe(3 * 24 * 3600 * 1000);
    expect(certs[0]!.keyUsage?.critical).toBe(true);
    for (const cert of certs) {
      expect(cert.x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
      // One attribute per RDN, like every real certificate here.
      expect(cert.multiValuedRdns).toBe(0);
    }
  });

  it('verifies as an AWS Signer signature when its root is the AWS root', async () => {
    const result = await verifyNotationEnvelope(
      {
        envelope: assembleJwsEnvelope({
          protected: envelope.protected,
          payload: envelope.payload,
          signature: envelope.signature,
          x5c: chain.chain,
        }),
        envelopeMediaType: 'application/jose+json',
        target: {
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          digest: `sha256:${'3c'.repeat(32)}`,
          size: 1778,
        },
        verifiers: [
          {
            kind: 'awsSigner',
            name: 'aws',
            signingProfiles: [
              'arn:aws:signer:us-east-2:209640446841:/signing-profiles/SigningProfile_0Aoxfd1fB9Lu',
            ],
          },
        ],
        now: new Date('2026-06-01T00:00:00Z'),
      },
      { awsSignerRoots: [chain.root.der] },
    );
    expect(result).toMatchObject({
      ok: true,
      identity: 'arn:aws:signer:us-east-2:209640446841:/signing-profiles/SigningProfile_0Aoxfd1fB9Lu',
    });
  });
});
