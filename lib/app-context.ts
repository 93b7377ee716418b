import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_SIGNING_KEY_ALIAS } from './image-guard';

/** The CDK app's settings, from `-c key=value` / cdk.json context. Everything is optional. */
export interface AppSettings {
  stackName: string;
  policyFile?: string;
  alertEmails: string[];
  /** Operator alarms go to their own topic with these subscribers; none → alarms go to the alert topic. */
  opsEmails: string[];
  logRetention: RetentionDays;
  /**
   * Alias of the signing key the stack creates (no policy file, or `keepSigningKey`). Given, or derived:
   * `alias/ecs-image-guard` for the default stack name, `alias/ecs-image-guard-<stackName>` otherwise,
   * so a second stack in the same account does not collide with the first one's alias.
   */
  signingKeyAlias: string;
  /** True when signingKeyAlias was derived from a non-default stack name (the app says so at synth). */
  signingKeyAliasDerived: boolean;
  /** Keep the signing key (same logical id, same alias) when a policy file is given. */
  keepSigningKey: boolean;
  /** Reserved concurrency of the verifier; undefined = none (the default). */
  reservedConcurrency?: number;
  /** Minutes between sweep runs (docs/sweep.md); 0 = no sweep. Default 15. */
  sweepIntervalMinutes: number;
}

export const DEFAULT_STACK_NAME = 'EcsImageGuard';

/** The app's own context keys. Anything else without a namespace (`@…` or `…:…`) is a typo. */
export const CONTEXT_KEYS = [
  'policyFile',
  'alertEmails',
  'opsEmails',
  'logRetentionDays',
  'stackName',
  'signingKeyAlias',
  'keepSigningKey',
  'reservedConcurrency',
  'sweepIntervalMinutes',
] as const;
export const DEFAULT_SWEEP_INTERVAL_MINUTES = 15;
const DEFAULT_RETENTION_DAYS = 365;
// CloudFormation stack names: a letter, then letters, digits and hyphens, at most 128 characters.
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * Reads and validates the context. Values given with `-c` arrive as strings; values in cdk.json may be
 * JSON (an array of emails, a number of days). Bad values throw with the context key and the reason.
 */
export function readAppSettings(get: (key: string) => unknown, keys: readonly string[] = []): AppSettings {
  checkContextKeys(keys);
  const stackName = optionalString(get('stackName'), 'stackName') ?? DEFAULT_STACK_NAME;
  if (!STACK_NAME.test(stackName)) {
    throw new Error(
      `context stackName: ${JSON.stringify(stackName)} is not a valid stack name (${STACK_NAME})`,
    );
  }
  const policyFile = optionalString(get('policyFile'), 'policyFile');
  const givenAlias = optionalString(get('signingKeyAlias'), 'signingKeyAlias');
  if (givenAlias !== undefined && !/^alias\/[A-Za-z0-9/_-]{1,250}$/.test(givenAlias)) {
    throw new Error(`context signingKeyAlias: ${JSON.stringify(givenAlias)} must look like alias/NAME`);
  }
  const derived = givenAlias === undefined && stackName !== DEFAULT_STACK_NAME;
  const keepSigningKey = parseBoolean(get('keepSigningKey'), 'keepSigningKey');
  const reservedConcurrency = parseReservedConcurrency(get('reservedConcurrency'));
  const sweepIntervalMinutes = parseSweepInterval(get('sweepIntervalMinutes'));
  return {
    stackName,
    ...(policyFile === undefined ? {} : { policyFile }),
    alertEmails: parseEmails(get('alertEmails')),
    opsEmails: parseEmails(get('opsEmails'), 'opsEmails'),
    logRetention: parseRetention(get('logRetentionDays')),
    signingKeyAlias:
      givenAlias ?? (derived ? `${DEFAULT_SIGNING_KEY_ALIAS}-${stackName}` : DEFAULT_SIGNING_KEY_ALIAS),
    signingKeyAliasDerived: derived,
    keepSigningKey,
    ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
    sweepIntervalMinutes,
  };
}

