/**
 * A compiled policy's Notation signer as the verifier takes it (lambda/notation/types.ts
 * NotationVerifier): trust-store certificates as DER. Loaded by the key ring with a dynamic import, and
 * only when a rule names a Notation signer, so a cosign-only guard never loads it.
 */
import type { NotationVerifier } from '../notation/types';
import { pemToDer } from './certificates';
import { isAwsSignerKey } from './key-kind';
import type { NotationPolicySigner } from './schema';

export function notationVerifierOf(signer: NotationPolicySigner): NotationVerifier {
  if (isAwsSignerKey(signer)) {
    return { kind: 'awsSigner', name: signer.name, signingProfiles: [...signer.awsSigner.signingProfiles] };
  }
  return {
    kind: 'x509',
    name: signer.name,
    trustStores: signer.notation.trustStores.map((store) => ({
      type: store.type,
      name: store.name,
      certificates: pemToDer(store.certificates),
    })),
    trustedIdentities: [...signer.notation.trustedIdentities],
    verifyTimestamp: signer.notation.verifyTimestamp,
  };
}
