import { readFile } from 'node:fs/promises';
import { parseRekorKey, publicGoodRekorKeys } from '../cosign/tlog/rekor-keys';
import { toGuardError } from '../errors';
import { AWS_KMS_SCHEME } from '../keys/kms-ref';
import { loadTrustedKey } from '../keys/load-trusted-key';
import type { TrustedKey } from '../keys/types';
import type { NotationVerifier, RevocationChecker, TrustStore } from '../notation/types';
import { ReasonCode } from '../reasons';
import { parseImageReference } from '../reference/parse';
import type { ImageReference } from '../reference/types';
import { DockerConfigCredentialProvider } from '../registry/credentials/docker-config-provider';
import { createEngine, type Engine } from '../guard/engine';
import type { ImageVerification } from '../verify/types';
import type { VerifyArgs } from './args';
import { fixFor } from './fixes';
import { CliInputError, type CliIo } from './io';
import { jsonDocument, line, type JsonError } from './output';

export interface VerifyResultJson {
  image: string;
  digest: string | null;
  verified: boolean;
  reason: string;
  message: string;
  /** Present exactly when this image could not be decided (exit 2): what went wrong and the fix. */
  error?: JsonError;
  signatures: {
    format: string;
    key: string | null;
    ok: boolean;
    reason: string;
    artifact: string;
    message: string;
  }[];
}

/** What verify takes from outside, injected (tests give their own; the defaults reach AWS). */
export interface VerifyDeps {
  createEngine?: typeof createEngine;
  /**
   * The AWS Signer revocation checker (signer:GetRevocationStatus with the default AWS credentials
   * chain), made only when --aws-signer-profile is given. Its failure, a missing credential included,
   * is an error (COULD NOT DECIDE), never a pass.
   */
  revocationChecker?: () => Promise<RevocationChecker>;
}

/** signer:GetRevocationStatus with the default AWS credentials chain and region, answers cached for the run. */
async function defaultRevocationChecker(): Promise<RevocationChecker> {
  const { awsSignerRevocation, revocationTtlMs } = await import('../signer/revocation-for-policy');
  return awsSignerRevocation({ ttlMs: revocationTtlMs({}) });
}

/** `image-guard verify`: exit 0 all verified, 1 some image has no valid signature, 2 could not decide. */
export async function runVerify(args: VerifyArgs, io: CliIo, deps: VerifyDeps = {}): Promise<number> {
  // References first: a typo is reported before any key file, KMS key or registry is touched.
  const refs = args.images.map((input) => {
    try {
      return { input, ref: parseImageReference(input) };
    } catch (e) {
      return { input, invalid: toGuardError(e, ReasonCode.INVALID_REFERENCE).message };
    }
  });
  const invalid = refs.filter((r) => r.invalid !== undefined);
  if (invalid.length > 0) {
    const results = invalid.map((r) =>
      undecided(r.input, ReasonCode.INVALID_REFERENCE, `${r.invalid}; nothing was verified`),
    );
    print(results, args, io);
    return 2;
  }

  const signal = AbortSignal.timeout(args.timeoutMs);
  const caPem = args.caFile ? await readText(args.caFile, '--ca-file') : undefined;
  // Trust-store files are read before any registry or AWS call, like key files.
  const notation = await notationVerifiersOf(args);
  const revocation =
    args.awsSignerProfiles.length > 0
      ? await (deps.revocationChecker ?? defaultRevocationChecker)()
      : undefined;
  const engine = (deps.createEngine ?? createEngine)({
    registry: { insecureRegistries: args.insecureRegistries, caPem },
    extraCredentials: new DockerConfigCredentialProvider(),
  });
  try {
    const keys = await Promise.all(args.keys.map((k) => loadKey(k, args, engine.kms)));
    const rekorKeys =
      args.rekorKeys.length > 0
        ? await Promise.all(
            args.rekorKeys.map(async (f) => parseRekorKey(await readText(f, '--rekor-key'), f)),
          )
        : publicGoodRekorKeys();

    const results = await Promise.all(
      refs.map(async ({ ref }) => {
        const verdict = await engine.verifier.verify(ref as ImageReference, {
          keys,
          ...(notation.length > 0 ? { notation } : {}),
          ...(revocation === undefined ? {} : { revocation }),
          tlog: { mode: args.tlog, rekorKeys },
          signal,
        });
        return toJson(await explainMissingManifest(verdict, ref as ImageReference, engine, signal));
      }),
    );
    print(results, args, io);
    if (results.some((r) => !r.verified && r.error === undefined)) return 1;
    if (results.some((r) => r.error !== undefined)) return 2;
    return 0;
  } finally {
    await engine.registry.close();
  }
}

/**
 * NO_SIGNATURES for an image given by digest may mean the digest is not in the repository at all
 * (a typo, another repository): then say so. One manifest GET, only in that case.
 */
