/**
 * AWS KMS key references as a policy (or cosign) names them. Only the shape is checked here; whether
 * the key exists and is an asymmetric signing key is found out when its public key is fetched.
 */

export type KmsKeyRef =
  | { kind: 'key-arn'; value: string; region: string; account: string; keyId: string }
  | { kind: 'alias-arn'; value: string; region: string; account: string; alias: string }
  | { kind: 'alias'; value: string; alias: string }
  | { kind: 'key-id'; value: string; keyId: string };

/** A parsed reference plus the `awskms://ENDPOINT/` endpoint when the value used cosign's URI form. */
export type ParsedKmsRef = KmsKeyRef & { endpoint?: string };

const KEY_ID = '(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})';
const ALIAS = 'alias/[A-Za-z0-9/_-]{1,250}';
const ARN_PREFIX = 'arn:(aws[a-z-]*):kms:([a-z0-9-]{1,32}):(\\d{12})';

const KEY_ARN_RE = new RegExp(`^${ARN_PREFIX}:key/(${KEY_ID})$`);
const ALIAS_ARN_RE = new RegExp(`^${ARN_PREFIX}:(${ALIAS})$`);
const ALIAS_RE = new RegExp(`^${ALIAS}$`);
const KEY_ID_RE = new RegExp(`^${KEY_ID}$`);
/** cosign: `awskms://[ENDPOINT]/[ID/ALIAS/ARN]`; the endpoint is host[:port] or empty. */
const URI_RE = /^awskms:\/\/([A-Za-z0-9.-]*(?::\d{1,5})?)\/(.+)$/;

export const KMS_REF_FORMS =
  'a key ARN, an alias ARN, "alias/NAME", a key id (UUID or mrk-…), or "awskms:///" followed by one of these';

/** Parses a KMS key reference; undefined when it has none of the accepted shapes. */
export function parseKmsKeyRef(value: string): ParsedKmsRef | undefined {
  const uri = URI_RE.exec(value);
  if (uri) {
    const inner = parseBare(uri[2] as string);
    if (inner === undefined) return undefined;
    const endpoint = uri[1] as string;
    return endpoint === '' ? inner : { ...inner, endpoint };
  }
  return parseBare(value);
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
