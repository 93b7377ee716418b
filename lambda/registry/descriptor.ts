import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { digestProblem } from '../reference/digest';
import { untrustedText } from '../text/untrusted-text';
import type { Descriptor } from './types';

function malformed(where: string, problem: string): GuardError {
  return new GuardError(ReasonCode.UNSUPPORTED_FORMAT, `${where}: ${problem}`);
}

/**
 * Checks one descriptor from a registry document (referrers index, fallback index) and keeps
 * only the fields the verifier reads. A descriptor the client cannot trust to name content
 * exactly (bad digest, bad size) is an error, never silently used.
 */
export function readDescriptor(value: unknown, where: string): Descriptor {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(where, 'not an object');
  const v = value as Record<string, unknown>;
  if (typeof v.mediaType !== 'string' || v.mediaType === '') throw malformed(where, 'mediaType is missing');
  if (typeof v.digest !== 'string') throw malformed(where, 'digest is missing');
  const problem = digestProblem(v.digest);
  if (problem) throw malformed(where, `digest "${untrustedText(v.digest, 80)}" is invalid: ${problem}`);
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) {
    throw malformed(where, 'size is not a non-negative integer');
  }
  const descriptor: Descriptor = { mediaType: v.mediaType, digest: v.digest, size: v.size };
  if (v.artifactType !== undefined) {
    if (typeof v.artifactType !== 'string') throw malformed(where, 'artifactType is not a string');
    descriptor.artifactType = v.artifactType;
  }
  if (v.annotations !== undefined) {
    if (typeof v.annotations !== 'object' || v.annotations === null || Array.isArray(v.annotations)) {
      throw malformed(where, 'annotations is not an object');
    }
    const annotations = Object.entries(v.annotations as Record<string, unknown>);
    if (annotations.some(([, a]) => typeof a !== 'string'))
      throw malformed(where, 'an annotation value is not a string');
    descriptor.annotations = Object.fromEntries(annotations) as Record<string, string>;
  }
  return descriptor;
}

/** The `manifests` of an image index document (bytes as fetched). */
export function readIndexManifests(bytes: Buffer, where: string): Descriptor[] {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw malformed(where, 'not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw malformed(where, 'not a JSON object');
  const manifests = (json as { manifests?: unknown }).manifests;
  if (manifests === undefined || manifests === null) return [];
  if (!Array.isArray(manifests)) throw malformed(where, '"manifests" is not an array');
  return manifests.map((m, i) => readDescriptor(m, `${where} manifests[${i}]`));
}
