import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { parseKmsKeyRef } from '../lambda/keys/kms-ref';
import type { ArnContext } from './cluster-scope';

/**
 * `kms:GetPublicKey` on exactly the policy's KMS keys, one statement per key:
 *   - key ARN              → that ARN;
 *   - key id               → the key ARN in this stack's partition/region/account;
 *   - alias name/alias ARN → `key/*` of that region/account, narrowed by `kms:RequestAlias`.
 * IAM cannot name a key by alias in `Resource` ("When an alias is the value of a resource element, the
 * policy applies to the alias resource, not to any KMS key that might be associated with it",
 * https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html). `kms:RequestAlias`
 * applies to GetPublicKey and holds when the request's KeyId is that alias name or an alias ARN with
 * that name (conditions-kms.html#conditions-kms-request-alias), so the handler must call
 * GetPublicKey with the alias exactly as the policy wrote it, not with a resolved key id.
 *
 * `ownedAliases` maps an alias this construct created to its key ARN: that key is granted by ARN.
 */
export function kmsPublicKeyStatements(
  kmsRefs: readonly string[],
  here: ArnContext,
  ownedAliases: ReadonlyMap<string, string> = new Map(),
): PolicyStatement[] {
  const statements = new Map<string, PolicyStatement>();
  for (const value of kmsRefs) {
    const ref = parseKmsKeyRef(value);
    if (ref === undefined)
      throw new Error(`policy KMS key ${JSON.stringify(value)} is not a valid key reference`);
    let resource: string;
    let alias: string | undefined;
    switch (ref.kind) {
      case 'key-arn':
        resource = ref.value;
        break;
      case 'key-id':
        resource = `arn:${here.partition}:kms:${here.region}:${here.account}:key/${ref.keyId}`;
        break;
      case 'alias': {
        const owned = ownedAliases.get(ref.alias);
        if (owned !== undefined) resource = owned;
        else {
          resource = `arn:${here.partition}:kms:${here.region}:${here.account}:key/*`;
          alias = ref.alias;
        }
        break;
      }
      case 'alias-arn':
        resource = `arn:${partitionOf(ref.value)}:kms:${ref.region}:${ref.account}:key/*`;
        alias = ref.alias;
        break;
    }
    const id = `${resource}|${alias ?? ''}`;
    if (statements.has(id)) continue;
    statements.set(
      id,
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['kms:GetPublicKey'],
        resources: [resource],
        ...(alias === undefined ? {} : { conditions: { StringEquals: { 'kms:RequestAlias': alias } } }),
      }),
    );
  }
  return [...statements.values()];
}

function partitionOf(arn: string): string {
  return arn.split(':')[1] ?? 'aws';
}
