/**
 * From a validated policy file to the compiled `Policy`: defaults applied, every rule's mode and
 * transparency-log mode resolved, `publicKeyFile` and trust-store `certificatesFile` read and inlined
 * (so the Lambda never reads files), PEM text normalised, a `notationTrustPolicy` mapped onto Notation
 * signers and rules. File problems are returned as issues, not thrown.
 */
import path from 'node:path';
import { compileExemption } from './exemption-schema';
import type { PolicyIssue } from './issues';
import { normalisePem, pemProblem } from './pem';
import { compileAwsSigner, compileNotationTrust } from './notation-signers';
import { importTrustPolicy } from './notation-trust-policy';
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
  /** Certificate files may be DER; without it they are read with `readFile` (PEM only). */
  readBytes?: (path: string) => Buffer;
  /** What a path is, without following a symbolic link (trust-store folders). */
  kindOf?: (path: string) => FileKind;
  /** A folder's entries (trust-store folders). */
  listDir?: (dir: string) => string[];
}

export type FileKind = 'file' | 'directory' | 'symlink' | 'other' | 'missing';

export function compilePolicy(
  file: PolicyFile,
  reader: KeyFileReader,
): { policy: Policy; issues: PolicyIssue[] } {
  const issues: PolicyIssue[] = [];
  const mode = file.mode ?? POLICY_DEFAULTS.mode;
  const transparencyLog = file.transparencyLog ?? POLICY_DEFAULTS.transparencyLog;

  const keys: PolicyKey[] = (file.keys ?? []).map((key, i): PolicyKey => {
    if (key.kms !== undefined) return { name: key.name, kms: key.kms };
    if (key.awsSigner !== undefined) return compileAwsSigner(key.name, key.awsSigner);
    if (key.notation !== undefined)
      return compileNotationTrust(key.name, key.notation, `keys[${i}].notation`, reader, issues);
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

  if (file.notationTrustPolicy !== undefined) {
    const imported = importTrustPolicy(file.notationTrustPolicy, { transparencyLog }, reader, issues);
    addImported(imported.keys, keys, 'keys', 'key', 'a Notation signer', issues);
    addImported(imported.rules, rules, 'rules', 'rule', 'a rule', issues);
  }

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
    ...(file.exemptions && file.exemptions.length > 0
      ? { exemptions: file.exemptions.map(compileExemption) }
      : {}),
    ...(file.revocation?.cacheMinutes !== undefined
      ? { revocation: { cacheMinutes: file.revocation.cacheMinutes } }
      : {}),
    ...sweepSettings(file.sweep),
  };
  return { policy, issues };
}

/** Appends what a trust policy maps to, refusing a name the policy file already uses. */
function addImported<T extends { name: string }>(
  imported: readonly T[],
  into: T[],
  field: string,
  what: string,
  becomes: string,
  issues: PolicyIssue[],
): void {
  for (const item of imported) {
    const clash = into.findIndex((k) => k.name === item.name);
    if (clash >= 0) {
      issues.push({
        path: 'notationTrustPolicy.file',
        message: `the trust policy maps to ${becomes} named "${item.name}", but ${field}[${clash}] already defines a ${what} of that name; rename one of them`,
      });
      continue;
    }
    into.push(item);
  }
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
