export { parseImageReference, formatReference, DOCKER_HUB, DEFAULT_TAG } from './parse';
export type { FormatOptions } from './parse';
export { isEcrRegistry } from './ecr-host';
export type { EcrRegistryInfo } from './ecr-host';
export { digestProblem, isDigest, splitDigest, DIGEST_HEX_LENGTH } from './digest';
export type { DigestAlgorithm, ParsedDigest } from './digest';
export { registryHostProblem, repositoryProblem, tagProblem } from './grammar';
export type { ImageReference } from './types';
