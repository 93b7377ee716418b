import { ReasonCode } from '../../lambda/reasons';
import type { NotationVerifier } from '../../lambda/notation/types';
import { verifyNotationEnvelope } from '../../lambda/notation/verify-envelope';
import {
  makeAwsSignerTestChain,
  makeNotaryJws,
  type AwsSignerTestChain,
} from '../support/notation/test-signer';
import {
  BASELINE_TIMESTAMP_POLICY,
  makeTestTsa,
  makeTimestampToken,
  type TestTsa,
  type TimestampOptions,
} from '../support/notation/test-tsa';

const DAY = 24 * 3600 * 1000;
const LEAF_START = new Date('2024-05-01T10:00:00Z');
const LEAF_END = new Date(LEAF_START.getTime() + 3 * DAY);
const SIGNED = new Date('2024-05-01T11:00:00Z');
/** Long after the three-day leaf expired: only a trusted timestamp can rescue the signature. */
const LATER = new Date('2025-01-01T00:00:00Z');
const TARGET = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'ab'.repeat(32)}`,
  size: 1234,
};

let chain: AwsSignerTestChain;
let tsa: TestTsa;

beforeAll(async () => {
  chain = await makeAwsSignerTestChain({ leafNotBefore: LEAF_START });
  tsa = await makeTestTsa();
});

/** A notary.x509 JWS with an RFC 3161 token over its signature (or over `imprintOf`). */
async function timestamped(
  authority: TestTsa,
  options: Partial<TimestampOptions> & { imprintOf?: Buffer } = {},
): Promise<Buffer> {
  const envelope = JSON.parse(
    makeNotaryJws({
      alg: 'ES384',
      signingScheme: 'notary.x509',
      signingTime: SIGNED,
      chain: chain.chain,
      key: chain.leaf.privateKey,
      target: TARGET,
    }).toString(),
  ) as { signature: string; header: Record<string, unknown> };
  const token = await makeTimestampToken(authority, {
    message: options.imprintOf ?? Buffer.from(envelope.signature, 'base64url'),
    genTime: options.genTime ?? SIGNED,
    ...(options.accuracySeconds === undefined
      ? { accuracySeconds: 1 }
      : { accuracySeconds: options.accuracySeconds }),
    ...(options.policy === undefined ? {} : { policy: options.policy }),
  });
  envelope.header['io.cncf.notary.timestampSignature'] = token.toString('base64');
  return Buffer.from(JSON.stringify(envelope));
}

function verifier(tsaRoots: Buffer[]): NotationVerifier {
  return {
    kind: 'x509',
    name: 'ts',
    trustStores: [
      { type: 'ca', name: 'root', certificates: [chain.root.der] },
      { type: 'tsa', name: 'tsa', certificates: tsaRoots },
    ],
    trustedIdentities: ['*'],
    verifyTimestamp: 'always',
  };
}

async function verify(envelope: Buffer, tsaRoots: Buffer[] = [tsa.root.der], now = LATER) {
  return verifyNotationEnvelope({
    envelope,
    envelopeMediaType: 'application/jose+json',
    target: TARGET,
    verifiers: [verifier(tsaRoots)],
    now,
  });
}

async function expectTimestampFailure(envelope: Buffer, pattern: RegExp, tsaRoots?: Buffer[]) {
  const result = await verify(envelope, tsaRoots);
  expect(result).toMatchObject({
    ok: false,
    failedCheck: 'authenticTimestamp',
    reason: ReasonCode.SIGNATURE_INVALID,
  });
  expect(result.message).toMatch(pattern);
}

describe('RFC 3161 timestamps (notary.x509 with a tsa store)', () => {
  it('a trusted timestamp inside the leaf validity keeps an expired leaf valid', async () => {
    expect(await verify(await timestamped(tsa))).toMatchObject({ ok: true, verifier: 'ts' });
  });

  it('the TSA must chain to the tsa store', async () => {
    const other = await makeTestTsa();
    await expectTimestampFailure(await timestamped(other), /tsa trust store|does not verify|verif/i);
  });

  it('an oversized token is refused before parsing', async () => {
    const envelope = JSON.parse((await timestamped(tsa)).toString()) as { header: Record<string, unknown> };
    envelope.header['io.cncf.notary.timestampSignature'] = Buffer.alloc(64 * 1024 + 1, 0x30).toString(
      'base64',
    );
    await expectTimestampFailure(Buffer.from(JSON.stringify(envelope)), /exceeds the cap/);
  });

  it('the messageImprint must be the hash of this signature', async () => {
    await expectTimestampFailure(
      await timestamped(tsa, { imprintOf: Buffer.from('another signature') }),
      /messageImprint/,
    );
  });

  it('the TSA certificate must have timeStamping as its only extended key usage', async () => {
    const extra = await makeTestTsa({ extKeyUsage: ['1.3.6.1.5.5.7.3.8', '1.3.6.1.5.5.7.3.3'] });
    await expectTimestampFailure(await timestamped(extra), /only extended key usage/, [extra.root.der]);
  });

  it('the TSA certificate’s extended key usage must be critical', async () => {
    const lax = await makeTestTsa({ extKeyUsageCritical: false });
    await expectTimestampFailure(await timestamped(lax), /must be critical/, [lax.root.der]);
  });

  it('genTime ± accuracy must lie inside every certificate validity', async () => {
    const nearEnd = new Date(LEAF_END.getTime() - 5000);
    expect((await verify(await timestamped(tsa, { genTime: nearEnd, accuracySeconds: 4 }))).ok).toBe(true);
    await expectTimestampFailure(
      await timestamped(tsa, { genTime: nearEnd, accuracySeconds: 6 }),
      /not inside the validity/,
    );
    await expectTimestampFailure(
      await timestamped(tsa, { genTime: new Date(LEAF_START.getTime() - 1000) }),
      /not inside the validity/,
    );
  });

  it('a baseline-policy token without accuracy counts as ±1 s', async () => {
    const edge = new Date(LEAF_END.getTime() - 500);
    await expectTimestampFailure(
      await timestamped(tsa, { genTime: edge, accuracySeconds: 0, policy: BASELINE_TIMESTAMP_POLICY }),
      /not inside the validity/,
    );
    expect((await verify(await timestamped(tsa, { genTime: edge, accuracySeconds: 0 }))).ok).toBe(true);
  });
});
