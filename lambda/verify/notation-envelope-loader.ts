/**
 * The one place the guard's default Notation envelope verifier comes from: loaded with a dynamic
 * import on first use, so a cosign-only policy never loads jose, cbor2 or pkijs.
 */
import type { NotationEnvelopeVerifier } from './notation-types';

export const loadedNotationEnvelopeVerifier: NotationEnvelopeVerifier = async (input) =>
  (await import('../notation/verify-envelope')).verifyNotationEnvelope(input);
