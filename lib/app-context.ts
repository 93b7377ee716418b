import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** The CDK app's settings, from `-c key=value` / cdk.json context. Everything is optional. */
export interface AppSettings {
  stackName: string;
  policyFile?: string;
  alertEmails: string[];
  logRetention: RetentionDays;
  signingKeyAlias?: string;
}

export const DEFAULT_STACK_NAME = 'EcsImageGuard';
const DEFAULT_RETENTION_DAYS = 365;
// CloudFormation stack names: a letter, then letters, digits and hyphens, at most 128 characters.
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * Reads and validates the context. Values given with `-c` arrive as strings; values in cdk.json may be
 * JSON (an array of emails, a number of days). Bad values throw with the context key and the reason.
 */
export function readAppSettings(get: (key: string) => unknown): AppSettings {
  const stackName = optionalString(get('stackName'), 'stackName') ?? DEFAULT_STACK_NAME;
  if (!STACK_NAME.test(stackName)) {
    throw new Error(
      `context stackName: ${JSON.stringify(stackName)} is not a valid stack name (${STACK_NAME})`,
    );
  }
  const policyFile = optionalString(get('policyFile'), 'policyFile');
  const signingKeyAlias = optionalString(get('signingKeyAlias'), 'signingKeyAlias');
  if (signingKeyAlias !== undefined && !/^alias\/[A-Za-z0-9/_-]{1,250}$/.test(signingKeyAlias)) {
    throw new Error(`context signingKeyAlias: ${JSON.stringify(signingKeyAlias)} must look like alias/NAME`);
  }
  return {
    stackName,
    ...(policyFile === undefined ? {} : { policyFile }),
    alertEmails: parseEmails(get('alertEmails')),
    logRetention: parseRetention(get('logRetentionDays')),
    ...(signingKeyAlias === undefined ? {} : { signingKeyAlias }),
  };
}

/** `a@x.com,b@x.com`, a JSON array string `["a@x.com"]`, or an array (cdk.json). */
export function parseEmails(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  let list: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('[')) {
      try {
        list = JSON.parse(text);
      } catch {
        throw new Error(
          `context alertEmails: ${JSON.stringify(value)} is neither a JSON array nor a comma-separated list`,
        );
      }
    } else {
      list = text.split(',');
    }
  }
  if (!Array.isArray(list) || list.some((e) => typeof e !== 'string')) {
    throw new Error('context alertEmails: expected a comma-separated string or an array of strings');
  }
  const emails = (list as string[]).map((e) => e.trim()).filter((e) => e !== '');
  for (const email of emails) {
    if (!/^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/.test(email)) {
      throw new Error(`context alertEmails: ${JSON.stringify(email)} is not an email address`);
    }
  }
  return [...new Set(emails)];
}

/** Days as a number or numeric string; must be one of CloudWatch Logs' retention values. */
export function parseRetention(value: unknown): RetentionDays {
  if (value === undefined || value === null || value === '') return DEFAULT_RETENTION_DAYS as RetentionDays;
  const days =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value.trim())
        ? Number(value)
        : NaN;
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
