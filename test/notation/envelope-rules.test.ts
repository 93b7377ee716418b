import { decode, encode, Tag } from 'cbor2';
import { ReasonCode } from '../../lambda/reasons';
import { NOTATION_LIMITS } from '../../lambda/notation/limits';
import { trustedIdentityIssues } from '../../lambda/policy/notation-identities';
import type { NotationCheckName, NotationVerifier, TrustStore } from '../../lambda/notation/types';
import { verifyNotationEnvelope } from '../../lambda/notation/verify-envelope';
import {
  AWS_SIGNER_LEAF_NAME,
  COSE_ALG,
  EKU_CODE_SIGNING,
  makeAwsSignerTestChain,
  makeNotaryCose,
  makeNotaryJws,
  makeTestCertificate,
  type AwsSignerTestChain,
  type NotaryCoseOptions,
  type NotaryJwsOptions,
  type TestCertificate,
  type TestName,
} from '../support/notation/test-signer';

const DAY = 24 * 3600 * 1000;
const LEAF_START = new Date('2024-05-01T10:00:00Z');
const SIGNED = new Date('2024-05-01T11:00:00Z');
const NOW = new Date('2024-05-02T00:00:00Z');
const TARGET = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'ab'.repeat(32)}`,
  size: 1234,
};
const JWS = 'application/jose+json';
const COSE = 'application/cose';

let good: AwsSignerTestChain;
beforeAll(async () => {
  good = await makeAwsSignerTestChain({ leafNotBefore: LEAF_START });
});

function x509(
  overrides: Partial<Extract<NotationVerifier, { kind: 'x509' }>> = {},
  stores?: TrustStore[],
): NotationVerifier {
  return {
    kind: 'x509',
    name: 'team',
    trustStores: stores ?? [{ type: 'ca', name: 'root', certificates: [good.root.der] }],
    trustedIdentities: ['*'],
    verifyTimestamp: 'always',
    ...overrides,
  };
}

function jws(overrides: Partial<NotaryJwsOptions> = {}): Buffer {
  return makeNotaryJws({
    alg: 'ES384',
    signingScheme: 'notary.x509',
    signingTime: SIGNED,
    chain: good.chain,
    key: good.leaf.privateKey,
    target: TARGET,
    ...overrides,
  });
}

function cose(overrides: Partial<NotaryCoseOptions> = {}): Buffer {
  return makeNotaryCose({
    alg: COSE_ALG.ES384,
    signAlg: 'ES384',
    signingScheme: 'notary.x509',
    signingTime: SIGNED,
    chain: good.chain,
    key: good.leaf.privateKey,
    target: TARGET,
    ...overrides,
  });
}

async function check(
  envelope: Buffer,
  options: { mediaType?: string; verifiers?: NotationVerifier[]; now?: Date } = {},
) {
  return verifyNotationEnvelope({
    envelope,
    envelopeMediaType: options.mediaType ?? JWS,
    target: TARGET,
    verifiers: options.verifiers ?? [x509()],
    now: options.now ?? NOW,
  });
}

async function expectFailure(
  envelope: Buffer,
  failedCheck: NotationCheckName,
  reason: ReasonCode,
  pattern: RegExp,
  options: Parameters<typeof check>[1] = {},
) {
  const result = await check(envelope, options);
  expect({ ok: result.ok, failedCheck: result.failedCheck, reason: result.reason }).toEqual({
    ok: false,
    failedCheck,
    reason,
  });
  expect(result.message).toMatch(pattern);
}

describe('baseline: the generated notary.x509 envelopes verify', () => {
  it.each([
    ['JWS', () => jws(), JWS],
    ['COSE', () => cose(), COSE],
  ] as const)('%s', async (_name, make, mediaType) => {
    const result = await check(make(), { mediaType });
    expect(result).toMatchObject({
      ok: true,
      format: mediaType === JWS ? 'notation-jws' : 'notation-cose',
      signingScheme: 'notary.x509',
    });
  });
});

describe('certificate chain rules (integrity)', () => {
  async function chainWithLeaf(
    leaf: Partial<Parameters<typeof makeTestCertificate>[0]>,
  ): Promise<{ chain: Buffer[]; key: TestCertificate }> {
    const cert = await makeTestCertificate({
      name: AWS_SIGNER_LEAF_NAME,
      issuer: good.regional,
      notBefore: LEAF_START,
      notAfter: new Date(LEAF_START.getTime() + 3 * DAY),
      ca: false,
      keyUsage: ['digitalSignature'],
      extKeyUsage: [EKU_CODE_SIGNING],
      ...leaf,
    });
    return { chain: [cert.der, good.regional.der, good.intermediate.der, good.root.der], key: cert };
  }
  const signedBy = ({ chain, key }: { chain: Buffer[]; key: TestCertificate }) =>
    jws({ chain, key: key.privateKey });

  it('leaf key usage must be critical', async () => {
    await expectFailure(
      signedBy(await chainWithLeaf({ keyUsageCritical: false })),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /key usage extension must be critical/,
    );
  });
  it('leaf key usage must be present', async () => {
    const { keyUsage: _omit, ...rest } = { keyUsage: undefined };
    await expectFailure(
      signedBy(await chainWithLeaf({ ...rest, keyUsage: undefined })),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /no key usage/,
    );
  });
  it('leaf key usage must be digitalSignature only', async () => {
    await expectFailure(
      signedBy(await chainWithLeaf({ keyUsage: ['digitalSignature', 'keyCertSign'] })),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /keyCertSign/,
    );
    await expectFailure(
      signedBy(await chainWithLeaf({ keyUsage: ['keyEncipherment'] })),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /digitalSignature/,
    );
  });
  it.each([
    ['serverAuth', '1.3.6.1.5.5.7.3.1'],
    ['timeStamping', '1.3.6.1.5.5.7.3.8'],
    ['anyExtendedKeyUsage', '2.5.29.37.0'],
  ])('leaf extended key usage %s is refused', async (name, oid) => {
    await expectFailure(
      signedBy(await chainWithLeaf({ extKeyUsage: [oid] })),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      new RegExp(name),
    );
  });
  it('the leaf must not be a CA', async () => {
    await expectFailure(
      signedBy(await chainWithLeaf({ ca: true })),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /is a CA/,
    );
  });
  it('the chain must end in a self-signed root', async () => {
    await expectFailure(
      jws({ chain: good.chain.slice(0, 3) }),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /not a self-signed root/,
    );
  });
  it('a single certificate must be self-signed', async () => {
    await expectFailure(
      jws({ chain: good.chain.slice(0, 1) }),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /not self-signed/,
    );
  });
  it('each certificate must be issued by the next one', async () => {
    const shuffled = [good.chain[0]!, good.chain[2]!, good.chain[1]!, good.chain[3]!];
    await expectFailure(
      jws({ chain: shuffled }),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /not issued by the next/,
    );
  });
  it('the raw issuer must equal the parent subject, even when the signature verifies', async () => {
    const renamed: TestName = [
      ['C', 'US'],
      ['ST', 'WA'],
      ['O', 'AWS'],
      ['CN', 'Somebody else'],
    ];
    await expectFailure(
      signedBy(await chainWithLeaf({ issuerName: renamed })),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /not issued by the next/,
    );
  });
  it('no self-signed certificate before the end of the chain', async () => {
    const extraRoot = [good.chain[0]!, good.chain[1]!, good.chain[2]!, good.chain[3]!, good.chain[3]!];
    await expectFailure(
      jws({ chain: extraRoot }),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /self-signed but is not the last/,
    );
  });
  it('no SHA-1 certificate signatures', async () => {
    await expectFailure(
      signedBy(await chainWithLeaf({ signHash: 'SHA-1' })),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /insecure/,
    );
  });
  it('CA certificates need basicConstraints CA=true, keyCertSign, and a path length that fits', async () => {
    const base = {
      issuer: good.root,
      notBefore: new Date(LEAF_START.getTime() - DAY),
      notAfter: new Date(LEAF_START.getTime() + 10 * DAY),
    };
    const caName: TestName = [
      ['C', 'US'],
      ['ST', 'WA'],
      ['O', 'AWS'],
      ['CN', 'CA under test'],
    ];
    for (const [ca, pattern] of [
      [{ ca: true, keyUsage: ['digitalSignature'] }, /keyCertSign/],
      [{ ca: true, pathLen: 0, keyUsage: ['keyCertSign'] }, /path length/],
      [{ ca: true, keyUsage: ['keyCertSign'], keyUsageCritical: false }, /must be critical/],
      [{ ca: false, keyUsage: ['keyCertSign'] }, /lacks basicConstraints CA=true/],
    ] as const) {
      const intermediate = await makeTestCertificate({
        ...base,
        name: caName,
        ...ca,
        keyUsage: [...ca.keyUsage],
      });
      const regional = await makeTestCertificate({
        ...base,
        name: [
          ['C', 'US'],
          ['ST', 'WA'],
          ['O', 'AWS'],
          ['CN', 'regional'],
        ],
        issuer: intermediate,
        ca: true,
        keyUsage: ['keyCertSign'],
      });
      const leaf = await makeTestCertificate({
        ...base,
        name: AWS_SIGNER_LEAF_NAME,
        issuer: regional,
        ca: false,
        keyUsage: ['digitalSignature'],
      });
      const result = await check(
        jws({ chain: [leaf.der, regional.der, intermediate.der, good.root.der], key: leaf.privateKey }),
      );
      expect(result).toMatchObject({
        ok: false,
        failedCheck: 'integrity',
        reason: ReasonCode.SIGNATURE_INVALID,
      });
      expect(result.message).toMatch(pattern);
    }
  });
  it('a CA with the right name but another key does not issue the leaf', async () => {
    const impostor = await makeTestCertificate({
      name: good.regional.name,
      issuer: good.intermediate,
      notBefore: new Date(LEAF_START.getTime() - DAY),
      notAfter: new Date(LEAF_START.getTime() + 10 * DAY),
      ca: true,
      keyUsage: ['keyCertSign'],
    });
    const leaf = await makeTestCertificate({
      name: AWS_SIGNER_LEAF_NAME,
      issuer: impostor,
      notBefore: LEAF_START,
      notAfter: new Date(LEAF_START.getTime() + 3 * DAY),
      ca: false,
      keyUsage: ['digitalSignature'],
    });
    await expectFailure(
      jws({ chain: [leaf.der, ...good.chain.slice(1)], key: leaf.privateKey }),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /not issued by the next/,
    );
  });
  it('a leaf key Notation does not allow is unsupported', async () => {
    const leaf = await chainWithLeaf({ rsaBits: 1024 });
    await expectFailure(
      jws({ chain: leaf.chain, key: good.leaf.privateKey }),
      'integrity',
      ReasonCode.UNSUPPORTED_FORMAT,
      /RSA key of 1024 bits/,
    );
  });
  it('leaf key usage must include digitalSignature', async () => {
    await expectFailure(
      signedBy(await chainWithLeaf({ keyUsage: ['nonRepudiation'] })),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /lacks digitalSignature/,
    );
  });
});

describe('protected header rules (integrity)', () => {
  it('crit must be present and list the required headers', async () => {
    await expectFailure(jws({ crit: [] }), 'integrity', ReasonCode.SIGNATURE_MALFORMED, /no "crit"/);
    await expectFailure(
      jws({ expiry: new Date(SIGNED.getTime() + DAY), crit: ['io.cncf.notary.signingScheme'] }),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /not marked critical: io.cncf.notary.expiry/,
    );
    await expectFailure(
      jws({ signingScheme: 'notary.x509.signingAuthority', crit: ['io.cncf.notary.signingScheme'] }),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /authenticSigningTime/,
    );
  });
  it('every crit entry must be a present extension header', async () => {
    await expectFailure(
      jws({ crit: ['io.cncf.notary.signingScheme', 'com.example.absent'] }),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /marked critical but is not a present/,
    );
  });
  it('each scheme has its own signing time and not the other', async () => {
    await expectFailure(
      jws({
        signingScheme: 'notary.x509.signingAuthority',
        extended: [{ key: 'io.cncf.notary.signingTime', value: '2024-05-01T11:00:00Z', critical: false }],
      }),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /must not be present/,
    );
  });
  it('an unknown signing scheme is unsupported', async () => {
    await expectFailure(
      jws({ signingScheme: 'notary.x509.v2' }),
      'integrity',
      ReasonCode.UNSUPPORTED_FORMAT,
      /signing scheme/,
    );
  });
  it('expiry must be after the signing time', async () => {
    await expectFailure(
      jws({ expiry: SIGNED }),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /not after the signing time/,
    );
  });
  it('times must be RFC 3339', async () => {
    await expectFailure(
      jws({ signingTime: '2024-05-01 11:00:00' }),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /RFC 3339/,
    );
  });
  it('the payload content type must be the Notary payload', async () => {
    await expectFailure(
      jws({ cty: 'application/json' }),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /content type/,
    );
  });
  it('the payload is exactly {"targetArtifact": descriptor}', async () => {
    const extra = JSON.stringify({ targetArtifact: TARGET, also: 1 });
    await expectFailure(
      jws({ payloadJson: extra }),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /exactly one member/,
    );
    const noSize = JSON.stringify({ targetArtifact: { mediaType: TARGET.mediaType, digest: TARGET.digest } });
    await expectFailure(jws({ payloadJson: noSize }), 'integrity', ReasonCode.SIGNATURE_MALFORMED, /size/);
  });
});

describe('JWS encoding (integrity)', () => {
  interface JwsJson {
    protected: string;
    signature: string;
    header: Record<string, unknown> & { x5c: string[] };
  }
  const mutate = (envelope: Buffer, change: (e: JwsJson) => void): Buffer => {
    const parsed = JSON.parse(envelope.toString('utf8')) as JwsJson;
    change(parsed);
    return Buffer.from(JSON.stringify(parsed));
  };
  it('non-base64url characters and padding are refused, never repaired', async () => {
    await expectFailure(
      mutate(jws(), (e) => (e.signature = `${e.signature}=`)),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /base64url/,
    );
    await expectFailure(
      mutate(jws(), (e) => (e.protected = e.protected.replace(/^./, '+'))),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /base64url/,
    );
  });
  it('x5c must be standard base64', async () => {
    await expectFailure(
      mutate(jws(), (e) => (e.header.x5c[0] = `-${e.header.x5c[0]!.slice(1)}`)),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /x5c\[0\]/,
    );
  });
  it('the unsigned thumbprint annotation is never consulted; a bogus one changes nothing', async () => {
    // Notation verifiers must not rely on io.cncf.notary.x509chain.thumbprint#S256; only x5c counts.
    const withHint = mutate(jws(), (e) => (e.header['io.cncf.notary.x509chain.thumbprint#S256'] = '["00"]'));
    expect((await check(withHint)).ok).toBe(true);
  });
  it('a layer that is neither JWS nor COSE fails whatever its bytes', async () => {
    await expectFailure(jws(), 'integrity', ReasonCode.SIGNATURE_MALFORMED, /not a Notation envelope/, {
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
    });
  });
  it('not JSON', async () => {
    await expectFailure(Buffer.from('not json'), 'integrity', ReasonCode.SIGNATURE_MALFORMED, /not JSON/);
  });
});

describe('caps', () => {
  it('an envelope over the cap is refused before parsing', async () => {
    const big = Buffer.alloc(NOTATION_LIMITS.maxEnvelopeBytes + 1, 0x20);
    await expectFailure(big, 'integrity', ReasonCode.SIGNATURE_MALFORMED, /exceeds/);
  });
  it('too many certificates', async () => {
    const chain = Array.from({ length: NOTATION_LIMITS.maxChainLength + 1 }, () => good.chain[0]!);
    await expectFailure(jws({ chain }), 'integrity', ReasonCode.SIGNATURE_MALFORMED, /exceeds the cap/);
  });
  it('an oversized certificate', async () => {
    await expectFailure(
      jws({ chain: [Buffer.alloc(NOTATION_LIMITS.maxCertificateBytes + 1, 1)] }),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /exceeds/,
    );
  });
  it('deeply nested CBOR', async () => {
    let nested: unknown = 1;
    for (let i = 0; i < 50; i += 1) nested = [nested];
    await expectFailure(
      Buffer.from(encode(new Tag(18, nested))),
      'integrity',
      ReasonCode.SIGNATURE_MALFORMED,
      /CBOR/,
      { mediaType: COSE },
    );
  });
});

describe('COSE specifics (integrity)', () => {
  it('times must be CBOR tag 1', async () => {
    await expectFailure(cose({ untaggedTimes: true }), 'integrity', ReasonCode.SIGNATURE_MALFORMED, /tag 1/, {
      mediaType: COSE,
    });
  });
  it('the algorithm label must match the leaf key', async () => {
    await expectFailure(
      cose({ alg: COSE_ALG.ES256, signAlg: 'ES256' }),
      'integrity',
      ReasonCode.SIGNATURE_INVALID,
      /substitution/,
      { mediaType: COSE },
    );
  });
  it('a tampered payload', async () => {
    const tampered = cose({ tamperPayload: (p) => Buffer.from(p.toString().replace('1234', '1235')) });
    await expectFailure(tampered, 'integrity', ReasonCode.SIGNATURE_INVALID, /does not verify/, {
      mediaType: COSE,
    });
  });
  it('an unknown critical label', async () => {
    const unknown = cose({ extended: [{ key: 'com.example.mustUnderstand', value: 1, critical: true }] });
    await expectFailure(unknown, 'integrity', ReasonCode.UNSUPPORTED_FORMAT, /unknown critical attribute/, {
      mediaType: COSE,
    });
  });
  it('the message must be COSE_Sign1_Tagged (tag 18)', async () => {
    const message = decode(new Uint8Array(cose()), { ignoreGlobalTags: true, preferMap: true }) as Tag;
    for (const retagged of [message.contents, new Tag(98, message.contents)]) {
      await expectFailure(
        Buffer.from(encode(retagged)),
        'integrity',
        ReasonCode.SIGNATURE_MALFORMED,
        /COSE_Sign1_Tagged/,
        {
          mediaType: COSE,
        },
      );
    }
  });
  it('a JWS served as COSE (and the reverse) is malformed', async () => {
    await expectFailure(jws(), 'integrity', ReasonCode.SIGNATURE_MALFORMED, /COSE/, { mediaType: COSE });
    await expectFailure(cose(), 'integrity', ReasonCode.SIGNATURE_MALFORMED, /JSON/, { mediaType: JWS });
  });
});

describe('x509.subject trusted identities', () => {
  const identity = (ids: string[]) => ({ verifiers: [x509({ trustedIdentities: ids })] });

  it('a subset of the leaf subject matches, and the leaf subject is reported', async () => {
    const result = await check(jws(), identity(['x509.subject: C=US, ST=WA, O=AWS']));
    expect(result).toMatchObject({
      ok: true,
      identity: 'CN=AWS Signer,OU=AWS Cryptography,O=AWS,L=Seattle,ST=WA,C=US',
    });
    expect((await check(jws(), identity(['x509.subject: C=US,S=WA,O=AWS,L=Seattle,CN=AWS Signer']))).ok).toBe(
      true,
    );
    expect(
      (
        await check(
          jws(),
          identity(['x509.subject: C=US, ST=WA, O=Other', 'x509.subject: O=AWS, ST=WA, C=US']),
        )
      ).ok,
    ).toBe(true);
  });
  it('a different value, or an attribute the leaf lacks, does not match', async () => {
    await expectFailure(
      jws(),
      'trustedIdentity',
      ReasonCode.SIGNATURE_INVALID,
      /matches none/,
      identity(['x509.subject: C=US, ST=WA, O=aws']),
    );
    await expectFailure(
      jws(),
      'trustedIdentity',
      ReasonCode.SIGNATURE_INVALID,
      /matches none/,
      identity(['x509.subject: C=US, ST=WA, O=AWS, OU=Other']),
    );
  });
  it('identities need C, ST and O, no multi-valued RDNs, no =#', async () => {
    await expectFailure(
      jws(),
      'trustedIdentity',
      ReasonCode.SIGNATURE_INVALID,
      /mandatory ST/,
      identity(['x509.subject: C=US, O=AWS']),
    );
    await expectFailure(
      jws(),
      'trustedIdentity',
      ReasonCode.SIGNATURE_INVALID,
      /multi-valued/,
      identity(['x509.subject: C=US+ST=WA, O=AWS']),
    );
    await expectFailure(
      jws(),
      'trustedIdentity',
      ReasonCode.SIGNATURE_INVALID,
      /BER-encoded/,
      identity(['x509.subject: C=US, ST=WA, O=#0403414153']),
    );
    await expectFailure(
      jws(),
      'trustedIdentity',
      ReasonCode.SIGNATURE_INVALID,
      /no x509.subject/,
      identity(['other: thing']),
    );
  });
  it('the policy check and verification read DNs with one parser: what loads is what verifies', async () => {
    // Quotes and a hex escape (L=Seattl\65 is Seattle): accepted at policy load, matched at verification.
    const escaped = ['x509.subject: C=US, ST=WA, O="AWS", L=Seattl\\65'];
    expect(trustedIdentityIssues(escaped)).toEqual([]);
    expect((await check(jws(), identity(escaped))).ok).toBe(true);
    // Lower-case types are not C, ST and O to notation: refused at load, never a match at verification.
    const lower = ['x509.subject: c=US, st=WA, o=AWS'];
    expect(trustedIdentityIssues(lower)).toEqual([
      { index: 0, message: expect.stringMatching(/missing C, ST, O.*case-sensitive/) },
    ]);
    await expectFailure(
      jws(),
      'trustedIdentity',
      ReasonCode.SIGNATURE_INVALID,
      /missing C, ST, O.*case-sensitive/,
      identity(lower),
    );
  });
  it('a leaf subject with a multi-valued RDN fails unless "*"', async () => {
    const leaf = await makeTestCertificate({
      name: AWS_SIGNER_LEAF_NAME,
      multiValuedRdn: true,
      issuer: good.regional,
      notBefore: LEAF_START,
      notAfter: new Date(LEAF_START.getTime() + 3 * DAY),
      ca: false,
      keyUsage: ['digitalSignature'],
    });
    const envelope = jws({ chain: [leaf.der, ...good.chain.slice(1)], key: leaf.privateKey });
    await expectFailure(
      envelope,
      'trustedIdentity',
      ReasonCode.SIGNATURE_INVALID,
      /multi-valued RDN/,
      identity(['x509.subject: C=US, ST=WA, O=AWS']),
    );
    expect((await check(envelope, identity(['*']))).ok).toBe(true);
  });
  it('a leaf subject notation cannot print by name fails unless "*"', async () => {
    const leaf = await makeTestCertificate({
      name: [...AWS_SIGNER_LEAF_NAME, ['emailAddress', 'signer@example.com']],
      issuer: good.regional,
      notBefore: LEAF_START,
      notAfter: new Date(LEAF_START.getTime() + 3 * DAY),
      ca: false,
      keyUsage: ['digitalSignature'],
    });
    const envelope = jws({ chain: [leaf.der, ...good.chain.slice(1)], key: leaf.privateKey });
    await expectFailure(
      envelope,
      'trustedIdentity',
      ReasonCode.SIGNATURE_INVALID,
      /cannot compare/,
      identity(['x509.subject: C=US, ST=WA, O=AWS']),
    );
    expect((await check(envelope, identity(['*']))).ok).toBe(true);
  });
});

describe('authenticity and timestamps for notary.x509', () => {
  it('a trust store without a usable anchor fails', async () => {
    await expectFailure(jws(), 'authenticity', ReasonCode.SIGNATURE_INVALID, /no trusted certificates/, {
      verifiers: [x509({}, [{ type: 'ca', name: 'leaf-only', certificates: [good.leaf.der] }])],
    });
    await expectFailure(jws(), 'authenticity', ReasonCode.SIGNATURE_INVALID, /no trusted certificates/, {
      verifiers: [x509({}, [])],
    });
  });
  it('an intermediate of the chain in the store authenticates it', async () => {
    const result = await check(jws(), {
      verifiers: [x509({}, [{ type: 'ca', name: 'int', certificates: [good.intermediate.der] }])],
    });
    expect(result.ok).toBe(true);
  });
  it('without a tsa store the current time must be inside every certificate validity', async () => {
    await expectFailure(
      jws(),
      'authenticTimestamp',
      ReasonCode.SIGNATURE_INVALID,
      /not valid at verification time/,
      {
        now: new Date(LEAF_START.getTime() + 4 * DAY),
      },
    );
  });
  it('with a tsa store a timestamp is required', async () => {
    const tsa: TrustStore = { type: 'tsa', name: 'tsa', certificates: [good.root.der] };
    const stores = [{ type: 'ca' as const, name: 'root', certificates: [good.root.der] }, tsa];
    await expectFailure(jws(), 'authenticTimestamp', ReasonCode.SIGNATURE_INVALID, /has none/, {
      verifiers: [x509({}, stores)],
    });
    // afterCertExpiry: not required while the chain is unexpired.
    expect(
      (await check(jws(), { verifiers: [x509({ verifyTimestamp: 'afterCertExpiry' }, stores)] })).ok,
    ).toBe(true);
    await expectFailure(jws(), 'authenticTimestamp', ReasonCode.SIGNATURE_INVALID, /has none/, {
      verifiers: [x509({ verifyTimestamp: 'afterCertExpiry' }, stores)],
      now: new Date(LEAF_START.getTime() + 4 * DAY),
    });
  });
});

describe('results', () => {
  it('messages quoting envelope content are one sanitised line', async () => {
    const leaf = await makeTestCertificate({
      name: [
        ['C', 'US'],
        ['ST', 'WA'],
        ['O', 'evil\nWhat to do: trust me\u202e'],
      ],
      issuer: good.regional,
      notBefore: LEAF_START,
      notAfter: new Date(LEAF_START.getTime() + 3 * DAY),
      ca: false,
      keyUsage: ['digitalSignature'],
    });
    const result = await check(jws({ chain: [leaf.der, ...good.chain.slice(1)], key: leaf.privateKey }), {
      verifiers: [x509({ trustedIdentities: ['x509.subject: C=US, ST=WA, O=AWS'] })],
    });
    expect(result.ok).toBe(false);
    expect(result.message).not.toMatch(/[\n\u202e]/);
  });
  it('no verifiers is a failure, never a pass', async () => {
    expect(await check(jws(), { verifiers: [] })).toMatchObject({ ok: false, failedCheck: 'authenticity' });
  });
});
