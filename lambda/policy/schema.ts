/**
 * The policy file (docs/policy.md) as a zod schema, and the compiled `Policy` the engine uses.
 *
 * Every object is strict: an unknown field is an error, because a typo (`requrie: all`, `matchs:`) that
 * was silently ignored would weaken a policy without anyone noticing.
 *
 * Fields beyond the original contract (extensions, all optional):
 *   version: 1                    schema version; the only version so far
 *   transparencyLog: MODE         top level and per rule (a rule's value overrides the top level):
 *                                 ignore | verify-if-present (default) | required
 *   rekorPublicKeys: [PEM, …]     transparency-log public keys; replaces the shipped public-good key
 *   alerts: { windowMinutes: N }  alert grouping window (default 60; 0 emails every task): the first
 *                                 failing task of a (cluster, service or family, container, digest)
 *                                 group is emailed, later ones within the window are counted
 *   awsInjectedContainers: MODE   trust (default) | verify: containers ECS adds to a task (GuardDuty
 *                                 Runtime Monitoring agent, Service Connect proxy), recognised by a name
 *                                 absent from the task definition and a known agent's name pattern, are
 *                                 skipped as TRUSTED_IMAGE, or verified like any other container
 *   sweep: { maxStopsPerRun: N,   the scheduled re-verification of running tasks (docs/sweep.md): at
 *            recheckAfterHours: N }  most N stops per run (default 5; beyond it, one summary alert),
 *                                 and a final decision is re-checked after this many hours (default 24)
 *
 * Semantics worth knowing when writing a policy:
 *   - a rule without `match`, or without one of its fields, matches every value of that field
 *     (a rule with no `images` applies to every image); a listed field must name at least one pattern;
 *   - `services` never matches a task that is not part of a service (RunTask);
 *   - field-level checks live here; checks across fields (unique names, key references, exactly one key
 *     source) are in cross-checks.ts so that every problem in a file is reported in one pass.
 */
import { z } from 'zod';
import { HASH_ALGORITHMS } from '../keys/hash-algorithm';
import { DEFAULT_ALERT_WINDOW_MINUTES } from './alert-window';
import { DEFAULT_SWEEP_SETTINGS } from './sweep-settings';
import type { TlogMode } from '../cosign/types';
import type { HashAlgorithm } from '../keys/types';
import { globProblem } from './glob';
import { KMS_REF_FORMS, parseKmsKeyRef } from '../keys/kms-ref';
import { PUBLIC_KEY_ONLY, pemProblem } from './pem';

export type Mode = 'enforce' | 'audit';
export type NoMatchAction = 'deny' | 'allow';
export type OnErrorAction = 'alert' | 'stop';
export type Requirement = 'any' | 'all';
export type AwsInjectedContainers = 'trust' | 'verify';
export type { TlogMode, HashAlgorithm };

export const MODES = ['enforce', 'audit'] as const satisfies readonly Mode[];
export const TLOG_MODES = ['ignore', 'verify-if-present', 'required'] as const satisfies readonly TlogMode[];
export { HASH_ALGORITHMS };

/** Limits: generous for any real policy, small enough that a broken file cannot exhaust the Lambda. */
export const POLICY_LIMITS = {
  keys: 100,
  rules: 200,
  trustedImages: 500,
  patternsPerField: 100,
  keysPerRule: 50,
  rekorPublicKeys: 10,
  insecureRegistries: 50,
  pemChars: 64 * 1024,
  reasonChars: 1024,
  /** One week: a longer window would hide a group's news for too long. */
  alertWindowMinutes: 10_080,
  /** A sweep that may stop more than this per run is no longer a budget. */
  sweepMaxStopsPerRun: 1000,
  /** 30 days: longer, and a revoked key would go unnoticed on long-running tasks. */
  sweepRecheckAfterHours: 720,
} as const;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME_RULE = '1–64 letters, digits, ".", "_" or "-", starting with a letter or digit';
const HOST_PORT_RE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::\d{1,5})?$/;

const name = z.string().regex(NAME_RE, `must be ${NAME_RULE}`);

const glob = z.string().superRefine((value, ctx) => {
  const problem = globProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `invalid pattern: ${problem}` });
});

const patterns = (what: string) =>
  z
    .array(glob)
    .min(1, `must list at least one ${what} pattern (omit the field to match every ${what})`)
    .max(POLICY_LIMITS.patternsPerField, `at most ${POLICY_LIMITS.patternsPerField} patterns`);

