/**
 * Reading a policy: YAML or JSON text (JSON is YAML) → validated, compiled `Policy`, or a `PolicyError`
 * listing every problem with its field path. Used at `cdk synth` and by the CLI; the Lambda reads the
 * policy synth compiled with ./shipped.ts instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { compilePolicy, type FileKind } from './compile';
import { deepFreeze } from './deep-freeze';
import { crossCheck } from './cross-checks';
import { PolicyError, describe, fromZodIssues, type PolicyIssue } from './issues';
import { PolicyFileSchema, type Policy } from './schema';
import { MAX_POLICY_BYTES } from './shipped';

export { MAX_POLICY_BYTES };
/** YAML aliases can expand a small file into a huge tree ("billion laughs"); allow only a few. */
const MAX_YAML_ALIASES = 100;

export interface ParsePolicyOptions {
  /** Names the policy in messages, e.g. the file path as the user gave it. */
  source: string;
  /** Directory `publicKeyFile` (and other file) paths are relative to; defaults to the current directory. */
  baseDir?: string;
  /** Reads a key file (tests substitute it); defaults to a size-capped fs read. */
  readFile?: (path: string) => string;
}

/** Certificate and trust-store files: a few kilobytes each. */
const MAX_FILE_BYTES = 1024 * 1024;

export function parsePolicy(text: string, options: ParsePolicyOptions): Policy {
  const { source } = options;
  const fail = (issues: PolicyIssue[]): never => {
    throw new PolicyError(source, issues);
  };

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_POLICY_BYTES)
    fail([{ path: '', message: `policy is ${bytes} bytes; the limit is ${MAX_POLICY_BYTES}` }]);

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true, lineCounter });
  const yamlIssues = [...doc.errors, ...doc.warnings].map((e) => yamlIssue(e, text, lineCounter));
  if (yamlIssues.length > 0) fail(yamlIssues);

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    fail([{ path: '', message: `cannot read the YAML: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  if (raw === null || raw === undefined) {
    fail([{ path: '', message: 'the policy is empty; expected a mapping with keys, rules, …' }]);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    fail([{ path: '', message: `expected a mapping at the top level, got ${describe(raw)}` }]);
  }

  const parsed = PolicyFileSchema.safeParse(raw, { reportInput: true });
  const issues = [...(parsed.success ? [] : fromZodIssues(parsed.error.issues)), ...crossCheck(raw)];
  if (!parsed.success || issues.length > 0) return fail(issues);

  const compiled = compilePolicy(parsed.data, {
    baseDir: options.baseDir ?? process.cwd(),
    readFile: options.readFile ?? readKeyFileFromDisk,
    readBytes: (file) => readCappedBytes(file, MAX_FILE_BYTES),
    kindOf: fileKind,
    listDir: (dir) => fs.readdirSync(dir),
  });
  if (compiled.issues.length > 0) fail(compiled.issues);
  // The Lambda refuses a shipped policy above MAX_POLICY_BYTES: say so now, not at its first start.
  const shipped = Buffer.byteLength(JSON.stringify(compiled.policy, null, 2), 'utf8');
  if (shipped > MAX_POLICY_BYTES) {
    fail([
      {
        path: '',
        message: `the compiled policy (key and certificate files inlined) is ${shipped} bytes; the limit is ${MAX_POLICY_BYTES}`,
      },
    ]);
  }
  // Frozen: matchers are compiled once per policy object and the hash names it, so it must not change.
  return deepFreeze(compiled.policy);
}

/** Reads and parses a policy file; key files are resolved relative to the policy file's directory. */
export function loadPolicyFile(file: string): Policy {
  let text: string;
  try {
    text = readCapped(file, MAX_POLICY_BYTES);
  } catch (e) {
    throw new PolicyError(file, [{ path: '', message: `cannot read the policy file (${errorCode(e)})` }]);
  }
  return parsePolicy(text, { source: file, baseDir: path.dirname(path.resolve(file)) });
}

function readKeyFileFromDisk(file: string): string {
  return readCapped(file, MAX_FILE_BYTES);
}

function readCappedBytes(file: string, maxBytes: number): Buffer {
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
  if (stat.size > maxBytes) {
    throw Object.assign(new Error('too large'), { code: `${stat.size} bytes; the limit is ${maxBytes}` });
  }
  return fs.readFileSync(file);
}

function fileKind(file: string): FileKind {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return 'missing';
  }
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isDirectory()) return 'directory';
  return stat.isFile() ? 'file' : 'other';
}

/** Reads a regular file as UTF-8, refusing anything larger than `maxBytes` before reading it. */
function readCapped(file: string, maxBytes: number): string {
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
  if (stat.size > maxBytes) {
    throw Object.assign(new Error('too large'), { code: `${stat.size} bytes; the limit is ${maxBytes}` });
  }
  return fs.readFileSync(file, 'utf8');
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return e instanceof Error ? e.message : String(e);
}

function yamlIssue(e: YAMLError, text: string, lines: LineCounter): PolicyIssue {
  const { line, col } = lines.linePos(e.pos[0]);
  let message = firstLine(e.message);
  if (e.code === 'DUPLICATE_KEY') {
    const key = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:\n,}]+)/.exec(text.slice(e.pos[0]))?.[1]?.trim();
    message = key
      ? `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : JSON.stringify(key)}`
      : 'duplicate key';
  }
  return { path: '', message: `line ${line}, column ${col}: ${message}` };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
