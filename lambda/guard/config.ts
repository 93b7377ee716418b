import path from 'node:path';
import * as z from 'zod/mini';

/**
 * The Lambda's environment, validated once at start (a bad deployment fails loudly, not per event).
 * zod/mini, not full zod: this runs in the Lambda, whose bundle stays small.
 */
const EnvSchema = z.object({
  IMAGE_GUARD_POLICY_FILE: z._default(z.string().check(z.minLength(1)), 'policy.json'),
  IMAGE_GUARD_TOPIC_ARN: z.optional(
    z.string().check(z.regex(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN')),
  ),
  IMAGE_GUARD_LEDGER_TABLE: z.optional(z.string().check(z.minLength(3), z.maxLength(255))),
  IMAGE_GUARD_VERIFY_DEADLINE_MS: z._default(
    z.pipe(
      z.string().check(z.regex(/^\d{1,7}$/, 'must be a whole number of milliseconds')),
      z.pipe(
        z.transform((v: string) => Number(v)),
        z.number().check(z.gte(1000, 'must be at least 1000'), z.lte(900_000, 'must be at most 900000')),
      ),
    ),
    25_000,
  ),
  AWS_REGION: z.optional(z.string().check(z.minLength(1))),
});

export interface GuardConfig {
  policyFile: string;
  topicArn?: string;
  ledgerTable?: string;
  verifyDeadlineMs: number;
  region?: string;
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
    topicArn: e.IMAGE_GUARD_TOPIC_ARN,
    ledgerTable: e.IMAGE_GUARD_LEDGER_TABLE,
    verifyDeadlineMs: e.IMAGE_GUARD_VERIFY_DEADLINE_MS,
    region: e.AWS_REGION,
  };
}
