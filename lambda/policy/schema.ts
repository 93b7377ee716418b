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
 *   exemptions: [{ image | service, clusters, until, reason, ticket }]
 *                                 break-glass (exemption-schema.ts, exemptions.ts): a denied or failed
 *                                 container they cover is allowed as EXEMPTED until `until`
 *   keys[].awsSigner / keys[].notation
 *                                 Notation signers, named and used in rules like keys (docs/notation.md):
 *                                 AWS Signer signing profiles, or generic Notation trust (trust stores and
 *                                 trusted identities)
 *   notationTrustPolicy: { file, trustStoreDir }
 *                                 an existing Notation trustpolicy.json and trust-store folder, mapped at
 *                                 load onto Notation signers and rules (notation-trust-policy.ts)
 *   revocation: { cacheMinutes: N }
 *                                 how long an AWS Signer revocation answer is reused (default 15)
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
import { DEFAULT_REVOCATION_CACHE_MINUTES } from './notation-revocation';
import { DEFAULT_SWEEP_SETTINGS } from './sweep-settings';
import type { TlogMode } from '../cosign/types';
import type { HashAlgorithm } from '../keys/types';
import type { TrustStoreType } from '../notation/types';
import { globProblem } from './glob';
import { KMS_REF_FORMS, parseKmsKeyRef } from '../keys/kms-ref';
import { PUBLIC_KEY_ONLY, pemProblem } from './pem';
import { EXEMPTION_LIMITS, ExemptionSchema, type Exemption } from './exemption-schema';

export type { Exemption };
import { TRUST_STORE_TYPES, readPemCertificates, trustStoreCertificateProblem } from './certificates';
import { signingProfileArnProblem, trustedIdentityIssues } from './notation-identities';

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
  signingProfiles: 50,
  trustStores: 20,
  trustedIdentities: 50,
  identityChars: 1024,
  /** One day: a revoked signing profile or job must stop passing within a bounded time. */
  revocationCacheMinutes: 1440,
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

const filePath = z.string().min(1, 'must not be empty').max(4096);

export const AwsSignerSchema = z.strictObject({
  signingProfiles: z
    .array(
      z
        .string()
        .max(2048)
        .superRefine((value, ctx) => {
          const problem = signingProfileArnProblem(value);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
        }),
    )
    .min(1, 'must list at least one signing profile (or profile version) ARN')
    .max(POLICY_LIMITS.signingProfiles, `at most ${POLICY_LIMITS.signingProfiles} signing profiles`)
    .superRefine((arns, ctx) => {
      // AWS Signer compares ARNs case-insensitively, so these are the same profile.
      const seen = new Map<string, number>();
      arns.forEach((arn, i) => {
        const first = seen.get(arn.toLowerCase());
        if (first === undefined) seen.set(arn.toLowerCase(), i);
        else ctx.addIssue({ code: 'custom', path: [i], message: `repeats entry ${first}` });
      });
    }),
});

export const TrustStoreSchema = z
  .strictObject({
    type: z.enum(TRUST_STORE_TYPES),
    name: z
      .string()
      .regex(
        /^[A-Za-z0-9_.-]{1,64}$/,
        'must be 1–64 letters, digits, ".", "_" or "-" (a Notation trust-store name)',
      ),
    certificates: z
      .string()
      .max(POLICY_LIMITS.pemChars, `PEM is longer than ${POLICY_LIMITS.pemChars} characters`)
      .optional(),
    certificatesFile: filePath.optional(),
  })
  .superRefine((store, ctx) => {
    if (store.certificates === undefined) return;
    const problem = certificatesProblem(store.certificates, store.type);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['certificates'], message: problem });
  });

export const NotationTrustSchema = z.strictObject({
  trustStores: z
    .array(TrustStoreSchema)
    .min(1, 'must list at least one trust store')
    .max(POLICY_LIMITS.trustStores, `at most ${POLICY_LIMITS.trustStores} trust stores`),
  trustedIdentities: z
    .array(z.string().max(POLICY_LIMITS.identityChars))
    .min(1, 'must list at least one identity ("x509.subject: …", or "*" for any signer the stores trust)')
    .max(POLICY_LIMITS.trustedIdentities, `at most ${POLICY_LIMITS.trustedIdentities} identities`)
    .superRefine((identities, ctx) => {
      for (const issue of trustedIdentityIssues(identities)) {
        ctx.addIssue({
          code: 'custom',
          path: issue.index === undefined ? [] : [issue.index],
          message: issue.message,
        });
      }
    }),
  verifyTimestamp: z.enum(['always', 'afterCertExpiry']).optional(),
});

