/**
 * The Notation part of the decision record and of the alert: from a verification through a real
 * registry (AWS Signer signature, revocation through the real checker on aws-sdk-client-mock), via
 * the verdict cache, into the record and the task notice.
 */
import { GetRevocationStatusCommand, SignerClient } from '@aws-sdk/client-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { VerdictCache } from '../../lambda/cache/verdict-cache';
import type { SignatureCheck } from '../../lambda/cosign/types';
import { buildDecisionRecord, notationRecordOf, type ContainerResult } from '../../lambda/decision/record';
import { taskNotice } from '../../lambda/decision/task-notice';
import type { NotationRecord } from '../../lambda/decision/types';
import { alertMessage } from '../../lambda/enforce/alert-message';
import type { FailingContainer, TaskNotice } from '../../lambda/enforce/notice';
import type { TaskEvent } from '../../lambda/events';
import type { NotationVerifier } from '../../lambda/notation/types';
import { ReasonCode } from '../../lambda/reasons';
import { AwsSignerRevocationChecker } from '../../lambda/signer/revocation-checker';
import { ImageVerifier } from '../../lambda/verify/image-verifier';
import type { ImageVerification } from '../../lambda/verify/types';
import { clientFor } from '../registry/client-for';
import { pushImage, pushReferrersTagIndex, startRegistry, type StartedRegistry } from '../support/registry';
import {
  awsSigner,
  envelopeFor,
  envelopeVerifierDouble,
  JOB,
  PROFILE,
  pushNotationSignature,
  x509Signer,
} from './notation-support';
import { optionsFor, refOf } from './support';

const signerApi = mockClient(SignerClient);
let registry: StartedRegistry;
let counter = 0;

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

async function verified(
  signers: NotationVerifier[],
  revokedEntities: string[],
  envelope: Parameters<typeof envelopeFor>[1] = {},
): Promise<ImageVerification> {
  signerApi.reset();
  signerApi.on(GetRevocationStatusCommand).resolves({ $metadata: { httpStatusCode: 200 }, revokedEntities });
  const repo = `notation/record${++counter}`;
  const image = await pushImage(registry, repo, 'v1');
  const sig = await pushNotationSignature(registry, repo, image, envelopeFor(image, envelope));
  await pushReferrersTagIndex(registry, repo, image.digest, [sig]);
  const cache = new VerdictCache();
  const verifier = new ImageVerifier({
    registry: clientFor(registry),
    notationVerifier: envelopeVerifierDouble().verify,
    currentTime: () => new Date('2026-11-30T07:00:00Z'),
    cache,
  });
  const options = {
    ...optionsFor([]),
    notation: signers,
    revocation: new AwsSignerRevocationChecker({
      client: new SignerClient({
        region: 'us-west-2',
        credentials: { accessKeyId: 'A', secretAccessKey: 'B' },
      }),
    }),
  };
  const ref = refOf(registry, repo, image.digest);
  const first = await verifier.verify(ref, options);
  // A positive verdict is asked again from the cache: the record must say the same.
  if (!first.verified) return first;
  const again = await verifier.verify(ref, options);
  expect(again.cached).toBe(true);
  return again;
}

const TASK = {
  clusterName: 'prod-eu',
  clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/prod-eu',
  service: 'payments',
  taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/prod-eu/0123456789abcdef',
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/payments:42',
  taskDefinitionFamily: 'payments',
  taskDefinitionRevision: 42,
  lastStatus: 'PENDING',
  eventId: 'e-1',
  account: '111122223333',
  region: 'eu-west-1',
} as unknown as TaskEvent;

function containerResult(
  v: ImageVerification,
  outcome: 'allow' | 'deny' | 'error',
  notation = notationRecordOf(v),
): ContainerResult {
  return {
    name: 'web',
    image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/payments:1',
    digest: `sha256:${'b'.repeat(64)}`,
    digestSource: 'event',
    decision: {
      outcome,
      reason: v.reason,
      message: v.message,
      rule: 'prod',
      rules: ['prod'],
      keys: v.verifiedKeys,
      mode: 'enforce',
    },
    signaturesFound: v.signatures.length,
    cached: v.cached,
    durationMs: 5,
    ...(notation ? { notation } : {}),
  };
}

