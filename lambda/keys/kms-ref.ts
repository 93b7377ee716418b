/**
 * AWS KMS key references: the policy's `kms:` field and cosign's `awskms://` URI. One parser serves
 * the policy schema (shape check at synth), the CDK grants (which key or alias) and the key loader,
 * so what a policy accepts is exactly what the Lambda can load. Whether the key exists and is an
 * asymmetric signing key is found out when its public key is fetched.
 */
import { GuardError } from '../errors';
import { ReasonCode } from '../reasons';

export type KmsKeyRef =
  | { kind: 'key-arn'; value: string; region: string; account: string; keyId: string }
  | { kind: 'alias-arn'; value: string; region: string; account: string; alias: string }
  | { kind: 'alias'; value: string; alias: string }
  | { kind: 'key-id'; value: string; keyId: string };

/** A parsed reference plus the `awskms://ENDPOINT/` endpoint when the value used cosign's URI form. */
export type ParsedKmsRef = KmsKeyRef & { endpoint?: string };

/** An AWS KMS key as the loader calls it. */
export interface AwsKmsRef {
  /** What GetPublicKey takes as `KeyId`: the key id, key ARN, `alias/NAME` or alias ARN. */
  keyId: string;
  /** `host[:port]` of a custom KMS endpoint (e.g. a VPC endpoint or LocalStack), if given. */
  endpoint?: string;
  /** The region named by an ARN; otherwise the client's default region applies. */
  region?: string;
}

export const AWS_KMS_SCHEME = 'awskms://';

export const KMS_REF_FORMS =
  'a key ARN, an alias ARN, "alias/NAME", a key id (UUID or mrk-…), or "awskms:///" followed by one of these';

// The forms of sigstore's awskms provider (pkg/signature/kms/aws/client.go), written out strictly.
const KEY_ID = '(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})';
const ALIAS = 'alias/[A-Za-z0-9/_-]{1,250}';
const ARN_PREFIX = 'arn:(aws[a-z-]*):kms:([a-z0-9-]{1,32}):(\\d{12})';
const KEY_ARN_RE = new RegExp(`^${ARN_PREFIX}:key/(${KEY_ID})$`);
const ALIAS_ARN_RE = new RegExp(`^${ARN_PREFIX}:(${ALIAS})$`);
const ALIAS_RE = new RegExp(`^${ALIAS}$`);
const KEY_ID_RE = new RegExp(`^${KEY_ID}$`);
/** cosign: `awskms://[ENDPOINT]/[ID/ALIAS/ARN]`; the endpoint is host[:port] or empty. */
const URI_RE = /^awskms:\/\/([^/]*)\/(.*)$/s;
const ENDPOINT_RE = /^[A-Za-z0-9.-]+(?::\d{1,5})?$/;

/** Parses a KMS key reference; undefined when it has none of the accepted shapes. */
export function parseKmsKeyRef(value: string): ParsedKmsRef | undefined {
  const uri = URI_RE.exec(value);
  if (!uri) return parseBare(value);
  const endpoint = uri[1] as string;
  if (endpoint !== '' && !ENDPOINT_RE.test(endpoint)) return undefined;
  const inner = parseBare(uri[2] as string);
  if (inner === undefined) return undefined;
  return endpoint === '' ? inner : { ...inner, endpoint };
}

function parseBare(value: string): KmsKeyRef | undefined {
  let m = KEY_ARN_RE.exec(value);
  if (m)
    return { kind: 'key-arn', value, region: m[2] as string, account: m[3] as string, keyId: m[4] as string };
  m = ALIAS_ARN_RE.exec(value);
  if (m)
    return {
      kind: 'alias-arn',
      value,
      region: m[2] as string,
      account: m[3] as string,
      alias: m[4] as string,
    };
  if (ALIAS_RE.test(value)) return { kind: 'alias', value, alias: value };
  if (KEY_ID_RE.test(value)) return { kind: 'key-id', value, keyId: value };
  return undefined;
}

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
  const uri = URI_RE.exec(ref);
  if (!uri) throw invalid(ref, 'no "/" between the endpoint and the key');
  const [, endpoint = '', keyId = ''] = uri;
  if (endpoint !== '' && !ENDPOINT_RE.test(endpoint))
    throw invalid(ref, `endpoint "${endpoint}" is not host[:port]`);
  if (keyId === '') throw invalid(ref, 'the key part is empty');
  const parsed = parseKmsKeyRef(ref);
  if (!parsed) throw invalid(ref, `"${keyId}" is not a key id, key ARN, alias/NAME or alias ARN`);
  const result: AwsKmsRef = { keyId: parsed.value };
  if (parsed.endpoint !== undefined) result.endpoint = parsed.endpoint;
  if (parsed.kind === 'key-arn' || parsed.kind === 'alias-arn') result.region = parsed.region;
  return result;
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
