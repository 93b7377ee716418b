import { Stack, Validations } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag acknowledgements, each next to the reason it is true. Only granular ids are used
 * (`AwsSolutions-IAM5[Resource::…]` names the exact resource string), so an acknowledgement can never
 * cover a wildcard added later. This file needs no cdk-nag import: acknowledgements are plain
 * `Validations` metadata, so an app that uses the construct without cdk-nag pays nothing.
 */

/** Acknowledges AwsSolutions-IAM5 for every wildcard resource of `statement`, with `reason`. */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  statement: PolicyStatement,
  reason: string,
): void {
  const stack = Stack.of(scope);
  for (const resource of statement.resources) {
    const flat = flattenCfn(stack.resolve(resource));
    if (!flat.includes('*')) continue;
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
  }
}

/** AwsSolutions-SQS3 ("not used as a DLQ and has no DLQ") on a queue that is itself a dead-letter queue. */
export function acknowledgeDeadLetterQueue(queue: IConstruct, whoseDlq: string): void {
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      `This queue IS a dead-letter queue (${whoseDlq}). cdk-nag only recognises a DLQ by another queue's ` +
      'redrive policy; a dead-letter queue of a dead-letter queue would only move the problem. Messages are ' +
      'kept 14 days and an alarm fires on the first one.',
  });
}

/**
 * The resource string as cdk-nag prints it in a finding id (its utils/flatten-cfn-reference):
 * `Ref` → `<Name>`, `Fn::GetAtt` → `<Name.Attr>`, `Fn::Join` joined, `Fn::Sub` `${x}` → `<x>`.
 */
export function flattenCfn(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const n = node as Record<string, unknown>;
    if (Array.isArray(n['Fn::Join'])) {
      const [delimiter, items] = n['Fn::Join'] as [string, unknown[]];
      return items.map(flattenCfn).join(delimiter);
    }
    if (n['Fn::Sub'] !== undefined) return flattenCfn(n['Fn::Sub']);
    if (Array.isArray(n['Fn::GetAtt'])) {
      const [resource, attribute] = n['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenCfn(resource)}.${flattenCfn(attribute)}>`;
    }
    if (n['Fn::ImportValue'] !== undefined) return flattenCfn(n['Fn::ImportValue']);
    if (n.Ref !== undefined) return `<${flattenCfn(n.Ref)}>`;
  }
  return JSON.stringify(node);
}
