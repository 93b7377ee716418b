import path from 'node:path';
import { z } from 'zod';

/** The Lambda's environment, validated once at start (a bad deployment fails loudly, not per event). */
const EnvSchema = z.object({
  IMAGE_GUARD_POLICY_FILE: z.string().min(1).default('policy.json'),
  // Checked by the policy loader (a missing or wrong hash is POLICY_INVALID, recorded per event).
  IMAGE_GUARD_POLICY_SHA256: z.string().optional(),
  IMAGE_GUARD_TOPIC_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN')
    .optional(),
  IMAGE_GUARD_LEDGER_TABLE: z.string().min(3).max(255).optional(),
  IMAGE_GUARD_VERIFY_DEADLINE_MS: z.coerce.number().int().min(1000).max(900_000).default(25_000),
  AWS_REGION: z.string().min(1).optional(),
});

export interface GuardConfig {
  policyFile: string;
  /** SHA-256 of the policy synth compiled (policySha256); the shipped file must match it. */
  policySha256?: string;
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
    policySha256: e.IMAGE_GUARD_POLICY_SHA256,
    topicArn: e.IMAGE_GUARD_TOPIC_ARN,
    ledgerTable: e.IMAGE_GUARD_LEDGER_TABLE,
    verifyDeadlineMs: e.IMAGE_GUARD_VERIFY_DEADLINE_MS,
    region: e.AWS_REGION,
  };
}
