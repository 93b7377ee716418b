/**
 * From a validated policy file to the compiled `Policy`: defaults applied, every rule's mode and
 * transparency-log mode resolved, `publicKeyFile` read and inlined as `publicKey` (so the Lambda never
 * reads files), PEM text normalised. Key file problems are returned as issues, not thrown.
 */
import path from 'node:path';
import type { PolicyIssue } from './issues';
import { normalisePem, pemProblem } from './pem';
import {
  POLICY_DEFAULTS,
  POLICY_LIMITS,
  type Policy,
  type PolicyFile,
  type PolicyKey,
  type Rule,
} from './schema';

export interface KeyFileReader {
  baseDir: string;
  readFile: (path: string) => string;
}

export function compilePolicy(
  file: PolicyFile,
  reader: KeyFileReader,
): { policy: Policy; issues: PolicyIssue[] } {
  const issues: PolicyIssue[] = [];
  const mode = file.mode ?? POLICY_DEFAULTS.mode;
  const transparencyLog = file.transparencyLog ?? POLICY_DEFAULTS.transparencyLog;

  const keys: PolicyKey[] = (file.keys ?? []).map((key, i) => {
    if (key.kms !== undefined) return { name: key.name, kms: key.kms };
    const hashAlgorithm = key.hashAlgorithm ?? POLICY_DEFAULTS.hashAlgorithm;
    if (key.publicKey !== undefined)
      return { name: key.name, publicKey: normalisePem(key.publicKey), hashAlgorithm };
    const publicKey = readKeyFile(key.publicKeyFile ?? '', `keys[${i}].publicKeyFile`, reader, issues);
    return { name: key.name, publicKey, hashAlgorithm };
  });

  const rules: Rule[] = (file.rules ?? []).map((rule) => ({
    name: rule.name,
    match: { ...rule.match },
    keys: [...rule.keys],
    require: rule.require ?? POLICY_DEFAULTS.require,
    mode: rule.mode ?? mode,
    transparencyLog: rule.transparencyLog ?? transparencyLog,
  }));

  const policy: Policy = {
    version: 1,
    mode,
    noMatch: file.noMatch ?? POLICY_DEFAULTS.noMatch,
    onError: file.onError ?? POLICY_DEFAULTS.onError,
    transparencyLog,
    ...(file.rekorPublicKeys ? { rekorPublicKeys: file.rekorPublicKeys.map(normalisePem) } : {}),
    keys,
    trustedImages: (file.trustedImages ?? []).map((t) => ({ image: t.image, reason: t.reason })),
    rules,
    registries: { insecure: (file.registries?.insecure ?? []).map((h) => h.toLowerCase()) },
    ...(file.alerts?.windowMinutes !== undefined
      ? { alerts: { windowMinutes: file.alerts.windowMinutes } }
      : {}),
    ...(file.awsInjectedContainers === 'verify' ? { awsInjectedContainers: 'verify' as const } : {}),
    ...sweepSettings(file.sweep),
  };
  return { policy, issues };
}

/** Only the settings the file gives: a policy that names none keeps the hash it had before the sweep. */
function sweepSettings(sweep: PolicyFile['sweep']): Pick<Policy, 'sweep'> {
  if (sweep === undefined) return {};
  const settings: NonNullable<Policy['sweep']> = {
    ...(sweep.maxStopsPerRun !== undefined ? { maxStopsPerRun: sweep.maxStopsPerRun } : {}),
    ...(sweep.recheckAfterHours !== undefined ? { recheckAfterHours: sweep.recheckAfterHours } : {}),
  };
  return Object.keys(settings).length > 0 ? { sweep: settings } : {};
}

function readKeyFile(file: string, at: string, reader: KeyFileReader, issues: PolicyIssue[]): string {
  const resolved = path.resolve(reader.baseDir, file);
  let text: string;
  try {
    text = reader.readFile(resolved);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const why = typeof code === 'string' ? code : e instanceof Error ? e.message : String(e);
    issues.push({ path: at, message: `cannot read ${JSON.stringify(resolved)} (${why})` });
    return '';
  }
  if (text.length > POLICY_LIMITS.pemChars) {
    issues.push({
      path: at,
      message: `${JSON.stringify(resolved)} is larger than ${POLICY_LIMITS.pemChars} characters`,
    });
    return '';
  }
  const problem = pemProblem(text);
  if (problem !== undefined) {
    issues.push({ path: at, message: `${JSON.stringify(resolved)} ${problem}` });
    return '';
  }
  return normalisePem(text);
}
