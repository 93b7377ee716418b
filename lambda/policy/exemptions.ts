/**
 * Break-glass exemptions (docs/policy.md "Exemptions", docs/break-glass.md): which exemption covers a
 * container, a task or a service revision, and the time rules around them.
 *
 *   - An image exemption covers exactly one image: same registry and repository, same digest. A tag is
 *     never enough: a container is covered only once the digest that is judged is known.
 *   - A service exemption covers the containers of that service's tasks (`detail.group` = `service:NAME`),
 *     and the service's revisions in the deployment hook.
 *   - Both only in the clusters they list (patterns match the cluster name or ARN, as in rules).
 *   - `until` is exclusive: from that instant the exemption is expired. An expired exemption is never
 *     applied; the guard says it was ignored. The Lambda accepts a policy with expired exemptions (it
 *     was valid at synth); synth and `image-guard check` refuse an `until` more than 30 days ahead.
 */
import type { Exemption } from './exemption-schema';
import { compileGlob, type Glob } from './glob';
import { splitImage } from './image-forms';
import type { PolicyIssue } from './issues';
import type { Policy } from './schema';

export type { Exemption };

/** Longest an exemption may run, counted from synth (or from `image-guard check`). */
export const MAX_EXEMPTION_DAYS = 30;
/** Synth lists exemptions that expire within this many days. */
export const EXPIRING_SOON_DAYS = 7;

const DAY_MS = 24 * 3600_000;

/** Where an exemption could apply: a container of a task, a task, or a service revision. */
export interface ExemptionTarget {
  clusterArn: string;
  clusterName: string;
  /** From `detail.group` = `service:NAME`, or the hook's service. */
  service?: string;
  /** Normalised reference carrying the digest that is judged; without a digest no image exemption applies. */
  image?: string;
}

export interface ExemptionMatch {
  /** `active`: applied; `expired`: would have covered it, ignored since `until`. */
  status: 'active' | 'expired';
  /** Position in the policy's `exemptions` (the entry's name in messages: `exemptions[2]`). */
  index: number;
  exemption: Exemption;
}

interface CompiledExemption {
  index: number;
  exemption: Exemption;
  clusters: Glob[];
  untilMs: number;
  image?: { name: string; digest?: string };
}

const compiled = new WeakMap<Policy, CompiledExemption[]>();

function compiledFor(policy: Policy): CompiledExemption[] {
  let c = compiled.get(policy);
  if (c === undefined) {
    c = (policy.exemptions ?? []).map((exemption, index) => {
      const image = exemption.image !== undefined ? splitImage(exemption.image) : undefined;
      return {
        index,
        exemption,
        clusters: exemption.clusters.map(compileGlob),
        untilMs: Date.parse(exemption.until),
        ...(image ? { image: { name: image.name, digest: image.digest } } : {}),
      };
    });
    compiled.set(policy, c);
  }
  return c;
}

function covers(e: CompiledExemption, target: ExemptionTarget): boolean {
  if (!e.clusters.some((g) => g.matches(target.clusterName) || g.matches(target.clusterArn))) return false;
  if (e.exemption.service !== undefined) return target.service === e.exemption.service;
  if (e.image === undefined || target.image === undefined) return false;
  const judged = splitImage(target.image);
  // Exact repository and exact digest; the tag plays no part (the digest names the content).
  return judged.digest !== undefined && judged.name === e.image.name && judged.digest === e.image.digest;
}

/**
 * The exemption covering `target` at `nowMs`: the first active one in policy order; else the first
 * expired one (so the guard can say it was ignored); else undefined.
 */
export function exemptionFor(
  policy: Policy,
  target: ExemptionTarget,
  nowMs: number,
): ExemptionMatch | undefined {
  if (policy.exemptions === undefined || policy.exemptions.length === 0) return undefined;
  let expired: ExemptionMatch | undefined;
  for (const e of compiledFor(policy)) {
    if (!covers(e, target)) continue;
    // A NaN `until` (never from a validated policy) counts as expired: never open-ended.
    if (nowMs < e.untilMs) return { status: 'active', index: e.index, exemption: e.exemption };
    expired ??= { status: 'expired', index: e.index, exemption: e.exemption };
  }
  return expired;
}

/**
 * The service exemption covering a whole service (the deployment hook's revision) at `nowMs`; image
 * exemptions are per container and are found with `exemptionFor` and the container's digest.
 */
export function serviceExemptionFor(
  policy: Policy,
  target: Omit<ExemptionTarget, 'image'> & { service: string },
  nowMs: number,
): ExemptionMatch | undefined {
  return exemptionFor(
    policy,
    { clusterArn: target.clusterArn, clusterName: target.clusterName, service: target.service },
    nowMs,
  );
}

/** `exemptions[0] (ticket SEC-4471)`: how messages name an exemption. */
export function exemptionLabel(index: number, exemption: Pick<Exemption, 'ticket'>): string {
  return `exemptions[${index}] (ticket ${exemption.ticket})`;
}

/** What the exemption is for, in words: `image …@sha256:…` or `service payments`. */
export function exemptionSubject(exemption: Exemption): string {
  return exemption.image !== undefined ? `image ${exemption.image}` : `service ${exemption.service ?? '?'}`;
}

/**
 * Exemptions whose `until` is more than MAX_EXEMPTION_DAYS after `nowMs`: an emergency exemption is
 * renewed deliberately, never written for a quarter. Checked at synth and by `image-guard check`,
 * never by the Lambda (the policy it runs was checked when it was synthesised).
 */
export function exemptionWindowIssues(policy: Policy, nowMs: number): PolicyIssue[] {
  const latest = nowMs + MAX_EXEMPTION_DAYS * DAY_MS;
  const issues: PolicyIssue[] = [];
  (policy.exemptions ?? []).forEach((e, i) => {
    const until = Date.parse(e.until);
    if (!(until <= latest)) {
      issues.push({
        path: `exemptions[${i}].until`,
        message:
          `${e.until} is more than ${MAX_EXEMPTION_DAYS} days ahead (latest allowed now: ` +
          `${new Date(latest).toISOString()}); exemption ${exemptionLabel(i, e)} for ${exemptionSubject(e)} ` +
          'is for an emergency: give an earlier until, and renew it if it is still needed',
      });
    }
  });
  return issues;
}

export interface ExemptionExpiry {
  index: number;
  exemption: Exemption;
  untilMs: number;
  /** Already expired at `nowMs` (ignored by the guard). */
  expired: boolean;
  /** Expires within EXPIRING_SOON_DAYS of `nowMs` (and has not expired). */
  soon: boolean;
}

/** Every exemption with its expiry relative to `nowMs`, soonest first. */
export function exemptionExpiries(policy: Policy, nowMs: number): ExemptionExpiry[] {
  return (policy.exemptions ?? [])
    .map((exemption, index) => {
      const untilMs = Date.parse(exemption.until);
      const expired = !(nowMs < untilMs);
      return {
        index,
        exemption,
        untilMs,
        expired,
        soon: !expired && untilMs - nowMs <= EXPIRING_SOON_DAYS * DAY_MS,
      };
    })
    .sort((a, b) => a.untilMs - b.untilMs || a.index - b.index);
}
