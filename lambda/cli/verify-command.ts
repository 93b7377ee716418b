import { readFile } from 'node:fs/promises';
import { parseRekorKey, publicGoodRekorKeys } from '../cosign/tlog/rekor-keys';
import { toGuardError } from '../errors';
import { AWS_KMS_SCHEME } from '../keys/kms-ref';
import { parsePemKey } from '../keys/pem-key';
import type { TrustedKey } from '../keys/types';
import { ReasonCode } from '../reasons';
import { parseImageReference } from '../reference/parse';
import { DockerConfigCredentialProvider } from '../registry/credentials/docker-config-provider';
import { createEngine } from '../guard/engine';
import type { ImageVerification } from '../verify/types';
import type { VerifyArgs } from './args';
import { CliInputError, type CliIo } from './io';

export interface VerifyResultJson {
  image: string;
  digest: string | null;
  verified: boolean;
  reason: string;
  message: string;
  signatures: {
    format: string;
    key: string | null;
    ok: boolean;
    reason: string;
    artifact: string;
    message: string;
  }[];
}

/** `image-guard verify`: exit 0 all verified, 1 some image has no valid signature, 2 could not decide. */
export async function runVerify(args: VerifyArgs, io: CliIo): Promise<number> {
  const signal = AbortSignal.timeout(args.timeoutMs);
  const caPem = args.caFile ? await readText(args.caFile, '--ca-file') : undefined;
  const engine = createEngine({
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
      args.images.map(
        async (image): Promise<{ input: string; verdict?: ImageVerification; invalid?: string }> => {
          try {
            const ref = parseImageReference(image);
            return {
              input: image,
              verdict: await engine.verifier.verify(ref, {
                keys,
                tlog: { mode: args.tlog, rekorKeys },
                signal,
              }),
            };
          } catch (e) {
            return { input: image, invalid: toGuardError(e, ReasonCode.INVALID_REFERENCE).message };
          }
        },
      ),
    );

    const json: VerifyResultJson[] = results.map((r) =>
      r.verdict
        ? {
            image: r.verdict.image,
            digest: r.verdict.digest ?? null,
            verified: r.verdict.verified,
            reason: r.verdict.reason,
            message: r.verdict.message,
            signatures: r.verdict.signatures.map((s) => ({
              format: s.format,
              key: s.key ?? null,
              ok: s.ok,
              reason: s.reason,
              artifact: s.artifact,
              message: s.message,
            })),
          }
        : {
            image: r.input,
            digest: null,
            verified: false,
            reason: ReasonCode.INVALID_REFERENCE,
            message: r.invalid ?? 'invalid reference',
            signatures: [],
          },
    );
    if (args.json) io.out(`${JSON.stringify({ results: json }, null, 2)}\n`);
    else for (const r of json) io.out(humanResult(r));

    if (results.some((r) => r.invalid !== undefined)) return 2;
    if (results.some((r) => r.verdict && !r.verdict.verified && !r.verdict.error)) return 1;
    if (results.some((r) => r.verdict?.error)) return 2;
    return 0;
  } finally {
    await engine.registry.close();
  }
}

async function loadKey(
  arg: string,
  args: VerifyArgs,
  kms: ReturnType<typeof createEngine>['kms'],
): Promise<TrustedKey> {
  if (arg.startsWith(AWS_KMS_SCHEME)) return kms.load({ name: arg, ref: arg });
  return parsePemKey({ name: arg, pem: await readText(arg, '--key'), source: arg, hashAlgorithm: args.hash });
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
  const lines = [`${r.verified ? 'VERIFIED' : 'NOT VERIFIED'}  ${where}`, `  ${r.reason}: ${r.message}`];
  for (const s of r.signatures) {
    lines.push(
      `  - ${s.format} ${s.artifact}: ${s.ok ? 'valid' : 'invalid'} ${s.reason}${s.key ? ` (key ${s.key})` : ''}`,
    );
    if (!s.ok) lines.push(`      ${s.message}`);
  }
  return `${lines.join('\n')}\n`;
}
