/**
 * `notationTrustPolicy: { file, trustStoreDir }`: an existing Notation trust policy (OCI, version 1.0)
 * and its trust-store folder, mapped onto the guard's own model when the policy loads:
 *
 *   each statement  → a Notation signer `notation-<name>` and a rule `notation-<name>` naming it,
 *                     matching the statement's registryScopes as exact repositories (any tag or digest;
 *                     `*` → every image);
 *   level strict    → mode enforce;  audit → mode audit;
 *   trustStores     → read from `<trustStoreDir>/x509/<type>/<name>/*.{pem,crt,cer}` (PEM or DER,
 *                     several certificates a file; symbolic links refused; sub-folders ignored);
 *   identities      → `*` or `x509.subject:` DNs as generic Notation trust; AWS Signer signing-profile
 *                     ARNs (with `signingAuthority:` stores) as an awsSigner signer.
 *
 * It is validated as notation-go validates a trust policy, with field paths into the JSON
 * (`trustPolicies[1].registryScopes[0]: …`). What the guard cannot do the same way is an error that says
 * so, never a silent approximation: level permissive or skip, `signatureVerification.override`, and
 * plugin-defined identities other than AWS Signer's.
 */
import path from 'node:path';
import {
  MAX_CERTIFICATES_PER_STORE,
  TRUST_STORE_TYPES,
  certificatesPem,
  readCertificateFile,
  trustStoreCertificateProblem,
} from './certificates';
import type { FileKind, KeyFileReader } from './compile';
import type { PolicyIssue } from './issues';
import {
  parseSigningProfileArn,
  signingProfileArnProblem,
  trustedIdentityIssues,
  X509_SUBJECT_PREFIX,
} from './notation-identities';
import { MAX_CERTIFICATE_FILE_BYTES, errorCode } from './notation-signers';
import {
  POLICY_DEFAULTS,
  POLICY_LIMITS,
  type Mode,
  type NotationPolicySigner,
  type NotationTrustStore,
  type Rule,
  type TlogMode,
} from './schema';

/** A trust policy is a few kilobytes; a bound keeps a wrong file from being parsed at length. */
export const MAX_TRUST_POLICY_BYTES = 256 * 1024;
const MAX_STATEMENTS = 100;
const MAX_FILES_PER_STORE = 100;
const CERT_EXTENSIONS = new Set(['.pem', '.crt', '.cer']);

/** Statement names become `notation-<name>`, which must be a valid key and rule name (64 characters). */
const STATEMENT_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,54}$/;
const STORE_NAME_RE = /^[A-Za-z0-9_.-]+$/;
const REGISTRY_RE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::\d{1,5})?$/;
const REPO_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY_RE = new RegExp(`^${REPO_COMPONENT}(?:/${REPO_COMPONENT})*$`);

const TOP_FIELDS = ['version', 'trustPolicies'];
const STATEMENT_FIELDS = [
  'name',
  'registryScopes',
  'signatureVerification',
  'trustStores',
  'trustedIdentities',
];
const VERIFICATION_FIELDS = ['level', 'override', 'verifyTimestamp'];

export const SIGNER_PREFIX = 'notation-';

export interface ImportedTrustPolicy {
  keys: NotationPolicySigner[];
  rules: Rule[];
}

