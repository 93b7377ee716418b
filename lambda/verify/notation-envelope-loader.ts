/**
 * The one place the guard's default Notation envelope verifier comes from: loaded with a dynamic
 * import on first use, so a cosign-only policy never loads jose, cbor2 or pkijs.
 */
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import type { NotationEnvelopeVerifier } from './notation-types';

// MERGE: the envelope verifier lives in lambda/notation/verify-envelope.ts (not on this branch); at
// merge this body becomes `return (await import('../notation/verify-envelope')).verifyNotationEnvelope(input);`.
// Until then every Notation envelope is an error for this build, never a pass.
export const loadedNotationEnvelopeVerifier: NotationEnvelopeVerifier = async () => {
  throw new GuardError(
    ReasonCode.INTERNAL_ERROR,
    'Notation envelope verification is not available in this build',
  );
};