const pem = (labels?: ReadonlySet<string>) =>
  z
    .string()
    .max(POLICY_LIMITS.pemChars, `PEM is longer than ${POLICY_LIMITS.pemChars} characters`)
    .superRefine((value, ctx) => {
      const problem = pemProblem(value, labels);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    });

const kmsRef = z
  .string()
  .max(2048)
  .refine((value) => parseKmsKeyRef(value) !== undefined, `must be ${KMS_REF_FORMS}`);

export const ModeSchema = z.enum(MODES);
export const TlogModeSchema = z.enum(TLOG_MODES);

export const KeySchema = z.strictObject({
  name,
  kms: kmsRef.optional(),
  publicKey: pem().optional(),
  publicKeyFile: z.string().min(1, 'must not be empty').max(4096).optional(),
  hashAlgorithm: z.enum(HASH_ALGORITHMS).optional(),
});

export const MatchSchema = z.strictObject({
  clusters: patterns('cluster').optional(),
  images: patterns('image').optional(),
  services: patterns('service').optional(),
  taskDefinitionFamilies: patterns('task definition family').optional(),
});

export const RuleSchema = z.strictObject({
  name,
  match: MatchSchema.optional(),
  keys: z
    .array(z.string().max(64))
    .min(1, 'must name at least one key')
    .max(POLICY_LIMITS.keysPerRule, `at most ${POLICY_LIMITS.keysPerRule} keys`),
  require: z.enum(['any', 'all']).optional(),
  mode: ModeSchema.optional(),
  transparencyLog: TlogModeSchema.optional(),
});

export const TrustedImageSchema = z.strictObject({
  image: glob.refine(
    (value) => value !== '**',
    'a trusted image pattern that matches every image would switch verification off; use noMatch or audit mode instead',
  ),
  reason: z.string().trim().min(1, 'must say why this image is trusted').max(POLICY_LIMITS.reasonChars),
});

export const RegistriesSchema = z.strictObject({
  insecure: z
    .array(z.string().regex(HOST_PORT_RE, 'must be host or host:port (no scheme, no path)'))
    .max(POLICY_LIMITS.insecureRegistries)
    .optional(),
});

export const AlertsSchema = z.strictObject({
  windowMinutes: z
    .number()
    .int()
    .min(0, 'must be 0 (email every task) or more')
    .max(POLICY_LIMITS.alertWindowMinutes, `at most ${POLICY_LIMITS.alertWindowMinutes} (one week)`)
    .optional(),
});

export const SweepSchema = z.strictObject({
  maxStopsPerRun: z
    .number()
    .int()
    .min(0, 'must be 0 (the sweep only alerts) or more')
    .max(POLICY_LIMITS.sweepMaxStopsPerRun, `at most ${POLICY_LIMITS.sweepMaxStopsPerRun}`)
    .optional(),
  recheckAfterHours: z
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(POLICY_LIMITS.sweepRecheckAfterHours, `at most ${POLICY_LIMITS.sweepRecheckAfterHours} (30 days)`)
    .optional(),
});

/** The policy file as written (before defaults, key files and rule inheritance are applied). */
export const PolicyFileSchema = z.strictObject({
  version: z.literal(1).optional(),
  mode: ModeSchema.optional(),
  noMatch: z.enum(['deny', 'allow']).optional(),
  onError: z.enum(['alert', 'stop']).optional(),
  transparencyLog: TlogModeSchema.optional(),
  rekorPublicKeys: z
    .array(pem(PUBLIC_KEY_ONLY))
    .min(1, 'must list at least one key (omit the field to use the shipped public-good Rekor key)')
    .max(POLICY_LIMITS.rekorPublicKeys)
    .optional(),
  keys: z.array(KeySchema).max(POLICY_LIMITS.keys, `at most ${POLICY_LIMITS.keys} keys`).optional(),
  trustedImages: z
    .array(TrustedImageSchema)
    .max(POLICY_LIMITS.trustedImages, `at most ${POLICY_LIMITS.trustedImages} entries`)
    .optional(),
  rules: z.array(RuleSchema).max(POLICY_LIMITS.rules, `at most ${POLICY_LIMITS.rules} rules`).optional(),
  registries: RegistriesSchema.optional(),
  alerts: AlertsSchema.optional(),
  awsInjectedContainers: z.enum(['trust', 'verify']).optional(),
  sweep: SweepSchema.optional(),
});