export function importTrustPolicy(
  spec: { file: string; trustStoreDir: string },
  defaults: { transparencyLog: TlogMode },
  reader: KeyFileReader,
  issues: PolicyIssue[],
): ImportedTrustPolicy {
  const file = path.resolve(reader.baseDir, spec.file);
  const dir = path.resolve(reader.baseDir, spec.trustStoreDir);
  const empty: ImportedTrustPolicy = { keys: [], rules: [] };
  const fileIssue = (at: string, message: string) =>
    issues.push({
      path: 'notationTrustPolicy.file',
      message: `${JSON.stringify(file)}: ${at ? `${at}: ` : ''}${message}`,
    });

  let text: string;
  try {
    text = reader.readFile(file);
  } catch (e) {
    issues.push({
      path: 'notationTrustPolicy.file',
      message: `cannot read ${JSON.stringify(file)} (${errorCode(e)})`,
    });
    return empty;
  }
  if (Buffer.byteLength(text, 'utf8') > MAX_TRUST_POLICY_BYTES) {
    fileIssue('', `larger than ${MAX_TRUST_POLICY_BYTES} bytes`);
    return empty;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    fileIssue('', `not JSON (${e instanceof Error ? e.message : String(e)})`);
    return empty;
  }
  if (!isRecord(doc)) {
    fileIssue('', 'expected a JSON object with version and trustPolicies');
    return empty;
  }
  unknownFields(doc, TOP_FIELDS, '', fileIssue);
  if (doc.version !== '1.0') {
    fileIssue(
      'version',
      `must be "1.0" (the OCI trust policy version the guard maps), got ${JSON.stringify(doc.version)}`,
    );
  }
  if (!Array.isArray(doc.trustPolicies) || doc.trustPolicies.length === 0) {
    fileIssue('trustPolicies', 'must list at least one trust policy statement');
    return empty;
  }
  if (doc.trustPolicies.length > MAX_STATEMENTS) {
    fileIssue('trustPolicies', `at most ${MAX_STATEMENTS} statements`);
    return empty;
  }

  const out: ImportedTrustPolicy = { keys: [], rules: [] };
  const names = new Map<string, number>();
  const scopes = new Map<string, number>();
  doc.trustPolicies.forEach((statement: unknown, i: number) => {
    const at = `trustPolicies[${i}]`;
    const before = issues.length;
    if (!isRecord(statement)) {
      fileIssue(at, 'must be an object');
      return;
    }
    unknownFields(statement, STATEMENT_FIELDS, at, fileIssue);

    const name = statement.name;
    if (typeof name !== 'string' || name === '') fileIssue(`${at}.name`, 'is required');
    else if (!STATEMENT_NAME_RE.test(name)) {
      fileIssue(
        `${at}.name`,
        `${JSON.stringify(name)} cannot be mapped: it becomes the signer and rule name "${SIGNER_PREFIX}${name}", which must be 1–64 letters, digits, ".", "_" or "-" (so the statement name at most 55, starting with a letter or digit)`,
      );
    } else if (names.has(name))
      fileIssue(`${at}.name`, `"${name}" is already the name of trustPolicies[${names.get(name)}]`);
    else names.set(name, i);

    const images = checkScopes(statement.registryScopes, `${at}.registryScopes`, i, scopes, fileIssue);
    const level = checkVerification(
      statement.signatureVerification,
      `${at}.signatureVerification`,
      fileIssue,
    );
    const stores = checkStoreRefs(statement.trustStores, `${at}.trustStores`, fileIssue);
    const identities = checkIdentities(statement.trustedIdentities, `${at}.trustedIdentities`, fileIssue);
    if (
      issues.length > before ||
      typeof name !== 'string' ||
      level === undefined ||
      stores === undefined ||
      identities === undefined
    )
      return;

    const signerName = `${SIGNER_PREFIX}${name}`;
    if (identities.kind === 'awsSigner') {
      const others = stores.filter((s) => s.type !== 'signingAuthority');
      if (others.length > 0) {
        fileIssue(
          `${at}.trustStores`,
          `cannot be mapped: AWS Signer identities are verified against signingAuthority stores only, and this statement also lists ${others.map((s) => `${s.type}:${s.name}`).join(', ')}`,
        );
        return;
      }
      // The stores must exist and hold certificates, as notation requires; the guard then verifies
      // against its built-in AWS Signer roots (commercial and GovCloud), the same certificates.
      for (const store of stores) readStore(dir, store, `${at}.trustStores`, reader, issues);
      out.keys.push({ name: signerName, awsSigner: { signingProfiles: identities.values } });
    } else {
      if (!stores.some((s) => s.type === 'ca' || s.type === 'signingAuthority')) {
        fileIssue(
          `${at}.trustStores`,
          'must list a ca or signingAuthority store (a tsa store only verifies timestamps)',
        );
        return;
      }
      const trustStores: NotationTrustStore[] = [];
      for (const store of stores) {
        const certificates = readStore(dir, store, `${at}.trustStores`, reader, issues);
        if (certificates !== undefined) trustStores.push({ ...store, certificates });
      }
      if (trustStores.length !== stores.length) return;
      out.keys.push({
        name: signerName,
        notation: {
          trustStores,
          trustedIdentities: identities.values,
          verifyTimestamp: level.verifyTimestamp,
        },
      });
    }
    out.rules.push({
      name: signerName,
      match: images === 'all' ? {} : { images },
      keys: [signerName],
      require: 'any',
      mode: level.mode,
      transparencyLog: defaults.transparencyLog,
    });
  });
  return out;
}

