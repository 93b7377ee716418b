/**
 * The CLI's help texts. Each option is listed with its default; `image-guard --help` stays short
 * and each command has its own page (`image-guard verify --help`).
 */
export const USAGE = `Usage:
  image-guard verify IMAGE... --key KEY [options]    Is every IMAGE signed by one of the keys (or
                                                     AWS Signer profiles, Notation trust stores)?
  image-guard check --policy FILE --event FILE [options]
                                                     What would the Lambda decide for this event?
  image-guard check --policy FILE --hook-payload FILE --service-revision FILE [options]
                                                     What would the deployment hook answer?
  image-guard COMMAND --help                         The command's options and their defaults.
  image-guard --version                              The version.

Exit status: 0 yes (verified / may run), 1 no (not verified / would be stopped), 2 could not decide
(registry, key or input problem; the output says COULD NOT DECIDE and names the fix).
`;

const COMMON_OPTIONS = `  --insecure-registry HOST[:PORT]  Speak plain HTTP to this registry (repeatable). Default: HTTPS only.
  --ca-file PEM                    Trust this CA certificate for registry TLS, besides the system CAs.
                                   Default: system CAs only.
  --timeout SECONDS                Give up (exit 2) after this long, 0 < SECONDS <= 3600. Default: 60.
  --json                           Print exactly one JSON document on stdout (also on errors, with an
                                   "error" member). Default: human-readable text.
  -h, --help                       This help.`;

const CREDENTIALS = `Registry credentials come from the Docker config (~/.docker/config.json, $DOCKER_CONFIG) and,
for Amazon ECR, from the AWS credentials in the environment. KMS keys need AWS credentials and a
region (AWS_REGION, or the key's ARN).`;

export const VERIFY_HELP = `Usage: image-guard verify IMAGE... --key KEY [--key KEY]... [options]
       image-guard verify IMAGE... --aws-signer-profile ARN [options]
       image-guard verify IMAGE... --notation-trust-store TYPE:FILE --notation-identity SUBJECT [options]

Is every IMAGE signed (cosign \`sign\`: legacy .sig tag or Sigstore bundle; Notation: JWS or COSE,
AWS Signer included) by one of the keys or signers? The flags can be combined: a signature by any
one of them counts. IMAGE is a reference (registry/repo:tag or registry/repo@sha256:...); a tag is
resolved once.

Options:
  --key KEY                        A trusted cosign key (repeatable; at least one --key or Notation
                                   signer): a PEM public key or X.509 certificate file, or
                                   awskms:///<key-id|key-arn|alias/name>.
  --hash sha256|sha384|sha512      Hash the signer used with a PEM key. Default: sha256 (cosign's
                                   default; KMS keys take it from the key spec).
  --tlog ignore|verify-if-present|required
                                   Transparency-log (Rekor) evidence. Default: verify-if-present.
  --rekor-key PEM                  Trust this Rekor public key (repeatable). Default: the Sigstore
                                   public-good Rekor keys.
  --aws-signer-profile ARN         Trust AWS Signer (Notation) signatures by this signing profile,
                                   arn:aws:signer:REGION:ACCOUNT:/signing-profiles/NAME (any version),
                                   or one profile version, .../NAME/VERSION (repeatable). The AWS
                                   Signer root certificates are built in. Revocation is checked with
                                   signer:GetRevocationStatus (AWS credentials: the default chain); no
                                   credentials, or an API error, is COULD NOT DECIDE, never a pass.
                                   Default: none.
  --notation-trust-store TYPE:FILE Trust Notation signatures chaining to the certificates in FILE
                                   (PEM or DER, one or more); TYPE is ca (notary.x509 signatures),
                                   signingAuthority (notary.x509.signingAuthority) or tsa (RFC 3161
                                   timestamp roots) (repeatable). Needs --notation-identity.
                                   Default: none.
  --notation-identity SUBJECT      The signing certificate's subject must contain this DN, e.g.
                                   "C=US, ST=WA, O=acme" (C, ST and O required) (repeatable); '*'
                                   accepts any signer the trust stores trust. Default: none (an
                                   error: say '*' explicitly). Revocation of these X.509 chains
                                   (OCSP/CRL) is not checked.
${COMMON_OPTIONS}

At least one --key, --aws-signer-profile or --notation-trust-store is required.

Exit status: 0 every IMAGE verified, 1 at least one has no valid signature, 2 could not decide.

${CREDENTIALS}
`;

export const CHECK_HELP = `Usage: image-guard check --policy FILE --event FILE [options]
       image-guard check --policy FILE --hook-payload FILE --service-revision FILE [options]

What would the Lambda decide for this saved "ECS Task State Change" event under this policy?
The same code as the Lambda, as a dry run: nothing is stopped, published or recorded. With --json,
prints the decision record the Lambda would log, marked "dryRun": true.

Options:
  --policy FILE                    The policy (YAML or JSON). Required.
  --event FILE                     The EventBridge event (JSON). Required, unless --hook-payload.
  --hook-payload FILE              An ECS deployment lifecycle hook payload (JSON) instead of an event:
                                   prints what the deployment hook would answer (SUCCEEDED, FAILED,
                                   IN_PROGRESS). Needs --service-revision.
  --service-revision FILE          The revision the payload names, as aws ecs describe-service-revisions
                                   prints it (JSON; no AWS access is needed).
  --key-file NAME=FILE             Use the PEM public key in FILE for the policy's key NAME (e.g. a KMS
                                   key), so a policy can be tested without AWS (repeatable).
                                   Default: the policy's own keys.
${COMMON_OPTIONS}
  The policy's registries.insecure are added to --insecure-registry.

Exit status: 0 the task may run, 1 the Lambda would stop it, 2 could not decide.
With --hook-payload: 0 SUCCEEDED (the rollout goes ahead), 1 FAILED (it would be rolled back),
2 could not decide (the hook would answer IN_PROGRESS, or an input is unreadable).

${CREDENTIALS}
`;

/** The help text for a command, or the overview. */
export function helpFor(topic: 'verify' | 'check' | undefined): string {
  if (topic === 'verify') return VERIFY_HELP;
  if (topic === 'check') return CHECK_HELP;
  return USAGE;
}
