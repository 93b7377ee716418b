/**
 * OCI content digests (image-spec descriptor.md "Digests"): `algorithm ":" encoded`.
 * Only registered algorithms are accepted, because a digest we cannot compute is a digest we
 * cannot check; for them the encoding is exact (lower-case hex of the right length).
 */

/** Registered algorithms and the length of their lower-case hex encoding. */
const DIGEST_HEX_LENGTH = { sha256: 64, sha512: 128 } as const;

export type DigestAlgorithm = keyof typeof DIGEST_HEX_LENGTH;

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  encoded: string;
}

// image-spec grammar: algorithm-component (algorithm-separator algorithm-component)*.
const ALGORITHM_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;
const ENCODED_GRAMMAR = /^[a-zA-Z0-9=_-]+$/;
const LOWER_HEX = /^[a-f0-9]+$/;

function isRegistered(algorithm: string): algorithm is DigestAlgorithm {
  return Object.prototype.hasOwnProperty.call(DIGEST_HEX_LENGTH, algorithm);
}

/** What is wrong with `digest`, or undefined when it is a valid digest of a registered algorithm. */
export function digestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  if (colon === -1) return `expected "<algorithm>:<hex>" such as "sha256:<64 hex characters>"`;
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  if (algorithm === '') return 'the algorithm before ":" is empty';
  if (encoded === '') return 'the encoded part after ":" is empty';
  if (!ALGORITHM_GRAMMAR.test(algorithm)) {
    return `algorithm "${algorithm}" is not a valid digest algorithm name`;
  }
  if (!ENCODED_GRAMMAR.test(encoded)) return 'the encoded part contains characters other than [a-zA-Z0-9=_-]';
  if (!isRegistered(algorithm)) {
    return `unsupported digest algorithm "${algorithm}" (supported: ${Object.keys(DIGEST_HEX_LENGTH).join(', ')})`;
  }
  const expected = DIGEST_HEX_LENGTH[algorithm];
  if (!LOWER_HEX.test(encoded)) {
    return `${algorithm} digests are lower-case hexadecimal; found other characters`;
  }
  if (encoded.length !== expected) {
    return `${algorithm} digests have ${expected} hexadecimal characters, found ${encoded.length}`;
  }
  return undefined;
}

export function isDigest(value: string): boolean {
  return digestProblem(value) === undefined;
}

/** Splits a digest already known to be valid (call `digestProblem` first). */
export function splitDigest(digest: string): ParsedDigest {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  if (!isRegistered(algorithm) || digestProblem(digest) !== undefined) {
    throw new TypeError(`splitDigest called with an invalid digest: ${digest}`);
  }
  return { algorithm, encoded: digest.slice(colon + 1) };
}