function recordOf(c: ContainerResult) {
  return buildDecisionRecord({
    decisionId: 'd-1',
    time: '2026-11-30T07:00:00.000Z',
    task: TASK,
    decision: { action: c.decision.outcome === 'allow' ? 'none' : 'stop', mode: 'enforce' },
    containers: [c],
    policySha256: 'p'.repeat(64),
    durationMs: 9,
  }).containers[0]!;
}

describe('the decision record names what a Notation signature showed', () => {
  it('an AWS Signer signature: format, signer, profile, signing time, expiry, not revoked (also when cached)', async () => {
    const v = await verified([awsSigner()], []);
    const record = recordOf(containerResult(v, 'allow'));
    expect(record.notation).toEqual({
      signers: ['aws-prod'],
      awsSigner: true,
      cosign: false,
      signatures: [
        {
          artifact: v.signatures[0]!.artifact,
          format: 'notation-jws',
          ok: true,
          reason: ReasonCode.VERIFIED,
          signer: 'aws-prod',
          identity: PROFILE,
          signingScheme: 'notary.x509.signingAuthority',
          signingTime: '2026-11-29T10:00:00.000Z',
          expiry: '2029-11-29T10:00:00.000Z',
          failedCheck: null,
          revocation: 'not-revoked',
          revocationDetail: expect.stringContaining('AWS Signer: not revoked'),
        },
      ],
    });
  });

  it('a revoked one: revocation revoked, naming the job', async () => {
    const v = await verified([awsSigner()], [JOB]);
    const record = recordOf(containerResult(v, 'deny'));
    expect(record.reason).toBe(ReasonCode.REVOKED);
    expect(record.notation?.signatures[0]).toMatchObject({
      ok: false,
      reason: ReasonCode.REVOKED,
      revocation: 'revoked',
      revocationDetail: expect.stringContaining(`signing job ${JOB}`),
    });
  });

  it('an X.509 chain: "revocation not checked"', async () => {
    const v = await verified([x509Signer()], [], { aws: undefined, subject: 'CN=acme release, O=acme' });
    expect(recordOf(containerResult(v, 'allow')).notation?.signatures[0]).toMatchObject({
      identity: 'CN=acme release, O=acme',
      revocation: 'not-checked',
      revocationDetail: expect.stringContaining('revocation not checked'),
    });
  });

  it('a cosign-only verification keeps the record exactly as before (no notation field)', () => {
    const cosignOnly: ImageVerification = {
      image: 'x',
      verified: true,
      reason: ReasonCode.VERIFIED,
      message: 'ok',
      verifiedKeys: ['ci'],
      signatures: [],
      error: false,
      cached: false,
      durationMs: 1,
    };
    expect(notationRecordOf(cosignOnly)).toBeUndefined();
    expect(Object.keys(recordOf(containerResult(cosignOnly, 'allow')))).not.toContain('notation');
  });

  it('lists only the Notation signatures of a verdict (cosign ones have their own fields)', () => {
    const cosign: SignatureCheck = {
      format: 'bundle',
      artifact: `sha256:${'c'.repeat(64)}`,
      key: 'ci',
      ok: true,
      reason: ReasonCode.VERIFIED,
      message: 'ok',
    };
    const notation: SignatureCheck = {
      ...cosign,
      format: 'notation-cose',
      key: 'acme-ca',
      notation: { awsSigner: false, revocation: 'not-checked' },
    };
    const n = notationRecordOf({
      signatures: [cosign, notation],
      notation: { signers: ['acme-ca'], awsSigner: false, cosign: true },
    });
    expect(n?.signatures.map((s) => s.format)).toEqual(['notation-cose']);
  });

  it('outside text in a signature is flattened and capped', () => {
    const check: SignatureCheck = {
      format: 'notation-jws',
      artifact: `sha256:${'e'.repeat(64)}`,
      ok: false,
      reason: ReasonCode.SIGNATURE_INVALID,
      message: 'no',
      notation: { identity: `CN=evil\nforged: line ${'x'.repeat(1000)}`, awsSigner: false, revocation: null },
    };
    const n = notationRecordOf({
      signatures: [check],
      notation: { signers: ['acme-ca'], awsSigner: false, cosign: true },
    });
    expect(n?.signatures[0]?.identity).not.toContain('\n');
    expect(n?.signatures[0]?.identity?.length).toBeLessThanOrEqual(300);
  });
});

