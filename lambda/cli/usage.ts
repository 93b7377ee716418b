export const USAGE = `Usage:
  image-guard verify IMAGE... --key KEY [--key KEY]... [--hash sha256|sha384|sha512]
                     [--tlog ignore|verify-if-present|required] [--rekor-key PEM]...
                     [--insecure-registry HOST[:PORT]]... [--ca-file PEM] [--timeout SECONDS] [--json]
  image-guard check  --policy FILE --event FILE [--insecure-registry HOST[:PORT]]... [--ca-file PEM]
                     [--timeout SECONDS] [--json]

verify   Is every IMAGE signed (cosign, legacy .sig or Sigstore bundle) by one of the keys?
         KEY: a PEM public key or X.509 certificate file, or awskms:///<key-id|key-arn|alias/name>.
         Exit: 0 all verified, 1 at least one image has no valid signature, 2 could not decide.
check    What would the Lambda decide for this saved ECS task state change event under this policy?
         Exit: 0 the task may run, 1 the Lambda would stop it, 2 could not decide.

Registry credentials come from the Docker config (~/.docker/config.json, $DOCKER_CONFIG) and,
for Amazon ECR, from the AWS credentials in the environment.
`;
