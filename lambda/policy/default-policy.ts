/**
 * The policy a deploy without a policy file gets (docs/design.md "Rules the code keeps"): audit mode, so nothing
 * is ever stopped until the platform team writes a policy down; every image must be signed by the
 * deployment's KMS key, and the log and alerts say which images would have been stopped.
 */
import { parsePolicy } from './load';
import type { Policy } from './schema';

export const DEFAULT_KEY_NAME = 'image-guard-default';
export const DEFAULT_RULE_NAME = 'all-images';

/** Throws a PolicyError when `kmsAliasOrArn` is not a KMS key reference the policy accepts. */
export function defaultPolicy(kmsAliasOrArn: string): Policy {
  const document = {
    mode: 'audit',
    noMatch: 'deny',
    onError: 'alert',
    keys: [{ name: DEFAULT_KEY_NAME, kms: kmsAliasOrArn }],
    rules: [{ name: DEFAULT_RULE_NAME, keys: [DEFAULT_KEY_NAME] }],
  };
  // Built through the parser so the default obeys exactly the checks a written policy does.
  return parsePolicy(JSON.stringify(document), { source: 'default policy' });
}
