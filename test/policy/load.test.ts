import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GuardError } from '../../lambda/errors';
import { PolicyError } from '../../lambda/policy/issues';
import { MAX_POLICY_BYTES, loadPolicyFile, parsePolicy } from '../../lambda/policy/load';
import type { PemPolicyKey } from '../../lambda/policy/schema';
import { ReasonCode } from '../../lambda/reasons';
import { CERT_PEM_PATH, KEY_ARN, PUBKEY_PEM_PATH, REKOR_PUB_PATH, indent } from './support';

const PUBKEY = fs.readFileSync(PUBKEY_PEM_PATH, 'utf8');
const REKOR = fs.readFileSync(REKOR_PUB_PATH, 'utf8');

function parse(text: string) {
  return parsePolicy(text, { source: 'policy.yaml' });
}

function issuesOf(text: string, options: Partial<Parameters<typeof parsePolicy>[1]> = {}) {
  try {
    parsePolicy(text, { source: 'policy.yaml', ...options });
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return (e as PolicyError).issues;
  }
  throw new Error('expected the policy to be rejected');
}

const MINIMAL = `
keys:
  - name: ci
    kms: ${KEY_ARN}
rules:
  - name: all
    keys: [ci]
`;

describe('parsePolicy: accepted policies', () => {
  it('applies every default and resolves rule settings', () => {
    expect(parse(MINIMAL)).toEqual({
      version: 1,
      mode: 'audit',
      noMatch: 'deny',
      onError: 'alert',
      transparencyLog: 'verify-if-present',
      keys: [{ name: 'ci', kms: KEY_ARN }],
      trustedImages: [],
      rules: [
        {
          name: 'all',
          match: {},
          keys: ['ci'],
          require: 'any',
          mode: 'audit',
          transparencyLog: 'verify-if-present',
        },
      ],
      registries: { insecure: [] },
    });
  });

  it('lets a rule override mode and transparencyLog, and inherits the top-level values otherwise', () => {
    const policy = parse(`
mode: enforce
transparencyLog: required
keys: [{ name: ci, kms: alias/ci }]
rules:
  - { name: a, keys: [ci], mode: audit, transparencyLog: ignore }
  - { name: b, keys: [ci] }
`);
    expect(policy.rules.map((r) => [r.name, r.mode, r.transparencyLog])).toEqual([
      ['a', 'audit', 'ignore'],
      ['b', 'enforce', 'required'],
    ]);
  });

  it('reads JSON as well as YAML, with the same result', () => {
    const json = JSON.stringify({
      keys: [{ name: 'ci', kms: KEY_ARN }],
      rules: [{ name: 'all', keys: ['ci'] }],
    });
    expect(parse(json)).toEqual(parse(MINIMAL));
  });

  it.each([
    KEY_ARN,
    'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    'arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:us-east-1:111122223333:alias/image-signing',
    'alias/image-signing',
    'alias/team/ci_2026-key',
    '1234abcd-12ab-34cd-56ef-1234567890ab',
    'mrk-1234abcd12ab34cd56ef1234567890ab',
    'awskms:///alias/image-signing',
    `awskms:///${KEY_ARN}`,
    'awskms://localhost:4566/1234abcd-12ab-34cd-56ef-1234567890ab',
  ])('accepts the KMS reference %s', (kms) => {
    const policy = parse(`keys: [{ name: k, kms: "${kms}" }]`);
    expect(policy.keys).toEqual([{ name: 'k', kms }]);
  });

  it('accepts an inline PEM public key and an X.509 certificate, normalised, hash sha256 by default', () => {
    const cert = fs.readFileSync(CERT_PEM_PATH, 'utf8');
    const policy = parse(`
keys:
  - name: vendor
    publicKey: |
${indent(PUBKEY, 6)}
  - name: cert
    hashAlgorithm: sha512
    publicKey: |
${indent(cert, 6)}
`);
    expect(policy.keys).toEqual([
      { name: 'vendor', publicKey: `${PUBKEY.trim()}\n`, hashAlgorithm: 'sha256' },
      { name: 'cert', publicKey: `${cert.trim()}\n`, hashAlgorithm: 'sha512' },
    ]);
  });

  it('normalises CRLF PEM text to LF', () => {
    const crlf = PUBKEY.trim().replace(/\n/g, '\r\n');
    const policy = parse(JSON.stringify({ keys: [{ name: 'k', publicKey: crlf }] }));
    expect((policy.keys[0] as PemPolicyKey).publicKey).toBe(`${PUBKEY.trim()}\n`);
  });

  it('keeps trustedImages, rekorPublicKeys, registries (host names lower-cased) and version', () => {
    const policy = parse(`
version: 1
rekorPublicKeys:
  - |
${indent(REKOR, 4)}
trustedImages:
  - image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:*"
    reason: AWS log router
registries:
  insecure: ["LocalHost:5000", "127.0.0.1:5001", "[::1]:5002", "mirror.internal"]
`);
    expect(policy.rekorPublicKeys).toEqual([`${REKOR.trim()}\n`]);
    expect(policy.trustedImages).toEqual([
      { image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:*', reason: 'AWS log router' },
    ]);
    expect(policy.registries.insecure).toEqual([
      'localhost:5000',
      '127.0.0.1:5001',
      '[::1]:5002',
      'mirror.internal',
    ]);
    expect(policy.rules).toEqual([]);
  });

  it('keeps the alert window when set, and adds nothing when not (the policy hash stays)', () => {
    expect(parse('alerts: { windowMinutes: 15 }').alerts).toEqual({ windowMinutes: 15 });
    expect(parse('alerts: { windowMinutes: 0 }').alerts).toEqual({ windowMinutes: 0 });
    expect(parse('{}')).not.toHaveProperty('alerts');
    expect(parse('alerts: {}')).not.toHaveProperty('alerts');
    const policy = parse('alerts: { windowMinutes: 90 }');
    expect(parse(JSON.stringify(policy))).toEqual(policy);
  });

  it('rejects a bad alert window', () => {
    expect(issuesOf('alerts: { windowMinutes: -1 }')).toEqual([
      expect.objectContaining({
        path: 'alerts.windowMinutes',
        message: expect.stringMatching(/0 \(email every task\) or more/),
      }),
    ]);
    expect(issuesOf('alerts: { windowMinutes: 1.5 }')).toEqual([
      expect.objectContaining({
        path: 'alerts.windowMinutes',
        message: expect.stringMatching(/int/),
      }),
    ]);
    expect(issuesOf('alerts: { windowMinutes: 20000 }')).toEqual([
      expect.objectContaining({
        path: 'alerts.windowMinutes',
        message: expect.stringMatching(/at most 10080/),
      }),
    ]);
    expect(issuesOf('alerts: { window: 1h }')).toEqual([expect.objectContaining({ path: 'alerts.window' })]);
  });

  it('accepts an empty mapping (audit, deny everything not trusted) and a policy with only noMatch allow', () => {
    expect(parse('{}').rules).toEqual([]);
    expect(parse('noMatch: allow').noMatch).toBe('allow');
  });

  it('accepts a full match block', () => {
    const policy = parse(`
keys: [{ name: ci, kms: alias/ci }]
rules:
  - name: prod
    match:
      clusters: ["prod-*", "arn:aws:ecs:*:111122223333:cluster/prod-*"]
      images: ["*.dkr.ecr.*.amazonaws.com/**"]
      services: ["payments-*"]
      taskDefinitionFamilies: ["web-*"]
    keys: [ci]
    require: all
`);
    expect(policy.rules[0]?.match).toEqual({
      clusters: ['prod-*', 'arn:aws:ecs:*:111122223333:cluster/prod-*'],
      images: ['*.dkr.ecr.*.amazonaws.com/**'],
      services: ['payments-*'],
      taskDefinitionFamilies: ['web-*'],
    });
    expect(policy.rules[0]?.require).toBe('all');
  });

  it('returns a deeply frozen policy (matchers and the policy hash rely on it never changing)', () => {
    const policy = parse(MINIMAL);
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.rules[0]?.keys)).toBe(true);
    expect(() => {
      (policy.rules[0] as { mode: string }).mode = 'enforce';
    }).toThrow(TypeError);
    expect(() => policy.registries.insecure.push('evil:80')).toThrow(TypeError);
  });

  it('a compiled policy is itself a valid policy file that compiles to the same policy', () => {
    const policy = parse(`
mode: enforce
keys:
  - name: vendor
    publicKey: |
${indent(PUBKEY, 6)}
  - { name: ci, kms: alias/ci }
trustedImages: [{ image: "docker.io/library/busybox@sha256:*", reason: test }]
rules:
  - { name: r, keys: [ci, vendor], require: all, match: { images: ["**"] }, transparencyLog: required }
`);
    expect(parse(JSON.stringify(policy))).toEqual(policy);
  });
});

