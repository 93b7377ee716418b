import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GetRevocationStatusCommand, SignerClient } from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsSignerRevocationInput } from '../../lambda/notation/types';
import { ReasonCode } from '../../lambda/reasons';
import { awsSignerCertificateHashes } from '../../lambda/notation/aws-signer/certificate-hashes';
import { parseCertificate } from '../../lambda/notation/x509/certificate';
import { AwsSignerRevocationChecker, describeRevoked } from '../../lambda/signer/revocation-checker';
import { signerClient } from '../../lambda/signer/signer-client';

const signer = mockClient(SignerClient);
const dir = path.join(__dirname, '..', 'fixtures', 'notation-real', 'aws-signer-revocation-certhash');
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as {
  expectedGetRevocationStatusInput: {
    platformId: string;
    profileVersionArn: string;
    jobArn: string;
    certificateHashes: string[];
  };
};
const example = expected.expectedGetRevocationStatusInput;
const PROFILE = example.profileVersionArn.split('/').slice(0, -1).join('/');
const SIGNED_AT = new Date('2022-07-06T19:10:28Z');

/** The worked example's signature: the hashes computed from its real two-certificate chain. */
async function exampleInput(): Promise<AwsSignerRevocationInput> {
  const der = (file: string) => new X509Certificate(readFileSync(path.join(dir, file))).raw;
  return {
    profileVersionArn: example.profileVersionArn,
    jobArn: example.jobArn,
    platformId: 'Notation-OCI-SHA384-ECDSA',
    signatureTimestamp: SIGNED_AT,
    certificateHashes: awsSignerCertificateHashes(
      [der('leaf.pem'), der('parent-root.pem')].map((d) => parseCertificate(d).tbs),
    ),
  };
}

/** Responses shaped like the real API's. */
const answer = (revokedEntities: string[]) => ({ $metadata: { httpStatusCode: 200 }, revokedEntities });
function awsError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

function checker(now: { t: number }, ttlMs?: number) {
  return new AwsSignerRevocationChecker({
    client: new SignerClient({
      region: 'us-west-2',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    }),
    now: () => now.t,
    ...(ttlMs === undefined ? {} : { ttlMs }),
    retry: { attempts: 4, sleep: async () => undefined },
  });
}