export const KeySchema = z.strictObject({
  name,
  kms: kmsRef.optional(),
  publicKey: pem().optional(),
  publicKeyFile: filePath.optional(),
  hashAlgorithm: z.enum(HASH_ALGORITHMS).optional(),
  awsSigner: AwsSignerSchema.optional(),
  notation: NotationTrustSchema.optional(),
});

export const NotationTrustPolicySchema = z.strictObject({
  file: filePath,
  trustStoreDir: filePath,
});

export const RevocationSchema = z.strictObject({
  cacheMinutes: z
    .number()
    .int()
    .min(0, 'must be 0 (ask every time) or more')
    .max(POLICY_LIMITS.revocationCacheMinutes, `at most ${POLICY_LIMITS.revocationCacheMinutes} (one day)`)
    .optional(),
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
  exemptions: z
    .array(ExemptionSchema)
    .max(EXEMPTION_LIMITS.exemptions, `at most ${EXEMPTION_LIMITS.exemptions} exemptions`)
    .optional(),
  notationTrustPolicy: NotationTrustPolicySchema.optional(),
  revocation: RevocationSchema.optional(),
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
  exemption: Object.keys(ExemptionSchema.shape),
  awsSigner: Object.keys(AwsSignerSchema.shape),
  notation: Object.keys(NotationTrustSchema.shape),
  trustStore: ['type', 'name', 'certificates', 'certificatesFile'],
  notationTrustPolicy: Object.keys(NotationTrustPolicySchema.shape),
  revocation: Object.keys(RevocationSchema.shape),
  sweep: Object.keys(SweepSchema.shape),
} as const;

/** Why inline trust-store PEM is not usable for a store of `type`, or undefined. */
export function certificatesProblem(
  text: string,
  type: (typeof TRUST_STORE_TYPES)[number],
): string | undefined {
  const read = readPemCertificates(text);
  if (!read.ok) return read.problem;
  for (const cert of read.certificates) {
    const problem = trustStoreCertificateProblem(cert, type);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

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

/** A cosign key: what keys/ loads into a TrustedKey. */
export type CosignPolicyKey = KmsPolicyKey | PemPolicyKey;

/** AWS Signer signatures from these signing profiles (or profile versions); the AWS roots are built in. */
export interface AwsSignerPolicyKey {
  name: string;
  awsSigner: { signingProfiles: string[] };
}

export interface NotationTrustStore {
  type: TrustStoreType;
  name: string;
  /** Canonical PEM (certificates.ts); `certificatesFile` is read and inlined here. */
  certificates: string;
}

/** Generic Notation trust: signatures chaining to these stores, by these identities. */
export interface NotationPolicyKey {
  name: string;
  notation: {
    trustStores: NotationTrustStore[];
    /** `x509.subject: <DN>` entries, or exactly `['*']`. */
    trustedIdentities: string[];
    verifyTimestamp: 'always' | 'afterCertExpiry';
  };
}

export type NotationPolicySigner = AwsSignerPolicyKey | NotationPolicyKey;

/** An entry of `keys`: a cosign key or a Notation signer; rules name either alike. */
export type PolicyKey = CosignPolicyKey | NotationPolicySigner;

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
  /** Break-glass entries; present only when the file lists at least one (others keep their hash). */
  exemptions?: Exemption[];
  /** Present only when the file sets it; default `POLICY_DEFAULTS.revocationCacheMinutes`. */
  revocation?: { cacheMinutes: number };
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
  revocationCacheMinutes: DEFAULT_REVOCATION_CACHE_MINUTES,
  verifyTimestamp: 'always',
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
  revocationCacheMinutes: number;
  verifyTimestamp: 'always' | 'afterCertExpiry';
  sweepMaxStopsPerRun: number;
  sweepRecheckAfterHours: number;
};

export { isKmsKey, isNotationSigner } from './key-kind';