/** Whole minutes, 0 (no sweep) or 1 to 1440 (a day); absent = 15. */
export function parseSweepInterval(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_SWEEP_INTERVAL_MINUTES;
  const n = wholeNumberOf(value);
  if (!Number.isInteger(n) || n < 0 || n > 1440) {
    throw new Error(
      `context sweepIntervalMinutes: ${JSON.stringify(value)} must be a whole number of minutes from 1 to 1440, ` +
        'or 0 to turn the sweep off',
    );
  }
  return n;
}

/**
 * Fails on a context key that is neither the app's own nor namespaced. CDK's own keys and feature
 * flags carry a namespace (`@aws-cdk/…`, `aws:cdk:…`, lookups like `availability-zones:…`); an
 * unnamespaced key the app does not know is a typo (`-c policyfile=…`, `-c policy=…`) that would
 * otherwise silently deploy the default policy.
 */
export function checkContextKeys(keys: readonly string[]): void {
  const known = new Set<string>(CONTEXT_KEYS);
  const unknown = keys.filter((k) => !known.has(k) && !k.includes('@') && !k.includes(':')).sort();
  if (unknown.length === 0) return;
  throw new Error(
    `unknown context key${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => JSON.stringify(k)).join(', ')}. ` +
      `Valid keys: ${CONTEXT_KEYS.join(', ')} (CDK's own keys carry a namespace, "@…" or "…:…")`,
  );
}

/** `true`/`false` (any case) or a boolean (cdk.json); absent = false. */
export function parseBoolean(value: unknown, key: string): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return /^true$/i.test(value.trim());
  throw new Error(`context ${key}: ${JSON.stringify(value)} must be true or false`);
}

/** A context value given as a number (cdk.json) or a string of digits (`-c key=value`); NaN otherwise. */
function wholeNumberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
}

/** A non-negative integer (number or numeric string); absent = no reservation. */
export function parseReservedConcurrency(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = wholeNumberOf(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(
      `context reservedConcurrency: ${JSON.stringify(value)} must be a non-negative integer (omit it for no reservation)`,
    );
  }
  return n;
}

/** `a@x.com,b@x.com`, a JSON array string `["a@x.com"]`, or an array (cdk.json). */
export function parseEmails(value: unknown, key = 'alertEmails'): string[] {
  if (value === undefined || value === null || value === '') return [];
  let list: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('[')) {
      try {
        list = JSON.parse(text);
      } catch {
        throw new Error(
          `context ${key}: ${JSON.stringify(value)} is neither a JSON array nor a comma-separated list`,
        );
      }
    } else {
      list = text.split(',');
    }
  }
  if (!Array.isArray(list) || list.some((e) => typeof e !== 'string')) {
    throw new Error(`context ${key}: expected a comma-separated string or an array of strings`);
  }
  const emails = (list as string[]).map((e) => e.trim()).filter((e) => e !== '');
  for (const email of emails) {
    if (!/^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/.test(email)) {
      throw new Error(`context ${key}: ${JSON.stringify(email)} is not an email address`);
    }
  }
  return [...new Set(emails)];
}

/** Days as a number or numeric string; must be one of CloudWatch Logs' retention values. */
export function parseRetention(value: unknown): RetentionDays {
  if (value === undefined || value === null || value === '') return DEFAULT_RETENTION_DAYS as RetentionDays;
  const days = wholeNumberOf(value);
  const allowed = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) {
    throw new Error(
      `context logRetentionDays: ${JSON.stringify(value)} is not a CloudWatch Logs retention; use one of ` +
        `${allowed.join(', ')} (${RetentionDays.INFINITE} = never expire)`,
    );
  }
  return days as RetentionDays;
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`context ${key}: expected a string, got ${typeof value}`);
  const text = value.trim();
  return text === '' ? undefined : text;
}
