/**
 * The harness gives the Lambda process the template's environment: CloudFormation tokens of the
 * alert topic and the ledger table become the local values, and a token it has no value for fails
 * loudly instead of reaching the function as "[object Object]".
 */
import { resolveEnvironment, type SynthesizedGuard } from '../support/e2e/synth';

function synthWith(environment: Record<string, unknown>): SynthesizedGuard {
  return {
    template: {
      Resources: {
        Topic: { Type: 'AWS::SNS::Topic' },
        Ledger: { Type: 'AWS::DynamoDB::Table' },
        Queue: { Type: 'AWS::SQS::Queue' },
      },
    },
    environment,
  } as unknown as SynthesizedGuard;
}

const refs = { topicArn: 'arn:aws:sns:eu-west-1:111122223333:t', ledgerTable: 'ledger' };

describe('resolveEnvironment', () => {
  it('keeps plain values and resolves Refs of the topic and the table', () => {
    expect(
      resolveEnvironment(synthWith({ A: 'x', TOPIC: { Ref: 'Topic' }, TABLE: { Ref: 'Ledger' } }), refs),
    ).toEqual({ A: 'x', TOPIC: refs.topicArn, TABLE: 'ledger' });
  });

  it.each([
    ['a Ref of a resource it has no local value for', { Ref: 'Queue' }],
    ['a GetAtt', { 'Fn::GetAtt': ['Topic', 'TopicName'] }],
    ['a Join', { 'Fn::Join': ['', ['a', 'b']] }],
  ])('names the variable when it meets %s', (_what, value) => {
    expect(() => resolveEnvironment(synthWith({ NEW_VAR: value }), refs)).toThrow(
      /environment variable NEW_VAR .* no local value/,
    );
  });
});
