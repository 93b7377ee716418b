import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';

/** An AWS KMS key as cosign names it: `awskms://[ENDPOINT]/<key id | key ARN | alias/NAME | alias ARN>`. */
export interface AwsKmsRef {
  /** What GetPublicKey takes as `KeyId`: the key id, key ARN, `alias/NAME` or alias ARN. */
  keyId: string;
  /** `host[:port]` of a custom KMS endpoint (e.g. a VPC endpoint or LocalStack), if given. */
  endpoint?: string;
  /** The region named by an ARN; otherwise the client's default region applies. */
  region?: string;
}

export const AWS_KMS_SCHEME = 'awskms://';

// Same forms as sigstore's awskms provider (pkg/signature/kms/aws/client.go), written out strictly.
const KEY_ID =
  '(?:mrk-[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})';
const ALIAS = 'alias/[A-Za-z0-9/_-]{1,250}';
const ARN_PREFIX = 'arn:(?:aws|aws-us-gov|aws-cn):kms:([a-z0-9-]+):[0-9]{12}:';
const KEY_ID_RE = new RegExp(`^${KEY_ID}$`);
const ALIAS_RE = new RegExp(`^${ALIAS}$`);
const ARN_RE = new RegExp(`^${ARN_PREFIX}(?:key/${KEY_ID}|${ALIAS})$`);
const ENDPOINT_RE = /^[A-Za-z0-9.-]+(?::[0-9]{1,5})?$/;

function invalid(ref: string, what: string): GuardError {
  return new GuardError(
    ReasonCode.KEY_UNAVAILABLE,
    `KMS key "${ref}": ${what}; expected awskms:///<key-id | key-arn | alias/name | alias-arn> ` +
      `or awskms://ENDPOINT/<...>`,
  );
}

/** Parses cosign's `awskms://` URI. Anything else is a KEY_UNAVAILABLE GuardError naming the problem. */
export function parseAwsKmsRef(ref: string): AwsKmsRef {
  if (typeof ref !== 'string' || !ref.startsWith(AWS_KMS_SCHEME)) {
    throw invalid(String(ref), `not an ${AWS_KMS_SCHEME} reference`);
  }
  const rest = ref.slice(AWS_KMS_SCHEME.length);
  const slash = rest.indexOf('/');
  if (slash < 0) throw invalid(ref, 'no "/" between the endpoint and the key');
  const endpoint = rest.slice(0, slash);
  const keyId = rest.slice(slash + 1);
  if (endpoint !== '' && !ENDPOINT_RE.test(endpoint))
    throw invalid(ref, `endpoint "${endpoint}" is not host[:port]`);
  if (keyId === '') throw invalid(ref, 'the key part is empty');

  const result: AwsKmsRef = { keyId };
  if (endpoint !== '') result.endpoint = endpoint;
  if (KEY_ID_RE.test(keyId) || ALIAS_RE.test(keyId)) return result;
  const arn = ARN_RE.exec(keyId);
  if (arn !== null) {
    result.region = arn[1];
    return result;
  }
  throw invalid(ref, `"${keyId}" is not a key id, key ARN, alias/NAME or alias ARN`);
}

/**
 * The policy's `kms:` field takes a bare key id, key ARN, `alias/NAME` or alias ARN (or a full
 * `awskms://` URI). Returns the cosign URI form, validated.
 */
export function kmsRefFromPolicy(value: string): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  const ref = trimmed.startsWith(AWS_KMS_SCHEME) ? trimmed : `${AWS_KMS_SCHEME}/${trimmed}`;
  parseAwsKmsRef(ref);
  return ref;
}