/** Each row: a policy text, and the exact issues expected (path, message). */
const REJECTIONS: [string, string, { path: string; message: string }[]][] = [
  [
    'an unknown key in a rule (the DESIGN example message)',
    `keys: [{ name: ci-2026, kms: alias/a }, { name: vendor, kms: alias/b }]
rules: [{ name: r, keys: [ci-2026, vendr] }]`,
    [{ path: 'rules[0].keys[1]', message: 'unknown key "vendr" (defined keys: ci-2026, vendor)' }],
  ],
  [
    'a rule key when no keys are defined',
    `rules: [{ name: r, keys: [ci] }]`,
    [{ path: 'rules[0].keys[0]', message: 'unknown key "ci" (no keys are defined)' }],
  ],
  [
    'a typo in a top-level field',
    `mdoe: enforce`,
    [
      {
        path: 'mdoe',
        message:
          'unknown field (allowed here: version, mode, noMatch, onError, transparencyLog, rekorPublicKeys, keys, trustedImages, rules, registries, alerts, awsInjectedContainers, exemptions, notationTrustPolicy, revocation, sweep)',
      },
    ],
  ],
  [
    'a typo in a rule field',
    `keys: [{ name: ci, kms: alias/a }]
rules: [{ name: r, keys: [ci], requrie: all }]`,
    [
      {
        path: 'rules[0].requrie',
        message: 'unknown field (allowed here: name, match, keys, require, mode, transparencyLog)',
      },
    ],
  ],
  [
    'a typo in a match field',
    `keys: [{ name: ci, kms: alias/a }]
rules: [{ name: r, keys: [ci], match: { image: ["**"] } }]`,
    [
      {
        path: 'rules[0].match.image',
        message: 'unknown field (allowed here: clusters, images, services, taskDefinitionFamilies)',
      },
    ],
  ],
  [
    'an unknown field in a key, trusted image and registries',
    `keys: [{ name: ci, kms: alias/a, region: x }]
trustedImages: [{ image: a, reason: b, until: c }]
registries: { secure: [] }`,
    [
      {
        path: 'keys[0].region',
        message:
          'unknown field (allowed here: name, kms, publicKey, publicKeyFile, hashAlgorithm, awsSigner, notation)',
      },
      { path: 'trustedImages[0].until', message: 'unknown field (allowed here: image, reason)' },
      { path: 'registries.secure', message: 'unknown field (allowed here: insecure)' },
    ],
  ],
  [
    'bad enum values',
    `mode: enforced
noMatch: warn
onError: retry
transparencyLog: optional`,
    [
      { path: 'mode', message: 'must be one of: enforce, audit (got "enforced")' },
      { path: 'noMatch', message: 'must be one of: deny, allow (got "warn")' },
      { path: 'onError', message: 'must be one of: alert, stop (got "retry")' },
      {
        path: 'transparencyLog',
        message: 'must be one of: ignore, verify-if-present, required (got "optional")',
      },
    ],
  ],
  ['an unsupported version', `version: 2`, [{ path: 'version', message: 'must be one of: 1 (got 2)' }]],
  [
    'wrong types',
    `keys: { name: ci }
rules: [{ name: 7, keys: ci }]
trustedImages: [ "nginx" ]`,
    [
      { path: 'keys', message: 'expected array, got a mapping' },
      { path: 'trustedImages[0]', message: 'expected object, got "nginx"' },
      { path: 'rules[0].name', message: 'expected string, got 7' },
      { path: 'rules[0].keys', message: 'expected array, got "ci"' },
    ],
  ],
  [
    'missing required fields',
    `keys: [{ kms: alias/a }]
rules: [{ name: r }]
trustedImages: [{ image: "x" }]`,
    [
      { path: 'keys[0].name', message: 'is required' },
      { path: 'trustedImages[0].reason', message: 'is required' },
      { path: 'rules[0].keys', message: 'is required' },
    ],
  ],
  [
    'duplicate key and rule names',
    `keys: [{ name: ci, kms: alias/a }, { name: ci, kms: alias/b }]
rules: [{ name: r, keys: [ci] }, { name: r, keys: [ci, ci] }]`,
    [
      { path: 'keys[1].name', message: 'duplicate key name "ci" (first defined at keys[0])' },
      { path: 'rules[1].name', message: 'duplicate rule name "r" (first defined at rules[0])' },
      { path: 'rules[1].keys[1]', message: 'key "ci" is listed twice' },
    ],
  ],
  [
    'a key with no source, and one with two',
    `keys: [{ name: a }, { name: b, kms: alias/b, publicKeyFile: b.pub }]`,
    [
      {
        path: 'keys[0]',
        message: 'exactly one of kms, publicKey, publicKeyFile, awsSigner, notation is required (found none)',
      },
      {
        path: 'keys[1]',
        message:
          'exactly one of kms, publicKey, publicKeyFile, awsSigner, notation is required (found kms, publicKeyFile)',
      },
    ],
  ],
  [
    'hashAlgorithm on a KMS key, and an unknown algorithm',
    `keys: [{ name: a, kms: alias/a, hashAlgorithm: sha384 }, { name: b, publicKeyFile: b.pub, hashAlgorithm: md5 }]`,
    [
      { path: 'keys[1].hashAlgorithm', message: 'must be one of: sha256, sha384, sha512 (got "md5")' },
      {
        path: 'keys[0].hashAlgorithm',
        message:
          'only PEM keys (publicKey, publicKeyFile) take hashAlgorithm; a KMS key uses the hash its key spec fixes',
      },
    ],
  ],
  ...[
    'arn:aws:kms:eu-west-1:111122223333:key/not-a-key-id',
    'arn:aws:kms:eu-west-1:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:s3:::bucket',
    'alias/',
    'alias/has space',
    'gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k',
    'awskms://',
    'awskms:///',
    'key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'mrk-123',
  ].map((kms): [string, string, { path: string; message: string }[]] => [
    `the KMS reference ${kms}`,
    JSON.stringify({ keys: [{ name: 'k', kms }] }),
    [
      {
        path: 'keys[0].kms',
        message:
          'must be a key ARN, an alias ARN, "alias/NAME", a key id (UUID or mrk-…), or "awskms:///" followed by one of these',
      },
    ],
  ]),
  [
    'a publicKey that is a path, not PEM',
    `keys: [{ name: k, publicKey: ./cosign.pub }]`,
    [{ path: 'keys[0].publicKey', message: 'is not PEM: expected a "-----BEGIN PUBLIC KEY-----" block' }],
  ],
  [
    'a private key pasted as publicKey',
    JSON.stringify({
      keys: [
        {
          name: 'k',
          publicKey: '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG\n-----END PRIVATE KEY-----\n',
        },
      ],
    }),
    [
      {
        path: 'keys[0].publicKey',
        message: 'is a PRIVATE key; give the public key (for cosign: cosign.pub, or `cosign public-key`)',
      },
    ],
  ],
  [
    'a truncated PEM',
    JSON.stringify({
      keys: [{ name: 'k', publicKey: '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYI\n' }],
    }),
    [{ path: 'keys[0].publicKey', message: 'is not complete PEM: no matching "-----END …-----" line' }],
  ],
  [
    'a certificate as a Rekor key',
    JSON.stringify({ rekorPublicKeys: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'] }),
    [{ path: 'rekorPublicKeys[0]', message: 'has a "CERTIFICATE" block; expected one of: PUBLIC KEY' }],
  ],
  [
    'an empty rekorPublicKeys list',
    `rekorPublicKeys: []`,
    [
      {
        path: 'rekorPublicKeys',
        message: 'must list at least one key (omit the field to use the shipped public-good Rekor key)',
      },
    ],
  ],
  [
    'bad names',
    `keys: [{ name: "-ci", kms: alias/a }, { name: "has space", kms: alias/b }]`,
    [
      {
        path: 'keys[0].name',
        message: 'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
      },
      {
        path: 'keys[1].name',
        message: 'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
      },
    ],
  ],
  [
    'empty pattern lists and a rule without keys',
    `rules: [{ name: r, keys: [], match: { clusters: [], images: [], services: [], taskDefinitionFamilies: [] } }]`,
    [
      {
        path: 'rules[0].match.clusters',
        message: 'must list at least one cluster pattern (omit the field to match every cluster)',
      },
      {
        path: 'rules[0].match.images',
        message: 'must list at least one image pattern (omit the field to match every image)',
      },
      {
        path: 'rules[0].match.services',
        message: 'must list at least one service pattern (omit the field to match every service)',
      },
      {
        path: 'rules[0].match.taskDefinitionFamilies',
        message:
          'must list at least one task definition family pattern (omit the field to match every task definition family)',
      },
      { path: 'rules[0].keys', message: 'must name at least one key' },
    ],
  ],
  [
    'invalid globs',
    `keys: [{ name: ci, kms: alias/a }]
rules: [{ name: r, keys: [ci], match: { images: ["", "a/***", "a b", "repo:{1,2}", "x[0-9]"] } }]`,
    [
      { path: 'rules[0].match.images[0]', message: 'invalid pattern: pattern is empty' },
      {
        path: 'rules[0].match.images[1]',
        message: 'invalid pattern: "***" is not a valid wildcard (use "*" or "**")',
      },
      { path: 'rules[0].match.images[2]', message: 'invalid pattern: pattern contains whitespace' },
      {
        path: 'rules[0].match.images[3]',
        message:
          'invalid pattern: character classes and braces ("[", "]", "{", "}") are not supported; list alternatives as separate patterns',
      },
      {
        path: 'rules[0].match.images[4]',
        message:
          'invalid pattern: character classes and braces ("[", "]", "{", "}") are not supported; list alternatives as separate patterns',
      },
    ],
  ],
  [
    'a trusted image that matches everything, and one without a reason',
    `trustedImages: [{ image: "**", reason: all }, { image: "x", reason: "  " }]`,
    [
      {
        path: 'trustedImages[0].image',
        message:
          'a trusted image pattern that matches every image would switch verification off; use noMatch or audit mode instead',
      },
      { path: 'trustedImages[1].reason', message: 'must say why this image is trusted' },
    ],
  ],
  [
    'bad insecure registries',
    `registries: { insecure: ["http://localhost:5000", "host/path", "host:port"] }`,
    [
      { path: 'registries.insecure[0]', message: 'must be host or host:port (no scheme, no path)' },
      { path: 'registries.insecure[1]', message: 'must be host or host:port (no scheme, no path)' },
      { path: 'registries.insecure[2]', message: 'must be host or host:port (no scheme, no path)' },
    ],
  ],
];

describe('parsePolicy: rejected policies (every issue, with its path)', () => {
  it.each(REJECTIONS)('rejects %s', (_what, text, expected) => {
    expect(issuesOf(text)).toEqual(expected);
  });

  it('reports schema problems and cross-field problems in one pass, one line each, no stack trace', () => {
    const text = `mode: enforced
keys: [{ name: ci-2026, kms: alias/a }, { name: vendor, kms: alias/b }]
rules: [{ name: r, keys: [ci-2026, vendr] }]`;
    let error: unknown;
    try {
      parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect(error).toBeInstanceOf(GuardError);
    const policyError = error as PolicyError;
    expect(policyError.code).toBe(ReasonCode.POLICY_INVALID);
    expect(policyError.retryable).toBe(false);
    expect(policyError.message).toBe(
      [
        'policy.yaml: mode: must be one of: enforce, audit (got "enforced")',
        'policy.yaml: rules[0].keys[1]: unknown key "vendr" (defined keys: ci-2026, vendor)',
      ].join('\n'),
    );
    expect(policyError.message).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it.each([
    ['a duplicate top-level key', 'mode: audit\nmode: enforce\n', 'line 2, column 1: duplicate key "mode"'],
    [
      'a duplicate key in a rule',
      'rules:\n  - name: a\n    keys: [x]\n    name: b\n',
      'line 4, column 5: duplicate key "name"',
    ],
    [
      'a duplicate key in JSON',
      '{"mode": "audit", "mode": "enforce"}',
      'line 1, column 19: duplicate key "mode"',
    ],
    [
      'two YAML documents',
      'mode: audit\n---\nmode: enforce\n',
      /^line 2, column 1: Source contains multiple documents/,
    ],
    ['broken YAML', 'rules: [a, b\n', /^line \d+, column \d+: /],
    ['broken JSON', '{"mode": "audit",', /^line \d+, column \d+: /],
    ['an unknown tag', 'mode: !secret audit\n', /^line 1, column 7: Unresolved tag: !secret/],
  ])('rejects %s', (_what, text, expected) => {
    const issues = issuesOf(text);
    expect(issues.length).toBeGreaterThanOrEqual(1);
    expect(issues[0]?.path).toBe('');
    if (typeof expected === 'string') expect(issues[0]?.message).toBe(expected);
    else expect(issues[0]?.message).toMatch(expected);
  });

  it.each([
    ['an empty file', '', 'the policy is empty; expected a mapping with keys, rules, …'],
    ['a comment-only file', '# nothing\n', 'the policy is empty; expected a mapping with keys, rules, …'],
    ['a list', '- a\n- b\n', 'expected a mapping at the top level, got a list'],
    ['a scalar', 'enforce', 'expected a mapping at the top level, got "enforce"'],
  ])('rejects %s', (_what, text, message) => {
    expect(issuesOf(text)).toEqual([{ path: '', message }]);
  });

  it('rejects a policy over the size cap before parsing it', () => {
    const text = `# ${'x'.repeat(MAX_POLICY_BYTES)}\n{}`;
    expect(issuesOf(text)).toEqual([
      { path: '', message: `policy is ${Buffer.byteLength(text)} bytes; the limit is ${MAX_POLICY_BYTES}` },
    ]);
  });

  it('rejects a YAML alias bomb instead of expanding it', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const issues = issuesOf(lines.join('\n'));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/^cannot read the YAML: .*alias/i);
  });

  it('treats __proto__ as an unknown field, not a prototype', () => {
    const issues = issuesOf('__proto__: { mode: enforce }\n');
    expect(issues.map((i) => i.path)).toEqual(['__proto__']);
    expect(issues[0]?.message).toMatch(/^unknown field/);
  });
});

describe('publicKeyFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is read relative to baseDir and inlined as publicKey with its hash algorithm', () => {
    fs.mkdirSync(path.join(dir, 'keys'));
    fs.copyFileSync(PUBKEY_PEM_PATH, path.join(dir, 'keys', 'vendor.pub'));
    const policy = parsePolicy(
      `keys: [{ name: vendor, publicKeyFile: keys/vendor.pub, hashAlgorithm: sha384 }]`,
      { source: 'p.yaml', baseDir: dir },
    );
    expect(policy.keys).toEqual([
      { name: 'vendor', publicKey: `${PUBKEY.trim()}\n`, hashAlgorithm: 'sha384' },
    ]);
    expect(JSON.stringify(policy)).not.toContain('publicKeyFile');
  });

  it('is resolved by loadPolicyFile relative to the policy file, and equals the inline form', () => {
    const policyDir = path.join(dir, 'conf');
    fs.mkdirSync(policyDir);
    const generated = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    fs.writeFileSync(path.join(policyDir, 'cosign.pub'), generated);
    fs.writeFileSync(path.join(policyDir, 'policy.yaml'), `keys: [{ name: k, publicKeyFile: cosign.pub }]\n`);
    const fromFile = loadPolicyFile(path.join(policyDir, 'policy.yaml'));
    const inline = parse(`keys:\n  - name: k\n    publicKey: |\n${indent(String(generated), 6)}\n`);
    expect(fromFile).toEqual(inline);
  });

  it('uses the injected reader with the resolved absolute path', () => {
    const seen: string[] = [];
    const policy = parsePolicy(`keys: [{ name: k, publicKeyFile: ../k.pub }]`, {
      source: 'p.yaml',
      baseDir: '/etc/guard/conf',
      readFile: (p) => {
        seen.push(p);
        return PUBKEY;
      },
    });
    expect(seen).toEqual(['/etc/guard/k.pub']);
    expect((policy.keys[0] as PemPolicyKey).publicKey).toBe(`${PUBKEY.trim()}\n`);
  });

  it('reports a missing file, a non-PEM file and a private key file, each at its key', () => {
    fs.writeFileSync(path.join(dir, 'notpem.pub'), 'hello\n');
    const privatePem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    fs.writeFileSync(path.join(dir, 'cosign.key'), privatePem);
    const issues = issuesOf(
      `keys:
  - { name: a, publicKeyFile: missing.pub }
  - { name: b, publicKeyFile: notpem.pub }
  - { name: c, publicKeyFile: cosign.key }`,
      { baseDir: dir },
    );
    expect(issues).toEqual([
      {
        path: 'keys[0].publicKeyFile',
        message: `cannot read ${JSON.stringify(path.join(dir, 'missing.pub'))} (ENOENT)`,
      },
      {
        path: 'keys[1].publicKeyFile',
        message: `${JSON.stringify(path.join(dir, 'notpem.pub'))} is not PEM: expected a "-----BEGIN PUBLIC KEY-----" block`,
      },
      {
        path: 'keys[2].publicKeyFile',
        message: `${JSON.stringify(path.join(dir, 'cosign.key'))} is a PRIVATE key; give the public key (for cosign: cosign.pub, or \`cosign public-key\`)`,
      },
    ]);
  });

  it('refuses a key file that is a directory or too large', () => {
    fs.mkdirSync(path.join(dir, 'adir'));
    fs.writeFileSync(path.join(dir, 'huge.pub'), 'x'.repeat(2 * 1024 * 1024));
    const issues = issuesOf(
      `keys: [{ name: a, publicKeyFile: adir }, { name: b, publicKeyFile: huge.pub }]`,
      {
        baseDir: dir,
      },
    );
    expect(issues.map((i) => i.path)).toEqual(['keys[0].publicKeyFile', 'keys[1].publicKeyFile']);
    expect(issues[0]?.message).toContain('not a regular file');
    expect(issues[1]?.message).toContain('the limit is');
  });
});

describe('loadPolicyFile', () => {
  it('names the file in messages and fails cleanly when it cannot be read', () => {
    const missing = path.join(os.tmpdir(), 'no-such-dir-for-policy', 'policy.yaml');
    expect(() => loadPolicyFile(missing)).toThrow(
      new PolicyError(missing, [{ path: '', message: 'cannot read the policy file (ENOENT)' }]),
    );
    try {
      loadPolicyFile(missing);
    } catch (e) {
      expect((e as PolicyError).message).toBe(`${missing}: cannot read the policy file (ENOENT)`);
    }
  });

  it('reports problems prefixed with the path as given', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-'));
    try {
      const file = path.join(dir, 'policy.yaml');
      fs.writeFileSync(file, 'mode: strict\n');
      expect(() => loadPolicyFile(file)).toThrow(
        `${file}: mode: must be one of: enforce, audit (got "strict")`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
