import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';
import { digestProblem } from './digest';
import { DOCKER_HUB, isDockerHub } from './docker-hub';
import { NAME_TOTAL_LENGTH_MAX, registryHostProblem, repositoryProblem, tagProblem } from './grammar';
import type { ImageReference } from './types';

const DEFAULT_TAG = 'latest';

/** Longer input is rejected before any parsing (a valid reference is at most ~520 characters). */
const MAX_INPUT_LENGTH = 1024;

function invalid(input: string, problem: string): GuardError {
  const shown = input.length > 80 ? `${input.slice(0, 77)}...` : input;
  return new GuardError(ReasonCode.INVALID_REFERENCE, `invalid image reference "${shown}": ${problem}`);
}

/** Describes the first character that can never appear in a reference, or undefined. */
function badCharacterProblem(input: string): string | undefined {
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i);
    const position = `at position ${i + 1}`;
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d)
      return `contains whitespace ${position}`;
    if (code < 0x20 || code === 0x7f) {
      return `contains the control character U+${code.toString(16).toUpperCase().padStart(4, '0')} ${position}`;
    }
    if (code > 0x7e) {
      const char = String.fromCodePoint(input.codePointAt(i) ?? code);
      return `contains the non-ASCII character "${char}" ${position}`;
    }
  }
  return undefined;
}

/**
 * The registry part of a name is the first `/`-separated component when it looks like a host:
 * it contains "." or ":", is "localhost", is an IPv6 literal, or has upper-case letters
 * (distribution `splitDockerDomain`). Anything else is a Docker Hub repository.
 */
function looksLikeHost(component: string): boolean {
  return (
    component.includes('.') ||
    component.includes(':') ||
    component.startsWith('[') ||
    component === 'localhost' ||
    component !== component.toLowerCase()
  );
}

function splitName(name: string): { registry: string; remainder: string; explicitRegistry: boolean } {
  const slash = name.indexOf('/');
  if (slash !== -1 && looksLikeHost(name.slice(0, slash))) {
    return { registry: name.slice(0, slash), remainder: name.slice(slash + 1), explicitRegistry: true };
  }
  return { registry: DOCKER_HUB, remainder: name, explicitRegistry: false };
}

/**
 * Parses any image reference ECS accepts and returns it normalised: Docker Hub short names
 * gain `docker.io/` (and `library/` for official images), the host is lower-cased (see below), and the tag
 * defaults to `latest` only when neither a tag nor a digest is given.
 * Throws `GuardError(INVALID_REFERENCE)` naming exactly what is wrong.
 */
export function parseImageReference(input: string): ImageReference {
  if (typeof input !== 'string') {
    throw new GuardError(
      ReasonCode.INVALID_REFERENCE,
      `invalid image reference: expected a string, got ${typeof input}`,
    );
  }
  if (input === '') throw invalid(input, 'the reference is empty');
  if (input.length > MAX_INPUT_LENGTH) {
    throw invalid(
      input,
      `the reference is ${input.length} characters long; the maximum is ${MAX_INPUT_LENGTH}`,
    );
  }
  const badCharacter = badCharacterProblem(input);
  if (badCharacter) throw invalid(input, badCharacter);

  let namePart = input;
  let digest: string | undefined;
  const at = input.indexOf('@');
  if (at !== -1) {
    if (input.indexOf('@', at + 1) !== -1) throw invalid(input, 'contains more than one "@"');
    namePart = input.slice(0, at);
    digest = input.slice(at + 1);
    if (digest === '') throw invalid(input, 'the digest after "@" is empty');
    const problem = digestProblem(digest);
    if (problem) throw invalid(input, `digest "${digest}" is invalid: ${problem}`);
  }

  let name = namePart;
  let tag: string | undefined;
  const lastColon = namePart.lastIndexOf(':');
  if (lastColon > namePart.lastIndexOf('/') && !namePart.endsWith(']')) {
    name = namePart.slice(0, lastColon);
    tag = namePart.slice(lastColon + 1);
    const problem = tagProblem(tag);
    if (problem) throw invalid(input, problem);
  }
  if (name === '') throw invalid(input, 'the repository name is empty');

  const split = splitName(name);
  let registry = split.registry;
  if (split.explicitRegistry) {
    const problem = registryHostProblem(registry);
    if (problem) throw invalid(input, problem);
    // Host names are case-insensitive, so they are lower-cased — unless the upper case is the
    // only thing that marks the component as a host (`MyRegistry/app`): lowering it would turn
    // the reference into a Docker Hub name.
    if (looksLikeHost(registry.toLowerCase())) registry = registry.toLowerCase();
    if (isDockerHub(registry)) registry = DOCKER_HUB;
  }

  const problem = repositoryProblem(split.remainder);
  if (problem) throw invalid(input, problem);
  let repository = split.remainder;
  if (!split.explicitRegistry && /^[a-f0-9]{64}$/.test(repository)) {
    throw invalid(
      input,
      'a repository name cannot be 64 hexadecimal characters (that is an image ID, not a name)',
    );
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;

  const fullName = `${registry}/${repository}`;
  if (fullName.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(
      input,
      `the name "${fullName.slice(0, 40)}..." is ${fullName.length} characters long; the maximum is ${NAME_TOTAL_LENGTH_MAX}`,
    );
  }

  const reference: ImageReference = { registry, repository };
  if (tag !== undefined) reference.tag = tag;
  if (digest !== undefined) reference.digest = digest;
  if (tag === undefined && digest === undefined) reference.tag = DEFAULT_TAG;
  return reference;
}

export interface FormatOptions {
  /** Include `:tag` when the reference has one (default true). */
  withTag?: boolean;
  /** Include `@digest` when the reference has one (default true). */
  withDigest?: boolean;
}

/** The normalised text form: `docker.io/library/nginx:1.27`, `host:5000/a/b:tag@sha256:…`. */
export function formatReference(ref: ImageReference, options: FormatOptions = {}): string {
  const { withTag = true, withDigest = true } = options;
  let text = `${ref.registry}/${ref.repository}`;
  if (withTag && ref.tag !== undefined) text += `:${ref.tag}`;
  if (withDigest && ref.digest !== undefined) text += `@${ref.digest}`;
  return text;
}
