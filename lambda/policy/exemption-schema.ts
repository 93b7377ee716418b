/**
 * The `exemptions` entries of the policy file (docs/policy.md "Exemptions"): break-glass permission
 * for one image digest, or one service, in named clusters, until a set time. Field checks only; the
 * "at most 30 days ahead" rule depends on when it is checked (synth, `image-guard check`) and is in
 * exemptions.ts, because the Lambda must keep loading a policy whose exemptions have expired.
 */
import { z } from 'zod';
import { compileGlob, globProblem } from './glob';
import { formatReference, parseImageReference } from '../reference/parse';
import type { ImageReference } from '../reference/types';

export const EXEMPTION_LIMITS = {
  exemptions: 100,
  clustersPerExemption: 100,
  reasonChars: 1024,
  ticketChars: 256,
} as const;

/** `2026-12-01T08:00:00Z`, `2026-12-01T09:00:00.5+01:00`: RFC 3339 with an explicit offset. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** ECS service names: 1–255 letters, digits, hyphens and underscores (so never a pattern). */
const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Made-up cluster names no real pattern for named clusters matches: a pattern matching all of them
 * (`*`, `**`, `?*`, `arn:aws:ecs:*:*:cluster/*`) would exempt every cluster.
 */
const UNNAMED_CLUSTER_PROBES = ['_', 'Z9-'].map((name) => [
  name,
  `arn:aws:ecs:us-east-1:000000000000:cluster/${name}`,
]);

/** Parses an exemption's image; undefined with the problem when it is not `NAME@DIGEST`. */
export function exemptionImage(value: string): { ref: ImageReference } | { problem: string } {
  let ref: ImageReference;
  try {
    ref = parseImageReference(value);
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
  if (ref.digest === undefined) {
    return {
      problem:
        'must be pinned by digest (NAME@sha256:…): an exemption lets one exact image through, never a tag',
    };
  }
  return { ref };
}

/** The normalised `registry/repository@digest` an image exemption is compared with (any tag dropped). */
export function normalisedExemptionImage(value: string): string {
  const parsed = exemptionImage(value);
  if ('problem' in parsed) throw new TypeError(`not a digest-pinned reference: ${value}`);
  return formatReference(parsed.ref, { withTag: false, withDigest: true });
}

const clusterPattern = z.string().superRefine((value, ctx) => {
  const problem = globProblem(value);
  if (problem !== undefined) {
    ctx.addIssue({ code: 'custom', message: `invalid pattern: ${problem}` });
    return;
  }
  const glob = compileGlob(value);
  if (UNNAMED_CLUSTER_PROBES.every((forms) => forms.some((form) => glob.matches(form)))) {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(value)} matches every cluster; an exemption names the clusters it is for`,
    });
  }
});

export const ExemptionSchema = z.strictObject({
  image: z
    .string()
    .superRefine((value, ctx) => {
      const parsed = exemptionImage(value);
      if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
    })
    .optional(),
  service: z
    .string()
    .regex(SERVICE_NAME, 'must be an ECS service name (1–255 letters, digits, "-" or "_"; no patterns)')
    .optional(),
  clusters: z
    .array(clusterPattern)
    .min(1, 'must name at least one cluster (an exemption is never for every cluster)')
    .max(EXEMPTION_LIMITS.clustersPerExemption, `at most ${EXEMPTION_LIMITS.clustersPerExemption} patterns`),
  until: z
    .string()
    .refine(
      (value) => RFC3339.test(value) && Number.isFinite(Date.parse(value)),
      'must be an RFC 3339 time with an offset, e.g. 2026-12-01T18:00:00Z',
    ),
  reason: z.string().trim().min(1, 'must say why the exemption is needed').max(EXEMPTION_LIMITS.reasonChars),
  ticket: z
    .string()
    .trim()
    .min(1, 'must name the ticket that approved the exemption')
    .max(EXEMPTION_LIMITS.ticketChars),
});

export type ExemptionFileEntry = z.output<typeof ExemptionSchema>;

/** Cross-field checks on the raw document: exactly one of `image` / `service` per entry. */
export function exemptionIssues(doc: Record<string, unknown>): { path: string; message: string }[] {
  if (!Array.isArray(doc.exemptions)) return [];
  const issues: { path: string; message: string }[] = [];
  doc.exemptions.forEach((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return;
    const e = entry as Record<string, unknown>;
    const present = ['image', 'service'].filter((f) => e[f] !== undefined);
    if (present.length !== 1) {
      issues.push({
        path: `exemptions[${i}]`,
        message: `exactly one of image, service is required (found ${present.length === 0 ? 'none' : present.join(', ')})`,
      });
    }
  });
  return issues;
}

/** A compiled exemption: exactly one of `image` (normalised `registry/repository@digest`) or `service`. */
export interface Exemption {
  image?: string;
  service?: string;
  clusters: string[];
  /** As written (RFC 3339 with offset). */
  until: string;
  reason: string;
  ticket: string;
}

export function compileExemption(entry: ExemptionFileEntry): Exemption {
  return {
    ...(entry.image !== undefined ? { image: normalisedExemptionImage(entry.image) } : {}),
    ...(entry.service !== undefined ? { service: entry.service } : {}),
    clusters: [...entry.clusters],
    until: entry.until,
    reason: entry.reason,
    ticket: entry.ticket,
  };
}
