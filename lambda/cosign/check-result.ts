import { ReasonCode } from '../reasons';
import type { SignatureCheck, SignatureFormat } from './types';

/** Builds a SignatureCheck; `ok` is true exactly when the reason is VERIFIED. */
export function signatureCheck(
  format: SignatureFormat,
  artifact: string,
  reason: ReasonCode,
  message: string,
  key?: string,
): SignatureCheck {
  return {
    format,
    artifact,
    ...(key === undefined ? {} : { key }),
    ok: reason === ReasonCode.VERIFIED,
    reason,
    message,
  };
}

/** `"a", "b" and "c"` — for messages that list the keys tried. */
export function listNames(names: string[]): string {
  const quoted = names.map((n) => `"${n}"`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}
