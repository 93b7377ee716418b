import type { SignatureCheck } from '../cosign/types';
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import type { BudgetUsage } from '../registry/budget';

/** Failures of the lookup itself: the answer is unknown, so they make the verdict an error. */
const TRANSPORT_CODES: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  ReasonCode.REGISTRY_UNAVAILABLE,
  ReasonCode.REGISTRY_AUTH,
  ReasonCode.TIMEOUT,
  ReasonCode.KEY_UNAVAILABLE,
  ReasonCode.INTERNAL_ERROR,
  ReasonCode.REVOCATION_UNAVAILABLE,
]);

export function isTransportFailure(error: GuardError): boolean {
  return TRANSPORT_CODES.has(error.code);
}

/** When nothing verifies, the most telling reason wins (the one a user must act on first). */
const FAILURE_PRIORITY: readonly ReasonCode[] = [
  ReasonCode.REVOKED,
  ReasonCode.DIGEST_MISMATCH,
  ReasonCode.TLOG_INVALID,
  ReasonCode.TLOG_MISSING,
  ReasonCode.SIGNATURE_INVALID,
  ReasonCode.LIMIT_EXCEEDED,
  ReasonCode.CONTENT_MISMATCH,
  ReasonCode.SIGNATURE_MALFORMED,
  ReasonCode.UNSUPPORTED_FORMAT,
];

export interface Discovery {
  checks: SignatureCheck[];
  /** Lookups that could not complete (registry down, timeout, auth). */
  transportErrors: GuardError[];
  /** More artifacts existed than the limits allow; only the first ones were checked. */
  truncated: boolean;
  /** The verification's budget ran out (what refused the next read); later artifacts were not read. */
  budgetExhausted?: GuardError;
  /** What the verification spent. */
  usage?: BudgetUsage;
  /** Notation: whether the rule trusts a Notation signer, and the Notation signatures listed but not read. */
  notation?: { trusted: boolean; unread: number };
}

export interface Summary {
  verified: boolean;
  error: boolean;
  reason: ReasonCode;
  message: string;
  verifiedKeys: string[];
}

/**
 * Whether a check vouches for its signer. A Notation signature by AWS Signer vouches only once AWS
 * Signer said it is not revoked; any other Notation chain only when its revocation was (knowingly) not checked.
 */
function vouches(check: SignatureCheck): boolean {
  if (!check.ok || !check.key) return false;
  if (!check.notation) return true;
  return check.notation.awsSigner
    ? check.notation.revocation === 'not-revoked'
    : check.notation.revocation === 'not-checked';
}

/**
 * Turns the per-signature checks into one verdict. One fully valid signature by a trusted key
 * verifies the image; a lookup failure with nothing valid is an error, never "unsigned".
 */
export function summarise(discovery: Discovery): Summary {
  const { checks, transportErrors, truncated } = discovery;
  const verifiedKeys = [...new Set(checks.filter(vouches).map((c) => c.key as string))];
  if (verifiedKeys.length > 0) {
    const valid = checks.filter(vouches).length;
    return {
      verified: true,
      error: false,
      reason: ReasonCode.VERIFIED,
      message: `${valid} of ${checks.length} signature(s) valid, signed by ${verifiedKeys.join(', ')}`,
      verifiedKeys,
    };
  }
  const firstTransport = transportErrors[0];
  if (firstTransport) {
    return {
      verified: false,
      error: true,
      reason: firstTransport.code,
      message: `could not complete the signature lookup: ${firstTransport.message}`,
      verifiedKeys,
    };
  }
  if (discovery.budgetExhausted) {
    // The registry serves more than any signature needs: a decision about it, not "unknown".
    return {
      verified: false,
      error: false,
      reason: ReasonCode.LIMIT_EXCEEDED,
      message:
        `the registry lists more signature content than one verification may read; ` +
        `${checks.length} signature(s) checked, none valid for a trusted key; ${discovery.budgetExhausted.message}`,
      verifiedKeys,
    };
  }
  if (truncated) {
    return {
      verified: false,
      error: false,
      reason: ReasonCode.LIMIT_EXCEEDED,
      message: `too many signature artifacts; the first ${checks.length} were checked and none is valid`,
      verifiedKeys,
    };
  }
  const signatures = checks.filter((c) => c.reason !== ReasonCode.NOT_A_SIGNATURE);
  if (signatures.length === 0) {
    const attestations = checks.length;
    return {
      verified: false,
      error: false,
      reason: ReasonCode.NO_SIGNATURES,
      message: noSignaturesMessage(attestations, discovery.notation),
      verifiedKeys,
    };
  }
  const reason =
    FAILURE_PRIORITY.find((code) => signatures.some((c) => c.reason === code)) ??
    ReasonCode.SIGNATURE_INVALID;
  const example = signatures.find((c) => c.reason === reason);
  return {
    verified: false,
    error: false,
    reason,
    message: `${signatures.length} signature(s) found, none valid for a trusted key: ${example?.message ?? reason}`,
    verifiedKeys,
  };
}

function noSignaturesMessage(attestations: number, notation: Discovery['notation']): string {
  if (notation?.trusted) {
    return attestations > 0
      ? `no cosign or Notation signature found (${attestations} attestation bundle(s) found; an attestation is not a signature)`
      : 'no cosign or Notation signature found (looked for Sigstore bundle and Notation signature referrers and the sha256-<digest>.sig tag)';
  }
  const base =
    attestations > 0
      ? `no cosign signature found (${attestations} attestation bundle(s) found; an attestation is not a signature)`
      : 'no cosign signature found (looked for Sigstore bundle referrers and the sha256-<digest>.sig tag)';
  // Someone signed with Notation: say why that does not count here.
  return notation && notation.unread > 0
    ? `${base}; ${notation.unread} Notation signature(s) are present, but the rule trusts no Notation signer`
    : base;
}
