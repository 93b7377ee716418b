import { defaultPolicy } from '../lambda/policy/default-policy';
import { exemptionWindowIssues } from '../lambda/policy/exemptions';
import { PolicyError } from '../lambda/policy/issues';
import { policySha256 } from '../lambda/policy/hash';
import { loadPolicyFile, parsePolicy } from '../lambda/policy/load';
import { policyScope, type PolicyScope } from '../lambda/policy/scope';
import type { Policy } from '../lambda/policy/schema';

export type { PolicyScope };

/** The policy as the construct deploys it: validated, compiled, serialised, hashed and scoped. */
export interface ResolvedPolicy {
  policy: Policy;
  /** Exactly the bytes shipped as policy.json beside the handler. */
  json: string;
  sha256: string;
  scope: PolicyScope;
  /** Where it came from, for messages and outputs: the file path, `props.policy`, or `default`. */
  source: string;
}

/**
 * Resolves the construct's policy input at synth. Exactly one of `policy` / `policyFile`, or neither
 * (then the default audit policy trusting `defaultKeyAlias`). Any problem throws an Error whose message
 * is the policy error's (field path and reason per line), so `cdk synth` fails with it. An exemption
 * whose `until` is more than 30 days after `nowMs` (synth time) is such a problem; the compiled policy
 * itself stays loadable by the Lambda after its exemptions expire.
 */
export function resolvePolicy(
  input: { policy?: Policy; policyFile?: string },
  defaultKeyAlias: string,
  nowMs: number = Date.now(),
): ResolvedPolicy {
  if (input.policy !== undefined && input.policyFile !== undefined) {
    throw new Error('EcsImageGuard: give either `policy` or `policyFile`, not both');
  }
  let policy: Policy;
  let source: string;
  try {
    if (input.policyFile !== undefined) {
      source = input.policyFile;
      policy = loadPolicyFile(input.policyFile);
    } else if (input.policy !== undefined) {
      source = 'props.policy';
      // A Policy object may have been built by hand: validate it exactly as a file would be.
      policy = parsePolicy(JSON.stringify(input.policy), { source });
    } else {
      source = 'default';
      policy = defaultPolicy(defaultKeyAlias);
    }
    const tooLong = exemptionWindowIssues(policy, nowMs);
    if (tooLong.length > 0) throw new PolicyError(source, tooLong);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(`EcsImageGuard: invalid policy\n${message}`, { cause: e });
  }
  return {
    policy,
    json: JSON.stringify(policy, null, 2),
    sha256: policySha256(policy),
    scope: policyScope(policy),
    source,
  };
}
