/**
 * The policy as the Lambda reads it at start: the compiled policy.json that `cdk synth` validated
 * (full schema, cross-checks, key files) and shipped beside the handler, with its SHA-256 in the
 * function's environment. Here it is only checked for integrity, cheaply: the hash must match and
 * the shape must be that of a compiled policy. No YAML parser, no schema library: both cost cold
 * start, and the hash already ties the file to what synth validated.
 */
import { GuardError } from '../errors';
import { HASH_ALGORITHMS } from '../keys/hash-algorithm';
import { ReasonCode } from '../reasons';
import { deepFreeze } from './deep-freeze';
import { policySha256 } from './hash';
import type { Policy } from './schema';

/** A policy is a few kilobytes; anything far larger is a mistake (or an attack on the parser). */
export const MAX_POLICY_BYTES = 256 * 1024;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Parses the shipped policy JSON and returns it frozen, or throws a POLICY_INVALID GuardError
 * naming what is wrong. `expectedSha256` is `policySha256` of the policy synth compiled.
 */
export function loadShippedPolicy(text: string, expectedSha256: string | undefined, source: string): Policy {
  const fail = (message: string): never => {
    throw new GuardError(ReasonCode.POLICY_INVALID, `${source}: ${message}`);
  };
  if (expectedSha256 === undefined || !SHA256_HEX.test(expectedSha256)) {
    fail('no policy SHA-256 to check it against (IMAGE_GUARD_POLICY_SHA256, set by the construct)');
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_POLICY_BYTES) fail(`the policy is ${bytes} bytes; the limit is ${MAX_POLICY_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail(`not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const problem = shapeProblem(value);
  if (problem !== undefined) fail(`not a compiled policy: ${problem}`);
  const actual = policySha256(value as Policy);
  if (actual !== expectedSha256) {
    fail(`SHA-256 ${actual} is not the deployed policy's ${expectedSha256} (the file was changed)`);
  }
  return deepFreeze(value as Policy);
}

type Check = (v: unknown) => boolean;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isString: Check = (v) => typeof v === 'string' && v.length > 0;
const oneOf =
  (...values: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v);
const listOf =
  (item: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(item);
const nonEmptyListOf =
  (item: Check): Check =>
  (v) =>
    Array.isArray(v) && v.length > 0 && v.every(item);
const isMode = oneOf('enforce', 'audit');
const isTlogMode = oneOf('ignore', 'verify-if-present', 'required');

function fieldsProblem(
  value: unknown,
  at: string,
  fields: Record<string, Check>,
  optional: Record<string, Check> = {},
): string | undefined {
  if (!isObject(value)) return `${at || 'the policy'} is not an object`;
  for (const [name, check] of Object.entries(fields)) {
    if (!check(value[name])) return `${at ? `${at}.` : ''}${name} is missing or invalid`;
  }
  for (const [name, check] of Object.entries(optional)) {
    if (value[name] !== undefined && !check(value[name])) return `${at ? `${at}.` : ''}${name} is invalid`;
  }
  return undefined;
}

/** One entry of `keys`: a KMS or PEM cosign key, or a Notation signer (AWS Signer or generic). */
function keyShapeProblem(key: unknown, at: string): string | undefined {
  if (!isObject(key)) return `${at} is not an object`;
  if ('kms' in key) return fieldsProblem(key, at, { name: isString, kms: isString });
  if ('awsSigner' in key) {
    return (
      fieldsProblem(key, at, { name: isString, awsSigner: isObject }) ??
      fieldsProblem(key.awsSigner, `${at}.awsSigner`, { signingProfiles: nonEmptyListOf(isString) })
    );
  }
  if ('notation' in key) {
    const problem =
      fieldsProblem(key, at, { name: isString, notation: isObject }) ??
      fieldsProblem(key.notation, `${at}.notation`, {
        trustStores: nonEmptyListOf(isObject),
        trustedIdentities: nonEmptyListOf(isString),
        verifyTimestamp: oneOf('always', 'afterCertExpiry'),
      });
    if (problem !== undefined) return problem;
    for (const [j, store] of (key.notation as { trustStores: unknown[] }).trustStores.entries()) {
      const storeProblem = fieldsProblem(store, `${at}.notation.trustStores[${j}]`, {
        type: oneOf('ca', 'signingAuthority', 'tsa'),
        name: isString,
        certificates: isString,
      });
      if (storeProblem !== undefined) return storeProblem;
    }
    return undefined;
  }
  return fieldsProblem(key, at, {
    name: isString,
    publicKey: isString,
    hashAlgorithm: oneOf(...HASH_ALGORITHMS),
  });
}

/** The compiled policy's shape (lambda/policy/schema.ts `Policy`): what the guard relies on. */
function shapeProblem(policy: unknown): string | undefined {
  const top = fieldsProblem(
    policy,
    '',
    {
      version: (v) => v === 1,
      mode: isMode,
      noMatch: oneOf('deny', 'allow'),
      onError: oneOf('alert', 'stop'),
      transparencyLog: isTlogMode,
      keys: Array.isArray,
      trustedImages: Array.isArray,
      rules: Array.isArray,
      registries: isObject,
    },
    {
      rekorPublicKeys: listOf(isString),
      revocation: (v) => isObject(v) && Number.isInteger(v.cacheMinutes) && (v.cacheMinutes as number) >= 0,
    },
  );
  if (top !== undefined) return top;
  const p = policy as { keys: unknown[]; trustedImages: unknown[]; rules: unknown[]; registries: unknown };
  for (const [i, key] of p.keys.entries()) {
    const problem = keyShapeProblem(key, `keys[${i}]`);
    if (problem !== undefined) return problem;
  }
  for (const [i, image] of p.trustedImages.entries()) {
    const problem = fieldsProblem(image, `trustedImages[${i}]`, { image: isString, reason: isString });
    if (problem !== undefined) return problem;
  }
  const patterns = listOf(isString);
  for (const [i, rule] of p.rules.entries()) {
    const problem =
      fieldsProblem(rule, `rules[${i}]`, {
        name: isString,
        match: isObject,
        keys: listOf(isString),
        require: oneOf('any', 'all'),
        mode: isMode,
        transparencyLog: isTlogMode,
      }) ??
      fieldsProblem(
        (rule as { match: unknown }).match,
        `rules[${i}].match`,
        {},
        {
          clusters: patterns,
          images: patterns,
          services: patterns,
          taskDefinitionFamilies: patterns,
        },
      );
    if (problem !== undefined) return problem;
  }
  const exemptions = (policy as { exemptions?: unknown }).exemptions;
  if (exemptions !== undefined) {
    if (!Array.isArray(exemptions)) return 'exemptions is invalid';
    for (const [i, entry] of exemptions.entries()) {
      // An expired `until` is fine here: the guard ignores that exemption (and says so).
      const problem = fieldsProblem(
        entry,
        `exemptions[${i}]`,
        {
          clusters: listOf(isString),
          until: (v) => isString(v) && Number.isFinite(Date.parse(v as string)),
          reason: isString,
          ticket: isString,
        },
        { image: isString, service: isString },
      );
      if (problem !== undefined) return problem;
      if (
        ((entry as { image?: unknown }).image === undefined) ===
        ((entry as { service?: unknown }).service === undefined)
      )
        return `exemptions[${i}] needs exactly one of image, service`;
    }
  }
  return fieldsProblem(p.registries, 'registries', { insecure: listOf(isString) });
}
