import { GuardError } from '../errors';
import type { KmsKeyLoader } from '../keys/kms-key-loader';
import { loadTrustedKey } from '../keys/load-trusted-key';
import type { TrustedKey } from '../keys/types';
import type { NotationVerifier } from '../notation/types';
import { isNotationSigner } from '../policy/key-kind';
import { keySpecOf } from '../policy/key-specs';
import type { PolicyKey } from '../policy/schema';
import { ReasonCode } from '../reasons';

/** What a name in a rule's `keys` resolves to: a cosign key, or a Notation signer. */
export type ResolvedSigner =
  { kind: 'cosign'; key: TrustedKey } | { kind: 'notation'; verifier: NotationVerifier };

/**
 * The policy's keys and Notation signers by name, loaded on first use and kept for the life of the
 * process (a KMS key costs one GetPublicKey per process). Only entries that a matching rule names are
 * ever loaded, and the Notation code only when a Notation signer is.
 */
export class KeyRing {
  private readonly byName = new Map<string, PolicyKey>();
  private readonly loaded = new Map<string, Promise<ResolvedSigner>>();

  constructor(
    keys: readonly PolicyKey[],
    private readonly kms: KmsKeyLoader,
  ) {
    for (const key of keys) this.byName.set(key.name, key);
  }

  /** Cosign keys by name (a Notation signer's name is refused: it is not a cosign key). */
  async resolve(names: readonly string[]): Promise<TrustedKey[]> {
    return Promise.all(
      names.map(async (name) => {
        const resolved = await this.resolveSigner(name);
        if (resolved.kind === 'cosign') return resolved.key;
        throw new GuardError(ReasonCode.KEY_UNAVAILABLE, `"${name}" is a Notation signer, not a cosign key`);
      }),
    );
  }

  /** A cosign key or a Notation signer by name. */
  resolveSigner(name: string): Promise<ResolvedSigner> {
    const cached = this.loaded.get(name);
    if (cached) return cached;
    const key = this.byName.get(name);
    if (!key)
      return Promise.reject(
        new GuardError(ReasonCode.KEY_UNAVAILABLE, `the policy has no key named "${name}"`),
      );
    const pending: Promise<ResolvedSigner> = isNotationSigner(key)
      ? import('../policy/notation-verifiers').then((m) => ({
          kind: 'notation' as const,
          verifier: m.notationVerifierOf(key),
        }))
      : loadTrustedKey(keySpecOf(key), this.kms).then((k) => ({ kind: 'cosign' as const, key: k }));
    // A failed load is not remembered here: the KMS loader has its own back-off, and a retry must be possible.
    pending.catch(() => this.loaded.delete(name));
    this.loaded.set(name, pending);
    return pending;
  }
}