type Report = (at: string, message: string) => void;

function checkScopes(
  value: unknown,
  at: string,
  statement: number,
  seen: Map<string, number>,
  report: Report,
): string[] | 'all' | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    report(at, 'must list at least one registry scope ("registry/repository", or "*")');
    return undefined;
  }
  if (value.includes('*')) {
    if (value.length > 1) report(at, '"*" must be the only scope of its statement');
    const first = seen.get('*');
    if (first !== undefined)
      report(at, `"*" is already the scope of trustPolicies[${first}]; at most one statement may use it`);
    else seen.set('*', statement);
    return 'all';
  }
  const images: string[] = [];
  value.forEach((scope: unknown, j: number) => {
    const where = `${at}[${j}]`;
    const problem = scopeProblem(scope);
    if (problem !== undefined) {
      report(where, problem);
      return;
    }
    const s = scope as string;
    const first = seen.get(s);
    if (first !== undefined) {
      report(
        where,
        `${JSON.stringify(s)} is already a scope of trustPolicies[${first}]; a scope may be in one statement only`,
      );
      return;
    }
    seen.set(s, statement);
    images.push(s);
  });
  return images;
}

function scopeProblem(scope: unknown): string | undefined {
  if (typeof scope !== 'string' || scope === '') return 'must be a non-empty string';
  if (scope.length > 1024) return 'is longer than 1024 characters';
  if (/[*?]/.test(scope))
    return `${JSON.stringify(scope)}: wildcards are not supported in a scope (only "*" alone, for every repository)`;
  const slash = scope.indexOf('/');
  if (slash <= 0)
    return `${JSON.stringify(scope)} must be "registry/repository" (for example "registry.example/team/app")`;
  const registry = scope.slice(0, slash);
  const repository = scope.slice(slash + 1);
  if (repository.includes('@'))
    return `${JSON.stringify(scope)} has a digest; a scope is a repository, without tag or digest`;
  if (repository.includes(':'))
    return `${JSON.stringify(scope)} has a tag; a scope is a repository, without tag or digest`;
  if (!REGISTRY_RE.test(registry))
    return `${JSON.stringify(scope)}: "${registry}" is not a registry host[:port]`;
  if (!REPOSITORY_RE.test(repository)) {
    return `${JSON.stringify(scope)}: "${repository}" is not a repository name (lower-case path components of letters, digits, ".", "_", "-")`;
  }
  return undefined;
}

function checkVerification(
  value: unknown,
  at: string,
  report: Report,
): { mode: Mode; verifyTimestamp: 'always' | 'afterCertExpiry' } | undefined {
  if (!isRecord(value)) {
    report(at, 'is required (an object with level)');
    return undefined;
  }
  unknownFields(value, VERIFICATION_FIELDS, at, report);
  let result: { mode: Mode; verifyTimestamp: 'always' | 'afterCertExpiry' } | undefined;
  switch (value.level) {
    case 'strict':
      result = { mode: 'enforce', verifyTimestamp: POLICY_DEFAULTS.verifyTimestamp };
      break;
    case 'audit':
      result = { mode: 'audit', verifyTimestamp: POLICY_DEFAULTS.verifyTimestamp };
      break;
    case 'permissive':
      report(
        `${at}.level`,
        'permissive cannot be mapped: it enforces integrity and authenticity but only logs expiry, timestamp and revocation failures, and the guard has no such half-way mode; use strict (mode enforce) or audit (mode audit)',
      );
      return undefined;
    case 'skip':
      report(
        `${at}.level`,
        'skip cannot be mapped: the guard does not verify nothing silently; list such images under trustedImages with a reason, or leave them to noMatch',
      );
      return undefined;
    default:
      report(
        `${at}.level`,
        `must be one of: strict, audit (permissive and skip cannot be mapped), got ${JSON.stringify(value.level)}`,
      );
      return undefined;
  }
  if (value.override !== undefined) {
    report(
      `${at}.override`,
      'cannot be mapped: the guard runs every check of the level as notation does at that level, with no per-check overrides; remove override (or verify those images another way)',
    );
    return undefined;
  }
  if (value.verifyTimestamp !== undefined) {
    if (value.verifyTimestamp !== 'always' && value.verifyTimestamp !== 'afterCertExpiry') {
      report(
        `${at}.verifyTimestamp`,
        `must be one of: always, afterCertExpiry, got ${JSON.stringify(value.verifyTimestamp)}`,
      );
      return undefined;
    }
    result.verifyTimestamp = value.verifyTimestamp;
  }
  return result;
}

