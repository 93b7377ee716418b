import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';

/** What one verification may cost at most, whatever the registry lists. */
export interface BudgetLimits {
  /** HTTP requests sent (every attempt, redirect hop and token request counts). */
  maxRequests: number;
  /** Manifest and index documents fetched (signature manifests, referrers pages, tags). */
  maxManifests: number;
  /** Signature layers examined (a legacy `.sig` layer or a bundle layer). */
  maxLayers: number;
  /** Response body bytes accepted (manifests, indexes, blobs, tokens). */
  maxBytes: number;
}

/** What a verification has spent so far. */
export interface BudgetUsage {
  requests: number;
  manifests: number;
  layers: number;
  bytes: number;
}

type Dimension = keyof BudgetUsage;

const LIMIT_OF: Record<Dimension, keyof BudgetLimits> = {
  requests: 'maxRequests',
  manifests: 'maxManifests',
  layers: 'maxLayers',
  bytes: 'maxBytes',
};

/**
 * One verification's allowance of registry work. Every spend is checked before the work is
 * done, so usage never passes a limit; the first refusal is remembered and every later spend is
 * refused too (the verification winds down instead of continuing with what is left). Exhaustion
 * is LIMIT_EXCEEDED: a decision about what the registry serves, never a crash.
 */
export class VerificationBudget {
  private readonly spent: BudgetUsage = { requests: 0, manifests: 0, layers: 0, bytes: 0 };
  private exhaustion: GuardError | undefined;

  constructor(readonly limits: BudgetLimits) {}

  /** A copy of what has been spent. */
  get usage(): BudgetUsage {
    return { ...this.spent };
  }

  /** The refusal that ended the budget, if it ended. */
  get exhausted(): GuardError | undefined {
    return this.exhaustion;
  }

  spendRequest(what: string): void {
    this.spend('requests', 1, what);
  }

  spendManifest(what: string): void {
    this.spend('manifests', 1, what);
  }

  spendLayer(what: string): void {
    this.spend('layers', 1, what);
  }

  spendBytes(bytes: number, what: string): void {
    this.spend('bytes', bytes, what);
  }

  private spend(dimension: Dimension, amount: number, what: string): void {
    if (this.exhaustion) throw new GuardError(ReasonCode.LIMIT_EXCEEDED, this.exhaustion.message);
    const limit = this.limits[LIMIT_OF[dimension]];
    if (this.spent[dimension] + amount > limit) {
      this.exhaustion = new GuardError(
        ReasonCode.LIMIT_EXCEEDED,
        `the verification budget of ${limit} ${dimension} ran out at ${what} ` +
          `(spent: ${describeUsage(this.spent)})`,
      );
      throw this.exhaustion;
    }
    this.spent[dimension] += amount;
  }
}

/** `12 requests, 3 manifests, 8 layers, 40960 bytes` */
export function describeUsage(usage: BudgetUsage): string {
  return `${usage.requests} requests, ${usage.manifests} manifests, ${usage.layers} layers, ${usage.bytes} bytes`;
}
