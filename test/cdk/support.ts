import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EcsImageGuard, type EcsImageGuardProps } from '../../lib/image-guard';

export const REPO_ROOT = path.join(__dirname, '..', '..');

export interface Synthesized {
  app: App;
  stack: Stack;
  guard: EcsImageGuard;
  /** Template.fromStack: throws when cdk-nag (registered on the app) reports an unacknowledged finding. */
  template: Template;
}

/**
 * One app + stack + guard with cdk-nag's AwsSolutions pack registered, as bin/app.ts does.
 * `bundle: false` skips esbuild (context `aws:cdk:bundling-stacks: []`) where the bundle is irrelevant.
 */
export function synthGuard(props: EcsImageGuardProps = {}, options: { bundle?: boolean } = {}): Synthesized {
  const app = new App(options.bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'GuardTest');
  const guard = new EcsImageGuard(stack, 'Guard', props);
  return { app, stack, guard, template: Template.fromStack(stack) };
}

/** Writes a policy (and optional extra files) to a fresh temp dir; returns the policy path. */
export function writePolicy(yaml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'guard-policy-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  const file = path.join(dir, 'policy.yaml');
  writeFileSync(file, yaml);
  return file;
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/** Every statement of every IAM policy (AWS::IAM::Policy and role inline policies) in the template. */
export function iamStatements(template: Template): Statement[] {
  const out: Statement[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    out.push(...(policy.Properties.PolicyDocument.Statement as Statement[]));
  }
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    for (const inline of (role.Properties.Policies ?? []) as Array<{
      PolicyDocument: { Statement: Statement[] };
    }>) {
      out.push(...inline.PolicyDocument.Statement);
    }
  }
  return out;
}

export function actionsOf(s: Statement): string[] {
  return Array.isArray(s.Action) ? s.Action : [s.Action];
}

export function resourcesOf(s: Statement): unknown[] {
  return Array.isArray(s.Resource) ? s.Resource : [s.Resource];
}

export function statementsFor(template: Template, action: string): Statement[] {
  return iamStatements(template).filter((s) => actionsOf(s).includes(action));
}

/** A CloudFormation value with pseudo parameters rendered as `${AWS::Region}` etc., for readable asserts. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  if (typeof v.Ref === 'string') return `\${${v.Ref}}`;
  if (Array.isArray(v['Fn::GetAtt'])) return `\${${(v['Fn::GetAtt'] as string[]).join('.')}}`;
  return JSON.stringify(value);
}

/** The single resource of a type; fails the test when there are none or several. */
// Template JSON is untyped by nature; tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function onlyResource(template: Template, type: string): { logicalId: string; resource: any } {
  const found = Object.entries(template.findResources(type));
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  const [logicalId, resource] = found[0]!;
  return { logicalId, resource };
}
