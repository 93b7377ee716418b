import { GuardError } from '../errors';
import type { KmsKeyLoader } from '../keys/kms-key-loader';
import { loadTrustedKey } from '../keys/load-trusted-key';
import type { TrustedKey } from '../keys/types';
import { keySpecOf } from '../policy/key-specs';
import type { PolicyKey } from '../policy/schema';
import { ReasonCode } from '../reasons';

/**
 * The policy's keys by name, loaded on first use and kept for the life of the process (a KMS key
 * costs one GetPublicKey per process). Only keys that a matching rule names are ever loaded.
 */
export class KeyRing {
  private readonly byName = new Map<string, PolicyKey>();
  private readonly loaded = new Map<string, Promise<TrustedKey>>();

  constructor(
    keys: readonly PolicyKey[],
    private readonly kms: KmsKeyLoader,
  ) {
    for (const key of keys) this.byName.set(key.name, key);
  }

  async resolve(names: readonly string[]): Promise<TrustedKey[]> {
    return Promise.all(names.map((name) => this.load(name)));
  }

  private load(name: string): Promise<TrustedKey> {
    const cached = this.loaded.get(name);
    if (cached) return cached;
    const key = this.byName.get(name);
    if (!key)
      return Promise.reject(
        new GuardError(ReasonCode.KEY_UNAVAILABLE, `the policy has no key named "${name}"`),
      );
    const pending = loadTrustedKey(keySpecOf(key), this.kms);
    // A failed load is not remembered here: the KMS loader has its own back-off, and a retry must be possible.
    pending.catch(() => this.loaded.delete(name));
    this.loaded.set(name, pending);
    return pending;
  }
}