describe('AwsSignerRevocationChecker (aws-sdk-client-mock)', () => {
  beforeEach(() => signer.reset());

  it('asks GetRevocationStatus with the inputs the AWS Signer plugin sends (hashes from the real chain)', async () => {
    signer.on(GetRevocationStatusCommand).resolves(answer([]));
    const now = { t: Date.parse('2026-11-30T07:00:00Z') };
    const result = await checker(now).check(await exampleInput());

    expect(result).toEqual({ status: 'not-revoked', checkedAt: '2026-11-30T07:00:00.000Z', cached: false });
    const calls = signer.commandCalls(GetRevocationStatusCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      signatureTimestamp: SIGNED_AT,
      platformId: example.platformId,
      profileVersionArn: example.profileVersionArn,
      jobArn: example.jobArn,
      certificateHashes: example.certificateHashes,
    });
  });

  it.each([
    [
      'a revoked signing job',
      () => example.jobArn,
      'signing job arn:aws:signer:us-west-2:000000000000:/signing-jobs/',
    ],
    ['a revoked profile version', () => example.profileVersionArn, 'signing profile version arn:aws:signer:'],
    [
      'a revoked signing profile',
      () => PROFILE,
      'signing profile arn:aws:signer:us-west-2:000000000000:/signing-profiles/NotaryPluginIntegProfile',
    ],
    ['a revoked certificate', () => example.certificateHashes[1]!, "certificate 1 of the signature's chain"],
  ])('reports %s as revoked and names it', async (_what, entity, named) => {
    signer.on(GetRevocationStatusCommand).resolves(answer([entity()]));
    const input = await exampleInput();
    const result = await checker({ t: 0 }).check(input);

    expect(result).toMatchObject({ status: 'revoked', revokedEntities: [entity()], cached: false });
    if (result.status !== 'revoked') throw new Error('unreachable');
    expect(describeRevoked(input, result.revokedEntities)).toContain(named);
  });

  it('an AccessDenied answer is REVOCATION_UNAVAILABLE (an error naming the permission), asked once, never cached', async () => {
    signer
      .on(GetRevocationStatusCommand)
      .rejects(
        awsError('AccessDeniedException', 403, 'not authorized to perform signer:GetRevocationStatus'),
      );
    const c = checker({ t: 0 });
    const input = await exampleInput();

    for (let i = 0; i < 2; i++) {
      await expect(c.check(input)).rejects.toMatchObject({
        code: ReasonCode.REVOCATION_UNAVAILABLE,
        retryable: false,
        message: expect.stringContaining('signer:GetRevocationStatus granted'),
      });
    }
    // Not retried (asking again will not help), and the failure is not remembered: asked again next time.
    expect(signer.commandCalls(GetRevocationStatusCommand)).toHaveLength(2);
  });

  it('throttling is retried; a throttled API that never recovers is REVOCATION_UNAVAILABLE after the attempts', async () => {
    const throttled = awsError('ThrottlingException', 400, 'Rate exceeded');
    signer.on(GetRevocationStatusCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves(answer([]));
    await expect(checker({ t: 0 }).check(await exampleInput())).resolves.toMatchObject({
      status: 'not-revoked',
    });
    expect(signer.commandCalls(GetRevocationStatusCommand)).toHaveLength(3);

    signer.reset();
    signer.on(GetRevocationStatusCommand).rejects(throttled);
    await expect(checker({ t: 0 }).check(await exampleInput())).rejects.toMatchObject({
      code: ReasonCode.REVOCATION_UNAVAILABLE,
      retryable: true,
    });
    expect(signer.commandCalls(GetRevocationStatusCommand)).toHaveLength(4);
  });

  it('a cancelled caller stops the retries (the deadline wins)', async () => {
    signer.on(GetRevocationStatusCommand).rejects(awsError('ThrottlingException', 400, 'Rate exceeded'));
    const c = new AwsSignerRevocationChecker({
      client: new SignerClient({
        region: 'us-west-2',
        credentials: { accessKeyId: 'A', secretAccessKey: 'B' },
      }),
      retry: { attempts: 6, baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 1 },
    });
    const controller = new AbortController();
    const pending = c.check(await exampleInput(), controller.signal);
    setImmediate(() => controller.abort());
    await expect(pending).rejects.toMatchObject({ code: ReasonCode.TIMEOUT });
    expect(signer.commandCalls(GetRevocationStatusCommand)).toHaveLength(1);
  });

  it('answers from its cache within the time, asks again after it, and keys by the signature', async () => {
    signer.on(GetRevocationStatusCommand).resolves(answer([]));
    const now = { t: 1_000_000 };
    const c = checker(now, 60_000);
    const input = await exampleInput();

    await c.check(input);
    now.t += 59_999;
    await expect(c.check(input)).resolves.toMatchObject({ status: 'not-revoked', cached: true });
    expect(signer.commandCalls(GetRevocationStatusCommand)).toHaveLength(1);

    // Another job, another chain, another profile version: each is its own question.
    await c.check({ ...input, jobArn: `${example.jobArn.slice(0, -1)}0` });
    await c.check({ ...input, certificateHashes: [input.certificateHashes[1]!] });
    await c.check({ ...input, profileVersionArn: `${PROFILE}/OtherVersion` });
    expect(signer.commandCalls(GetRevocationStatusCommand)).toHaveLength(4);

    now.t += 1;
    await expect(c.check(input)).resolves.toMatchObject({ cached: false });
    expect(signer.commandCalls(GetRevocationStatusCommand)).toHaveLength(5);
  });

  it('works through the lazily created production client', async () => {
    signer.on(GetRevocationStatusCommand).resolves(answer([example.jobArn]));
    const c = new AwsSignerRevocationChecker({ client: signerClient('us-west-2') });
    await expect(c.check(await exampleInput())).resolves.toMatchObject({ status: 'revoked' });
    expect(signer.commandCalls(GetRevocationStatusCommand)).toHaveLength(1);
  });

  it('concurrent checks of one signature make one call', async () => {
    signer.on(GetRevocationStatusCommand).resolves(answer([]));
    const c = checker({ t: 0 });
    const input = await exampleInput();
    const results = await Promise.all([c.check(input), c.check(input), c.check(input)]);
    expect(results.map((r) => r.status)).toEqual(['not-revoked', 'not-revoked', 'not-revoked']);
    expect(signer.commandCalls(GetRevocationStatusCommand)).toHaveLength(1);
  });

  it('keeps at most maxEntries answers', async () => {
    signer.on(GetRevocationStatusCommand).resolves(answer([]));
    const c = new AwsSignerRevocationChecker({
      client: new SignerClient({
        region: 'us-west-2',
        credentials: { accessKeyId: 'A', secretAccessKey: 'B' },
      }),
      maxEntries: 2,
    });
    const input = await exampleInput();
    const jobs = ['a', 'b', 'c'].map((s) => ({ ...input, jobArn: `${example.jobArn}${s}` }));
    for (const job of jobs) await c.check(job);
    await c.check(jobs[0]!); // evicted by the third: asked again
    await c.check(jobs[2]!); // still cached
    expect(signer.commandCalls(GetRevocationStatusCommand)).toHaveLength(4);
  });
});
