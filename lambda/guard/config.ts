import path from 'node:path';
import * as z from 'zod/mini';

/** A whole number given as an environment string, within [min, max]. */
const wholeNumber = (what: string, min: number, max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d{1,7}$/, `must be a whole number of ${what}`)),
    z.pipe(
      z.transform((v: string) => Number(v)),
      z.number().check(z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`)),
    ),
  );

/**
 * The Lambda's environment, validated once at start (a bad deployment fails loudly, not per event).
 * zod/mini, not full zod: this runs in the Lambda, whose bundle stays small.
 */
const EnvSchema = z.object({
  IMAGE_GUARD_POLICY_FILE: z._default(z.string().check(z.minLength(1)), 'policy.json'),
  // Checked by the policy loader (a missing or wrong hash is POLICY_INVALID, recorded per event).
  IMAGE_GUARD_POLICY_SHA256: z.optional(z.string()),
  IMAGE_GUARD_TOPIC_ARN: z.optional(
    z.string().check(z.regex(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN')),
  ),
  IMAGE_GUARD_LEDGER_TABLE: z.optional(z.string().check(z.minLength(3), z.maxLength(255))),
  IMAGE_GUARD_VERIFY_DEADLINE_MS: z._default(wholeNumber('milliseconds', 1000, 900_000), 25_000),
  // How long a stop or alert claim is held before a retry may take it over; above the function timeout.
  IMAGE_GUARD_LEASE_SECONDS: z.optional(wholeNumber('seconds', 1, 3600)),
  // `ledger`: the deployment hook protects services, and records its approvals in the ledger table.
  IMAGE_GUARD_APPROVED_DIGESTS: z.optional(z.literal('ledger', 'must be "ledger" when set')),
  AWS_REGION: z.optional(z.string().check(z.minLength(1))),
});

export interface GuardConfig {
  policyFile: string;
  /** SHA-256 of the policy synth compiled (policySha256); the shipped file must match it. */
  policySha256?: string;
  topicArn?: string;
  ledgerTable?: string;
  verifyDeadlineMs: number;
  /** Lease of a ledger claim, in ms; absent: the ledger's default. */
  leaseMs?: number;
  region?: string;
  /** Read the deployment hook's approved digests from the ledger table (set where services are protected). */
  approvedDigests?: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv, baseDir: string): GuardConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid Lambda environment: ${problems}`);
  }
  const e = parsed.data;
  return {
    policyFile: path.resolve(baseDir, e.IMAGE_GUARD_POLICY_FILE),
    policySha256: e.IMAGE_GUARD_POLICY_SHA256,
    topicArn: e.IMAGE_GUARD_TOPIC_ARN,
    ledgerTable: e.IMAGE_GUARD_LEDGER_TABLE,
    verifyDeadlineMs: e.IMAGE_GUARD_VERIFY_DEADLINE_MS,
    ...(e.IMAGE_GUARD_LEASE_SECONDS === undefined ? {} : { leaseMs: e.IMAGE_GUARD_LEASE_SECONDS * 1000 }),
    region: e.AWS_REGION,
    ...(e.IMAGE_GUARD_APPROVED_DIGESTS === 'ledger' ? { approvedDigests: true } : {}),
  };
}
