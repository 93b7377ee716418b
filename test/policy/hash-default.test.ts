import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { defaultPolicy, DEFAULT_KEY_NAME, DEFAULT_RULE_NAME } from '../../lambda/policy/default-policy';
import { decideContainer, matchContainer } from '../../lambda/policy/evaluate';
import { canonicalJson } from '../../lambda/cosign/tlog/canonical-json';
import { policySha256 } from '../../lambda/policy/hash';
import { PolicyError } from '../../lambda/policy/issues';
import { parsePolicy } from '../../lambda/policy/load';
import { keySpecOf } from '../../lambda/policy/key-specs';
import { ReasonCode } from '../../lambda/reasons';
import { KEY_ARN, PUBKEY_PEM_PATH, indent } from './support';

describe('canonicalJson / policySha256', () => {
  it('sorts keys at every level, keeps array order, drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, e: null })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"e":null}',
    );
  });

  it('is the sha256 of the canonical JSON', () => {
    const p = parsePolicy(`keys: [{ name: k, kms: alias/k }]`, { source: 't' });
    expect(policySha256(p)).toBe(createHash('sha256').update(canonicalJson(p)).digest('hex'));
    expect(policySha256(p)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('uses the one RFC 8785 serialiser: a value JSON cannot represent is refused, never written as null', () => {
    const p = parsePolicy(`keys: [{ name: k, kms: alias/k }]`, { source: 't' });
    expect(() => policySha256({ ...p, extra: Number.NaN } as typeof p)).toThrow(/non-finite number/);
    expect(() => policySha256({ ...p, extra: [undefined] } as typeof p)).toThrow(/cannot represent/);
  });

  it('does not change with formatting, field order, comments, explicit defaults or JSON vs YAML', () => {
    const a = parsePolicy(`keys: [{ name: k, kms: alias/k }]\nrules: [{ name: r, keys: [k] }]`, {
      source: 'a',
    });
    const b = parsePolicy(
      `# comment\nmode: audit\nnoMatch: deny\nonError: alert\nversion: 1\nrules:\n  - keys: [k]\n    name: r\n    require: any\nkeys:\n  - kms: alias/k\n    name: k\n`,
      { source: 'b' },
    );
    const c = parsePolicy(
      JSON.stringify({ rules: [{ name: 'r', keys: ['k'] }], keys: [{ name: 'k', kms: 'alias/k' }] }),
      {
        source: 'c',
      },
    );
    expect(policySha256(b)).toBe(policySha256(a));
    expect(policySha256(c)).toBe(policySha256(a));
  });

  it('is the same for an inline PEM and the same PEM from a file', () => {
    const pem = fs.readFileSync(PUBKEY_PEM_PATH, 'utf8');
    const inline = parsePolicy(`keys:\n  - name: k\n    publicKey: |\n${indent(pem, 6)}\n`, { source: 'i' });
    const fromFile = parsePolicy(`keys: [{ name: k, publicKeyFile: key.pub }]`, {
      source: 'f',
      baseDir: '/x',
      readFile: () => pem,
    });
    expect(policySha256(fromFile)).toBe(policySha256(inline));
  });

  it('changes when anything that affects a decision changes', () => {
    const base = `keys: [{ name: k, kms: alias/k }]\nrules: [{ name: r, keys: [k] }]\n`;
    const h = (extra: string) => policySha256(parsePolicy(base + extra, { source: 't' }));
    const hashes = [
      h(''),
      h('mode: enforce'),
      h('noMatch: allow'),
      h('onError: stop'),
      h('transparencyLog: required'),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

describe('defaultPolicy', () => {
  it('audits every image against the one KMS key', () => {
    const p = defaultPolicy('alias/image-guard');
    expect(p).toEqual({
      version: 1,
      mode: 'audit',
      noMatch: 'deny',
      onError: 'alert',
      transparencyLog: 'verify-if-present',
      keys: [{ name: DEFAULT_KEY_NAME, kms: 'alias/image-guard' }],
      trustedImages: [],
      rules: [
        {
          name: DEFAULT_RULE_NAME,
          match: {},
          keys: [DEFAULT_KEY_NAME],
          require: 'any',
          mode: 'audit',
          transparencyLog: 'verify-if-present',
        },
      ],
      registries: { insecure: [] },
    });
    const m = matchContainer(p, {
      image: 'quay.io/any/thing:1',
      clusterArn: 'arn:aws:ecs:eu-west-1:111122223333:cluster/c',
      clusterName: 'c',
    });
    expect(m).toEqual({ kind: 'rules', rules: p.rules });
    expect(
      decideContainer(p, m, {
        verifiedKeys: [],
        reason: ReasonCode.NO_SIGNATURES,
        message: 'none',
        error: false,
      }),
    ).toMatchObject({ outcome: 'deny', mode: 'audit', rule: DEFAULT_RULE_NAME });
  });

  it('accepts a key ARN and rejects something that is not a KMS reference', () => {
    expect(defaultPolicy(KEY_ARN).keys).toEqual([{ name: DEFAULT_KEY_NAME, kms: KEY_ARN }]);
    expect(() => defaultPolicy('not a key')).toThrow(PolicyError);
    expect(() => defaultPolicy('not a key')).toThrow(/^default policy: keys\[0\]\.kms: must be a key ARN/);
  });
});

describe('keySpecOf', () => {
  it('maps KMS keys to their awskms:// URI (as the KMS loader takes them) and PEM keys with their hash', () => {
    const pem = fs.readFileSync(PUBKEY_PEM_PATH, 'utf8');
    const p = parsePolicy(
      `keys:\n  - { name: a, kms: alias/a }\n  - name: b\n    hashAlgorithm: sha512\n    publicKey: |\n${indent(pem, 6)}\n`,
      { source: 't' },
    );
    expect(p.keys.map(keySpecOf)).toEqual([
      { name: 'a', kind: 'kms', ref: 'awskms:///alias/a' },
      { name: 'b', kind: 'pem', pem: `${pem.trim()}\n`, source: 'policy key "b"', hashAlgorithm: 'sha512' },
    ]);
  });
});