async function explainMissingManifest(
  verdict: ImageVerification,
  ref: ImageReference,
  engine: Engine,
  signal: AbortSignal,
): Promise<ImageVerification> {
  if (verdict.reason !== ReasonCode.NO_SIGNATURES || ref.digest === undefined) return verdict;
  try {
    const found = await engine.registry.getManifest(ref, ref.digest, { signal });
    if (found !== undefined) return verdict;
  } catch {
    return verdict; // the signature lookup already succeeded; keep its answer
  }
  return {
    ...verdict,
    reason: ReasonCode.NO_DIGEST,
    message: `manifest not found: ${ref.digest} is not in ${ref.registry}/${ref.repository}`,
  };
}

function toJson(v: ImageVerification): VerifyResultJson {
  const result: VerifyResultJson = {
    image: v.image,
    digest: v.digest ?? null,
    verified: v.verified,
    reason: v.reason,
    message: v.message,
    signatures: v.signatures.map((s) => ({
      format: s.format,
      key: s.key ?? null,
      ok: s.ok,
      reason: s.reason,
      artifact: s.artifact,
      message: s.message,
    })),
  };
  if (v.error) result.error = jsonError(v.reason, v.message);
  return result;
}

function undecided(image: string, reason: ReasonCode, message: string): VerifyResultJson {
  return {
    image,
    digest: null,
    verified: false,
    reason,
    message,
    error: jsonError(reason, message),
    signatures: [],
  };
}

function jsonError(code: string, message: string): JsonError {
  const fix = fixFor(message);
  return { code, message, ...(fix === undefined ? {} : { fix }) };
}

function print(results: VerifyResultJson[], args: VerifyArgs, io: CliIo): void {
  if (args.json) io.out(jsonDocument({ results }));
  else for (const r of results) io.out(humanResult(r));
}

async function loadKey(arg: string, args: VerifyArgs, kms: Engine['kms']): Promise<TrustedKey> {
  if (arg.startsWith(AWS_KMS_SCHEME)) return loadTrustedKey({ kind: 'kms', name: arg, ref: arg }, kms);
  const pem = await readText(arg, '--key');
  return loadTrustedKey({ kind: 'pem', name: arg, pem, source: arg, hashAlgorithm: args.hash }, kms);
}

/**
 * The Notation verifiers of the command line: one AWS Signer verifier per --aws-signer-profile (named
 * by its ARN), and one generic verifier holding every --notation-trust-store with the
 * --notation-identity entries (named by its stores, as a --key is named by its file).
 */
async function notationVerifiersOf(args: VerifyArgs): Promise<NotationVerifier[]> {
  const verifiers: NotationVerifier[] = args.awsSignerProfiles.map((arn) => ({
    kind: 'awsSigner',
    name: arn,
    signingProfiles: [arn],
  }));
  if (args.notationTrustStores.length === 0) return verifiers;
  const { readCertificateFile, trustStoreCertificateProblem } = await import('../policy/certificates');
  const trustStores: TrustStore[] = [];
  for (const [i, store] of args.notationTrustStores.entries()) {
    const flag = `--notation-trust-store ${store.type}:${store.file}`;
    let bytes: Buffer;
    try {
      bytes = await readFile(store.file);
    } catch (e) {
      throw new CliInputError(
        `${flag}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    const read = readCertificateFile(bytes);
    if (!read.ok) throw new CliInputError(`${flag}: the file ${read.problem}`);
    for (const cert of read.certificates) {
      const problem = trustStoreCertificateProblem(cert, store.type);
      if (problem !== undefined) throw new CliInputError(`${flag}: ${problem}`);
    }
    trustStores.push({
      type: store.type,
      name: `cli-${i + 1}`,
      certificates: read.certificates.map((c) => c.raw),
    });
  }
  verifiers.push({
    kind: 'x509',
    name: args.notationTrustStores.map((s) => `${s.type}:${s.file}`).join(' '),
    trustStores,
    trustedIdentities: args.notationIdentities,
    verifyTimestamp: 'always',
  });
  return verifiers;
}

export async function readText(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new CliInputError(`${flag} ${path}: cannot read the file (${code})`);
  }
}

function humanResult(r: VerifyResultJson): string {
  const where = r.digest && !r.image.includes('@') ? `${r.image}@${r.digest}` : r.image;
  const headline = r.verified ? 'VERIFIED' : r.error ? 'COULD NOT DECIDE' : 'NOT VERIFIED';
  const lines = [`${headline}  ${line(where)}`, `  ${r.reason}: ${line(r.message)}`];
  if (r.error?.fix) lines.push(`  fix: ${r.error.fix}`);
  for (const s of r.signatures) {
    lines.push(
      `  - ${s.format} ${s.artifact}: ${s.ok ? 'valid' : 'invalid'} ${s.reason}${s.key ? ` (key ${line(s.key)})` : ''}`,
    );
    if (!s.ok) lines.push(`      ${line(s.message)}`);
  }
  return `${lines.join('\n')}\n`;
}
