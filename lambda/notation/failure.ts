import { ReasonCode } from '../reasons';
import type { NotationCheckName } from './types';

/**
 * Why a Notation envelope failed one strict check: the check (notation-go's step name), the guard's
 * reason code, and a message a security engineer can act on. Thrown inside this folder only;
 * verifyNotationEnvelope turns it into a NotationEnvelopeResult.
 */
export class NotationCheckFailure extends Error {
  readonly check: NotationCheckName;
  readonly reason: ReasonCode;

  constructor(check: NotationCheckName, reason: ReasonCode, message: string) {
    super(message);
    this.name = 'NotationCheckFailure';
    this.check = check;
    this.reason = reason;
  }
}

/** Integrity failures that are not a bad signature: the bytes are not an envelope we can read. */
export function malformed(message: string): NotationCheckFailure {
  return new NotationCheckFailure('integrity', ReasonCode.SIGNATURE_MALFORMED, message);
}

/** Something this verifier deliberately does not accept (algorithm, key, critical attribute, plugin). */
export function unsupported(message: string): NotationCheckFailure {
  return new NotationCheckFailure('integrity', ReasonCode.UNSUPPORTED_FORMAT, message);
}

export function invalid(check: NotationCheckName, message: string): NotationCheckFailure {
  return new NotationCheckFailure(check, ReasonCode.SIGNATURE_INVALID, message);
}
