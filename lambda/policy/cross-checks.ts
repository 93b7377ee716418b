/**
 * Checks that span several fields: unique names, rules naming defined keys, exactly one source per key
 * (a cosign key source or a Notation signer), `hashAlgorithm` only on PEM keys, exactly one certificate
 * source per trust store, unique trust stores, and a store that can verify a signature. They read the
 * raw document defensively (it may also be failing the schema), so a file with both a typo and a
 * dangling key reference gets both reported at once.
 */
import { exemptionIssues } from './exemption-schema';
import type { PolicyIssue } from './issues';

const KEY_SOURCES = ['kms', 'publicKey', 'publicKeyFile', 'awsSigner', 'notation'] as const;

export function crossCheck(doc: unknown): PolicyIssue[] {
  if (!isRecord(doc)) return [];
  const issues: PolicyIssue[] = [];
  const keys = Array.isArray(doc.keys) ? doc.keys : [];
  const rules = Array.isArray(doc.rules) ? doc.rules : [];

  const keyNames = checkUniqueNames(keys, 'keys', 'key', issues);
  keys.forEach((key, i) => {
    if (!isRecord(key)) return;
    checkKeySource(key, `keys[${i}]`, issues);
    if (isRecord(key.notation)) checkTrustStores(key.notation, `keys[${i}].notation`, issues);
  });

  checkUniqueNames(rules, 'rules', 'rule', issues);
  const defined = [...keyNames];
  rules.forEach((rule, i) => {
    if (!isRecord(rule) || !Array.isArray(rule.keys)) return;
    const seen = new Set<string>();
    rule.keys.forEach((ref, j) => {
      if (typeof ref !== 'string') return;
      const path = `rules[${i}].keys[${j}]`;
      if (seen.has(ref)) issues.push({ path, message: `key "${ref}" is listed twice` });
      seen.add(ref);
      if (!keyNames.has(ref)) {
        const list = defined.length === 0 ? 'no keys are defined' : `defined keys: ${defined.join(', ')}`;
        issues.push({ path, message: `unknown key ${JSON.stringify(ref)} (${list})` });
      }
    });
  });
  issues.push(...exemptionIssues(doc));
  return issues;
}

function checkUniqueNames(items: unknown[], field: string, what: string, issues: PolicyIssue[]): Set<string> {
  const firstAt = new Map<string, number>();
  items.forEach((item, i) => {
    if (!isRecord(item) || typeof item.name !== 'string') return;
    const first = firstAt.get(item.name);
    if (first === undefined) firstAt.set(item.name, i);
    else {
      issues.push({
        path: `${field}[${i}].name`,
        message: `duplicate ${what} name ${JSON.stringify(item.name)} (first defined at ${field}[${first}])`,
      });
    }
  });
  return new Set(firstAt.keys());
}

function checkKeySource(key: Record<string, unknown>, path: string, issues: PolicyIssue[]): void {
  const present = KEY_SOURCES.filter((f) => key[f] !== undefined);
  if (present.length !== 1) {
    issues.push({
      path,
      message: `exactly one of ${KEY_SOURCES.join(', ')} is required (found ${present.length === 0 ? 'none' : present.join(', ')})`,
    });
  }
  if (key.hashAlgorithm !== undefined && (key.awsSigner !== undefined || key.notation !== undefined)) {
    issues.push({
      path: `${path}.hashAlgorithm`,
      message:
        'only PEM keys (publicKey, publicKeyFile) take hashAlgorithm; a Notation signature names its own algorithm',
    });
  } else if (key.hashAlgorithm !== undefined && key.kms !== undefined) {
    issues.push({
      path: `${path}.hashAlgorithm`,
      message:
        'only PEM keys (publicKey, publicKeyFile) take hashAlgorithm; a KMS key uses the hash its key spec fixes',
    });
  }
}

function checkTrustStores(notation: Record<string, unknown>, path: string, issues: PolicyIssue[]): void {
  const stores = Array.isArray(notation.trustStores) ? notation.trustStores : [];
  const seen = new Map<string, number>();
  stores.forEach((store, j) => {
    if (!isRecord(store)) return;
    const at = `${path}.trustStores[${j}]`;
    const sources = ['certificates', 'certificatesFile'].filter((f) => store[f] !== undefined);
    if (sources.length !== 1) {
      issues.push({
        path: at,
        message: `exactly one of certificates, certificatesFile is required (found ${sources.length === 0 ? 'none' : sources.join(', ')})`,
      });
    }
    const id = `${String(store.type)}:${String(store.name)}`;
    const first = seen.get(id);
    if (first !== undefined)
      issues.push({ path: at, message: `trust store ${id} is already trustStores[${first}]` });
    else seen.set(id, j);
  });
  const verifying = stores.some((s) => isRecord(s) && (s.type === 'ca' || s.type === 'signingAuthority'));
  if (stores.length > 0 && !verifying) {
    issues.push({
      path: `${path}.trustStores`,
      message:
        'must include a ca or signingAuthority store (a tsa store only verifies timestamps, never a signature)',
    });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
