/**
 * CDK app: `npx cdk synth|deploy [-c policyFile=policy.yaml] [-c alertEmails=a@x.com,b@x.com]
 * [-c opsEmails=ops@x.com] [-c logRetentionDays=365] [-c stackName=EcsImageGuard]
 * [-c signingKeyAlias=alias/NAME] [-c keepSigningKey=true] [-c reservedConcurrency=N]
 * [-c sweepIntervalMinutes=15]`.
 * Environment-agnostic (no account/region lookups), so it synthesizes offline with no context at all.
 */
import { Annotations, App, Duration, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_STACK_NAME, readAppSettings } from '../lib/app-context';
import { ImageGuardStack } from '../lib/image-guard-stack';

const app = new App();
try {
  const settings = readAppSettings(
    (key) => app.node.tryGetContext(key),
    Object.keys(app.node.getAllContext()),
  );
  const stack = new ImageGuardStack(app, settings.stackName, {
    guard: {
      ...(settings.policyFile === undefined ? {} : { policyFile: settings.policyFile }),
      signingKeyAlias: settings.signingKeyAlias,
      keepDefaultSigningKey: settings.keepSigningKey,
      alertEmails: settings.alertEmails,
      opsEmails: settings.opsEmails,
      logRetention: settings.logRetention,
      ...(settings.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrency: settings.reservedConcurrency }),
      sweepInterval: Duration.minutes(settings.sweepIntervalMinutes),
    },
  });
  if (settings.signingKeyAliasDerived && stack.guard.signingKey !== undefined) {
    Annotations.of(stack.guard).addInfo(
      `signing key alias ${settings.signingKeyAlias} is derived from the stack name (not the default ` +
        `${DEFAULT_STACK_NAME}), so it does not collide with another guard's alias in the account; ` +
        'choose another with -c signingKeyAlias=alias/NAME',
    );
  }
} catch (e) {
  // A bad context value or policy is the user's to fix: say what and where, without a stack trace.
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}

// cdk-nag v3: a policy-validation plugin; synth fails on any unacknowledged finding.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