describe('the alert for a Notation / AWS Signer failure', () => {
  const failing = (
    notation: NotationRecord | undefined,
    reason: ReasonCode = ReasonCode.SIGNATURE_INVALID,
  ): TaskNotice => {
    const c = containerResult(
      {
        image: 'x',
        verified: false,
        reason,
        message: 'failed',
        verifiedKeys: [],
        signatures: [],
        error: false,
        cached: false,
        durationMs: 1,
      },
      'deny',
      notation,
    );
    return taskNotice(TASK, 'd-1', { action: 'stop', mode: 'enforce' }, [c]);
  };
  const aws = (
    signature: Partial<NotationRecord['signatures'][number]> = {},
    cosign = false,
  ): NotationRecord => ({
    signers: ['aws-prod'],
    awsSigner: true,
    cosign,
    signatures: [
      {
        artifact: `sha256:${'e'.repeat(64)}`,
        format: 'notation-jws',
        ok: false,
        reason: ReasonCode.SIGNATURE_INVALID,
        signer: 'aws-prod',
        identity: PROFILE,
        signingScheme: 'notary.x509.signingAuthority',
        signingTime: '2026-11-29T10:00:00.000Z',
        expiry: '2029-11-29T10:00:00.000Z',
        failedCheck: null,
        revocation: null,
        revocationDetail: null,
        ...signature,
      },
    ],
  });
  const body = (n: TaskNotice) => alertMessage(n).body;

  it('the task notice carries the Notation part to the alert', () => {
    const n = failing(aws());
    expect((n.failing[0] as FailingContainer).notation).toEqual(aws());
  });

  it('revoked: sign again with an active profile; the signature line says revoked', async () => {
    const v = await verified([awsSigner()], [JOB]);
    const n = taskNotice(TASK, 'd-1', { action: 'stop', mode: 'enforce' }, [containerResult(v, 'deny')]);
    const text = body(n);
    expect(text).toContain(
      'REVOKED: a revoked profile or version cannot be used again; sign with an active one',
    );
    expect(text).toContain(
      'notation sign --plugin com.amazonaws.signer.notation.plugin --id <signing-profile-arn>',
    );
    expect(text).toContain('--aws-signer-profile <signing-profile-arn>');
    expect(text).toContain(
      `notation: notation-jws by ${PROFILE}, signed 2026-11-29T10:00:00.000Z, expires 2029-11-29T10:00:00.000Z; revoked; REVOKED`,
    );
    expect(text).toContain('why:    The image is signed with AWS Signer, but AWS Signer reports');
    // An AWS Signer-only rule: no cosign advice.
    expect(text).not.toContain('cosign sign');
  });

  it('expired: says the signature expired', () => {
    expect(body(failing(aws({ failedCheck: 'expiry' })))).toContain('EXPIRED');
  });

  it('wrong profile: names the trusted signers', () => {
    expect(body(failing(aws({ failedCheck: 'trustedIdentity', identity: null })))).toContain(
      'signed with a signing profile this rule does not trust; trusted signers: aws-prod',
    );
  });

  it('revocation look-up failed: points at signer:GetRevocationStatus', () => {
    expect(body(failing(aws(), ReasonCode.REVOCATION_UNAVAILABLE))).toContain('signer:GetRevocationStatus');
  });

  it('a rule trusting cosign keys and AWS Signer gets both pieces of advice; a cosign-only one none about Notation', () => {
    const both = body(failing(aws({}, true)));
    expect(both).toContain('cosign sign --key');
    expect(both).toContain('notation sign --plugin');
    const cosignOnly = body(failing(undefined));
    expect(cosignOnly).toContain('cosign sign --key');
    expect(cosignOnly).not.toContain('notation');
  });

  it('generic Notation (X.509): notation sign with a trusted certificate; nothing found is said so', () => {
    const x509: NotationRecord = { signers: ['acme-ca'], awsSigner: false, cosign: false, signatures: [] };
    const text = body(failing(x509, ReasonCode.NO_SIGNATURES));
    expect(text).toContain('notation sign --key <your-key-name>');
    expect(text).toContain('notation: no Notation signature found (trusted signers: acme-ca)');
    expect(text).not.toContain('com.amazonaws.signer');
  });
});