function checkStoreRefs(
  value: unknown,
  at: string,
  report: Report,
): Omit<NotationTrustStore, 'certificates'>[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    report(at, 'must list at least one trust store ("ca:NAME", "signingAuthority:NAME" or "tsa:NAME")');
    return undefined;
  }
  if (value.length > POLICY_LIMITS.trustStores) {
    report(at, `at most ${POLICY_LIMITS.trustStores} trust stores`);
    return undefined;
  }
  const out: Omit<NotationTrustStore, 'certificates'>[] = [];
  let ok = true;
  value.forEach((ref: unknown, j: number) => {
    const where = `${at}[${j}]`;
    const colon = typeof ref === 'string' ? ref.indexOf(':') : -1;
    const type = typeof ref === 'string' ? ref.slice(0, colon) : '';
    const name = typeof ref === 'string' ? ref.slice(colon + 1) : '';
    if (
      colon < 0 ||
      !(TRUST_STORE_TYPES as readonly string[]).includes(type) ||
      !STORE_NAME_RE.test(name) ||
      name.length > 64
    ) {
      report(
        where,
        `must be TYPE:NAME with TYPE ca, signingAuthority or tsa and NAME of letters, digits, ".", "_", "-", got ${JSON.stringify(ref)}`,
      );
      ok = false;
      return;
    }
    if (out.some((s) => s.type === type && s.name === name)) {
      report(where, `${JSON.stringify(ref)} is listed twice`);
      ok = false;
      return;
    }
    out.push({ type: type as NotationTrustStore['type'], name });
  });
  return ok ? out : undefined;
}

function checkIdentities(
  value: unknown,
  at: string,
  report: Report,
): { kind: 'x509' | 'awsSigner'; values: string[] } | undefined {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    report(
      at,
      'must list at least one identity ("*", "x509.subject: …" or an AWS Signer signing-profile ARN)',
    );
    return undefined;
  }
  if (value.length > POLICY_LIMITS.trustedIdentities) {
    report(at, `at most ${POLICY_LIMITS.trustedIdentities} identities`);
    return undefined;
  }
  const identities = value as string[];
  const arns = identities.filter((v) => v.startsWith('arn:'));
  if (arns.length > 0) {
    if (arns.length !== identities.length) {
      report(
        at,
        'cannot be mapped: AWS Signer ARNs and other identities in one statement; put them in separate statements',
      );
      return undefined;
    }
    let ok = true;
    identities.forEach((arn, j) => {
      const problem = signingProfileArnProblem(arn);
      if (problem !== undefined) {
        report(
          `${at}[${j}]`,
          parseSigningProfileArn(arn) === undefined && !arn.startsWith('arn:aws')
            ? `plugin-defined identity ${JSON.stringify(arn)} cannot be mapped (the guard knows AWS Signer's only)`
            : problem,
        );
        ok = false;
      }
    });
    return ok ? { kind: 'awsSigner', values: [...identities] } : undefined;
  }
  let ok = true;
  identities.forEach((identity, j) => {
    if (identity !== '*' && !identity.startsWith(X509_SUBJECT_PREFIX)) {
      report(
        `${at}[${j}]`,
        `plugin-defined identity ${JSON.stringify(identity.slice(0, 80))} cannot be mapped: the guard knows "*", "x509.subject: …" and AWS Signer signing-profile ARNs`,
      );
      ok = false;
    }
  });
  if (!ok) return undefined;
  for (const issue of trustedIdentityIssues(identities)) {
    report(issue.index === undefined ? at : `${at}[${issue.index}]`, issue.message);
    ok = false;
  }
  return ok ? { kind: 'x509', values: [...identities] } : undefined;
}

