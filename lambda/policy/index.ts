/** The policy: file format, loading, evaluation and the IAM scope it implies. */
export { compileGlob, globProblem, isLiteralGlob, type Glob } from './glob';
export { defaultPolicy, DEFAULT_KEY_NAME, DEFAULT_RULE_NAME } from './default-policy';
export {
  decideContainer,
  matchContainer,
  requiredKeys,
  strictestMode,
  tlogModeFor,
  type ContainerDecision,
  type ContainerMatch,
  type ContainerOutcome,
  type MatchTarget,
  type VerificationSummary,
} from './evaluate';
export { policySha256 } from './hash';
export { imageMatchForms, splitImage } from './image-forms';
export { PolicyError, type PolicyIssue } from './issues';
export { parseKmsKeyRef, type KmsKeyRef, type ParsedKmsRef } from '../keys/kms-ref';
export { keySpecOf } from './key-specs';
export { loadPolicyFile, MAX_POLICY_BYTES, parsePolicy, type ParsePolicyOptions } from './load';
export * from './schema';
export { policyScope, type PolicyScope } from './scope';
