import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import type { VerificationBudget } from './budget';
import type { FetchResponse } from './fetch-function';

export interface BodyLimits {
  /** Never hold more than this many bytes: LIMIT_EXCEEDED as soon as the stream passes it. */
  maxBytes: number;
  /** When the size is known (a descriptor), any other length is CONTENT_MISMATCH. */
  expectedSize?: number;
  /** For messages: "manifest sha256:… of team/app". */
  what: string;
  /** Charged for every byte accepted: a declared length up front, the rest as it streams in. */
  budget?: VerificationBudget | undefined;
  /** Bytes the caller already charged to `budget` for this body (a blob's descriptor size). */
  prepaid?: number;
}

function overLimit(limits: BodyLimits, size: string): GuardError {
  return new GuardError(
    ReasonCode.LIMIT_EXCEEDED,
    `${limits.what} is ${size}, over the ${limits.maxBytes}-byte limit`,
  );
}

function wrongSize(limits: BodyLimits, size: string): GuardError {
  return new GuardError(
    ReasonCode.CONTENT_MISMATCH,
    `${limits.what}: the registry sent ${size}, the descriptor says ${limits.expectedSize} bytes`,
  );
}

/**
 * Reads a response body into memory without ever holding more than the limit: a declared
 * Content-Length over the limit is refused before reading, and the stream is cancelled the
 * moment it passes the limit (or the descriptor's size).
 */
export async function readBodyWithLimits(response: FetchResponse, limits: BodyLimits): Promise<Buffer> {
  const declared = declaredLength(response);
  if (declared !== undefined) {
    if (declared > limits.maxBytes) {
      await cancelBody(response);
      throw overLimit(limits, `${declared} bytes (Content-Length)`);
    }
    if (limits.expectedSize !== undefined && declared !== limits.expectedSize) {
      await cancelBody(response);
      throw wrongSize(limits, `Content-Length ${declared}`);
    }
  }
  // Pay for a known length before reading a byte of it, so a body over budget is never read.
  let paid = limits.prepaid ?? 0;
  if (limits.budget && declared !== undefined && declared > paid) {
    try {
      limits.budget.spendBytes(declared - paid, limits.what);
    } catch (e) {
      await cancelBody(response);
      throw e;
    }
    paid = declared;
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limits.maxBytes) throw overLimit(limits, `more than ${limits.maxBytes} bytes`);
      if (limits.expectedSize !== undefined && total > limits.expectedSize) {
        throw wrongSize(limits, `at least ${total} bytes`);
      }
      if (limits.budget && total > paid) {
        limits.budget.spendBytes(total - paid, limits.what);
        paid = total;
      }
      chunks.push(value);
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    throw e;
  }
  if (limits.expectedSize !== undefined && total !== limits.expectedSize)
    throw wrongSize(limits, `${total} bytes`);
  return Buffer.concat(chunks, total);
}

/** Content-Length when present and meaningful (identity encoding); undefined otherwise. */
function declaredLength(response: FetchResponse): number | undefined {
  const encoding = response.headers.get('content-encoding');
  if (encoding && encoding.toLowerCase() !== 'identity') return undefined;
  const header = response.headers.get('content-length');
  if (header === null || !/^[0-9]+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

/** Releases the connection of a response whose body we do not want. */
export async function cancelBody(response: FetchResponse): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
