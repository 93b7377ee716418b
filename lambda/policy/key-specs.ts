/** The policy's keys in the form lambda/keys loads them (KeySpec). */
import type { KeySpec } from '../keys/types';
import { isKmsKey, type Policy } from './schema';

/** Specs for the named keys (all keys when `names` is omitted), in policy order. */
export function keySpecsOf(policy: Policy, names?: readonly string[]): KeySpec[] {
  const wanted = names ? new Set(names) : undefined;
  return policy.keys
    .filter((k) => wanted === undefined || wanted.has(k.name))
    .map((k): KeySpec =>
      isKmsKey(k)
        ? { name: k.name, kind: 'kms', ref: k.kms }
        : {
            name: k.name,
            kind: 'pem',
            pem: k.publicKey,
            source: `policy key "${k.name}"`,
            hashAlgorithm: k.hashAlgorithm,
          },
    );
}