export type PolicyFile = z.output<typeof PolicyFileSchema>;

/** Allowed field names per object kind, for "unknown field" messages. */
export const POLICY_FIELDS = {
  policy: Object.keys(PolicyFileSchema.shape),
  key: Object.keys(KeySchema.shape),
  rule: Object.keys(RuleSchema.shape),
  match: Object.keys(MatchSchema.shape),
  trustedImage: Object.keys(TrustedImageSchema.shape),
  registries: Object.keys(RegistriesSchema.shape),
  alerts: Object.keys(AlertsSchema.shape),
  sweep: Object.keys(SweepSchema.shape),
} as const;

// ---- The compiled policy: defaults applied, key files inlined, rule settings resolved. ----
// It is itself a valid policy file: parsePolicy(JSON.stringify(policy)) returns an equal policy.

export interface KmsPolicyKey {
  name: string;
  /** As written in the policy (see lambda/keys/kms-ref.ts for the accepted forms). */
  kms: string;
}

export interface PemPolicyKey {
  name: string;
  /** PEM text, normalised (LF, trimmed, final newline); `publicKeyFile` is read and inlined here. */
  publicKey: string;
  hashAlgorithm: HashAlgorithm;
}

export type PolicyKey = KmsPolicyKey | PemPolicyKey;

export interface RuleMatch {
  /** Cluster names or cluster ARNs; a pattern matches if it matches either. Absent: every cluster. */
  clusters?: string[];
  /** Normalised image references (see image-forms.ts). Absent: every image. */
  images?: string[];
  /** Service names from `detail.group` = `service:NAME`. Absent: any task, in a service or not. */
  services?: string[];
  taskDefinitionFamilies?: string[];
}

export interface Rule {
  name: string;
  match: RuleMatch;
  keys: string[];
  require: Requirement;
  /** Resolved: the rule's own mode, else the policy's. */
  mode: Mode;
  /** Resolved: the rule's own transparency-log mode, else the policy's. */
  transparencyLog: TlogMode;
}

export interface TrustedImage {
  image: string;
  reason: string;
}

export interface Policy {
  version: 1;
  mode: Mode;
  noMatch: NoMatchAction;
  onError: OnErrorAction;
  transparencyLog: TlogMode;
  /** PEM public keys of the transparency logs to trust; absent: the shipped public-good Rekor key. */
  rekorPublicKeys?: string[];
  keys: PolicyKey[];
  trustedImages: TrustedImage[];
  rules: Rule[];
  registries: { insecure: string[] };
  /** Present only when the file sets it (a policy without it keeps its hash); default `POLICY_DEFAULTS.alertWindowMinutes`. */
  alerts?: { windowMinutes: number };
  /**
   * `verify`: containers ECS injects (GuardDuty agent, Service Connect proxy) are verified like any
   * other. Absent means `trust` (the default), so policies that do not use it keep their hash.
   */
  awsInjectedContainers?: 'verify';
  /**
   * The sweep's settings, each present only when the file sets it (a policy without them keeps its
   * hash); defaults `POLICY_DEFAULTS.sweepMaxStopsPerRun` / `sweepRecheckAfterHours` (sweep-settings.ts).
   */
  sweep?: { maxStopsPerRun?: number; recheckAfterHours?: number };
}

export const POLICY_DEFAULTS = {
  mode: 'audit',
  noMatch: 'deny',
  onError: 'alert',
  transparencyLog: 'verify-if-present',
  require: 'any',
  hashAlgorithm: 'sha256',
  alertWindowMinutes: DEFAULT_ALERT_WINDOW_MINUTES,
  awsInjectedContainers: 'trust',
  sweepMaxStopsPerRun: DEFAULT_SWEEP_SETTINGS.maxStopsPerRun,
  sweepRecheckAfterHours: DEFAULT_SWEEP_SETTINGS.recheckAfterHours,
} as const satisfies {
  mode: Mode;
  noMatch: NoMatchAction;
  onError: OnErrorAction;
  transparencyLog: TlogMode;
  require: Requirement;
  hashAlgorithm: HashAlgorithm;
  alertWindowMinutes: number;
  awsInjectedContainers: AwsInjectedContainers;
  sweepMaxStopsPerRun: number;
  sweepRecheckAfterHours: number;
};

export { isKmsKey } from './key-kind';
