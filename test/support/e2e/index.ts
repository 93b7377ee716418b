/** End-to-end harness: the synthesized Lambda asset in child processes against local AWS fakes. */
export {
  E2E_ACCOUNT,
  E2E_LEDGER_TABLE,
  E2E_REGION,
  E2E_TOPIC_ARN,
  LAMBDA_ACCESS_KEY_ID,
  startGuardE2E,
  type GuardE2E,
  type GuardE2EOptions,
} from './guard-e2e';
export { LambdaProcess, type Invocation, type Json } from './lambda-process';
export type { EcsFake, FakeService, FakeTask, FakeTaskDefinition } from './ecs-fake';
export type { SnsFake, Published } from './sns-fake';
export type { KmsFake } from './kms-fake';
export type { LocalDynamoDb } from './local-dynamodb';
export { synthesizeGuard, resolveEnvironment, type SynthesizedGuard } from './synth';