/** The certificates of `<dir>/x509/<type>/<name>/` as canonical PEM, or undefined after an issue. */
function readStore(
  dir: string,
  store: Omit<NotationTrustStore, 'certificates'>,
  at: string,
  reader: KeyFileReader,
  issues: PolicyIssue[],
): string | undefined {
  const folder = path.join(dir, 'x509', store.type, store.name);
  const report = (message: string) =>
    issues.push({
      path: 'notationTrustPolicy.trustStoreDir',
      message: `${at}: ${store.type}:${store.name}: ${message}`,
    });
  const kindOf = reader.kindOf ?? (() => 'other' as FileKind);
  const listDir = reader.listDir;
  const kind = kindOf(folder);
  if (kind === 'missing' || listDir === undefined) {
    report(`no folder ${JSON.stringify(folder)}`);
    return undefined;
  }
  if (kind === 'symlink') {
    report(`${JSON.stringify(folder)} is a symbolic link; notation does not follow them`);
    return undefined;
  }
  if (kind !== 'directory') {
    report(`${JSON.stringify(folder)} is not a folder`);
    return undefined;
  }
  let entries: string[];
  try {
    entries = listDir(folder).sort();
  } catch (e) {
    report(`cannot list ${JSON.stringify(folder)} (${errorCode(e)})`);
    return undefined;
  }
  const certificates = [];
  let files = 0;
  for (const entry of entries) {
    const full = path.join(folder, entry);
    const entryKind = kindOf(full);
    if (entryKind === 'directory') continue; // sub-folders are ignored, as notation does
    if (!CERT_EXTENSIONS.has(path.extname(entry).toLowerCase())) continue;
    if (entryKind === 'symlink') {
      report(`${JSON.stringify(full)} is a symbolic link; notation does not follow them`);
      return undefined;
    }
    if (entryKind !== 'file') {
      report(`${JSON.stringify(full)} is not a regular file`);
      return undefined;
    }
    if (++files > MAX_FILES_PER_STORE) {
      report(`more than ${MAX_FILES_PER_STORE} certificate files`);
      return undefined;
    }
    let bytes: Buffer;
    try {
      bytes = reader.readBytes ? reader.readBytes(full) : Buffer.from(reader.readFile(full), 'utf8');
    } catch (e) {
      report(`cannot read ${JSON.stringify(full)} (${errorCode(e)})`);
      return undefined;
    }
    if (bytes.length > MAX_CERTIFICATE_FILE_BYTES) {
      report(`${JSON.stringify(full)} is larger than ${MAX_CERTIFICATE_FILE_BYTES} bytes`);
      return undefined;
    }
    const read = readCertificateFile(bytes);
    if (!read.ok) {
      report(`${JSON.stringify(full)} ${read.problem}`);
      return undefined;
    }
    for (const cert of read.certificates) {
      const problem = trustStoreCertificateProblem(cert, store.type);
      if (problem !== undefined) {
        report(`${JSON.stringify(full)}: ${problem}`);
        return undefined;
      }
    }
    certificates.push(...read.certificates);
    if (certificates.length > MAX_CERTIFICATES_PER_STORE) {
      report(`more than ${MAX_CERTIFICATES_PER_STORE} certificates`);
      return undefined;
    }
  }
  if (certificates.length === 0) {
    report(`${JSON.stringify(folder)} holds no certificate file (*.pem, *.crt, *.cer)`);
    return undefined;
  }
  const pem = certificatesPem(certificates);
  if (pem.length > POLICY_LIMITS.pemChars) {
    report(`more than ${POLICY_LIMITS.pemChars} characters of certificates`);
    return undefined;
  }
  return pem;
}

function unknownFields(
  value: Record<string, unknown>,
  allowed: readonly string[],
  at: string,
  report: Report,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      report(at === '' ? key : `${at}.${key}`, `unknown field (allowed here: ${allowed.join(', ')})`);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
