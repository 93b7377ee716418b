/**
 * CDK app: `npx cdk synth|deploy [-c policyFile=policy.yaml] [-c alertEmails=a@x.com,b@x.com]
 * [-c logRetentionDays=365] [-c stackName=EcsImageGuard] [-c signingKeyAlias=alias/NAME]`.
 * Environment-agnostic (no account/region lookups), so it synthesizes offline with no context at all.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readAppSettings } from '../lib/app-context';
import { ImageGuardStack } from '../lib/image-guard-stack';

const app = new App();
try {
  const settings = readAppSettings((key) => app.node.tryGetContext(key));
  new ImageGuardStack(app, settings.stackName, {
    guard: {
      ...(settings.policyFile === undefined ? {} : { policyFile: settings.policyFile }),
      ...(settings.signingKeyAlias === undefined ? {} : { signingKeyAlias: settings.signingKeyAlias }),
      alertEmails: settings.alertEmails,
      logRetention: settings.logRetention,
    },
  });
} catch (e) {
  // A bad context value or policy is the user's to fix: say what and where, without a stack trace.
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}

// cdk-nag v3: a policy-validation plugin; synth fails on any unacknowledged finding.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
