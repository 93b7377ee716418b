/**
 * `notationTrustPolicy`: a real Notation trustpolicy.json and trust-store folder mapped onto Notation
 * signers and rules at load; notation-go's validation rules with field paths into the JSON; what cannot
 * be mapped is an error that says so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { matchContainer } from '../../lambda/policy/evaluate';
import { policySha256 } from '../../lambda/policy/hash';
import { PolicyError } from '../../lambda/policy/issues';
import { parsePolicy } from '../../lambda/policy/load';
import type { NotationPolicyKey, Policy } from '../../lambda/policy/schema';
import { REPO_ROOT } from './support';

const CERTS = path.join(REPO_ROOT, 'test/fixtures/notation-policy');
const REAL = path.join(REPO_ROOT, 'test/fixtures/notation-real/aws-signer-real-metadata');
const ROOT = fs.readFileSync(path.join(CERTS, 'root-ca.pem'), 'utf8');
const ECR = '111122223333.dkr.ecr.us-east-1.amazonaws.com';

interface Layout {
  trustPolicy: unknown;
  /** `type/name/file` → contents (a Buffer for DER). */
  stores?: Record<string, string | Buffer>;
  policy?: string;
}

function setUp(layout: Layout): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notation-tp-'));
  fs.writeFileSync(
    path.join(dir, 'trustpolicy.json'),
    typeof layout.trustPolicy === 'string' ? layout.trustPolicy : JSON.stringify(layout.trustPolicy),
  );
  for (const [where, content] of Object.entries(layout.stores ?? {})) {
    const file = path.join(dir, 'truststore', 'x509', where);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  fs.writeFileSync(
    path.join(dir, 'policy.yaml'),
    layout.policy ?? 'notationTrustPolicy: { file: trustpolicy.json, trustStoreDir: truststore }\n',
  );
  return dir;
}

const load = (dir: string): Policy =>
  parsePolicy(fs.readFileSync(path.join(dir, 'policy.yaml'), 'utf8'), {
    source: 'policy.yaml',
    baseDir: dir,
  });

function issuesOf(dir: string) {
  try {
    load(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return (e as PolicyError).issues.map((i) => ({ path: i.path, message: i.message.replace(dir, '<dir>') }));
  }
  throw new Error('expected the policy to be rejected');
}

const statement = (over: Record<string, unknown> = {}) => ({
  name: 'app',
  registryScopes: [`${ECR}/app`],
  signatureVerification: { level: 'strict' },
  trustStores: ['ca:acme'],
  trustedIdentities: ['x509.subject: C=US, ST=WA, O=acme'],
  ...over,
});
const tp = (...statements: unknown[]) => ({ version: '1.0', trustPolicies: statements });
const STORES = { 'ca/acme/root.pem': ROOT };
const target = (image: string) => ({
  image,
  clusterName: 'prod',
  clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/prod',
});

describe('a trust policy mapped onto signers and rules', () => {
  it('maps each statement to a signer and a rule notation-<name>: scopes as exact repositories, strict → enforce, audit → audit', () => {
    const dir = setUp({
      trustPolicy: tp(
        statement(),
        statement({
          name: 'tools',
          registryScopes: [`${ECR}/tools/lint`, 'ghcr.io/acme/cli'],
          signatureVerification: { level: 'audit', verifyTimestamp: 'afterCertExpiry' },
          trustStores: ['ca:acme', 'tsa:ts'],
          trustedIdentities: ['*'],
        }),
      ),
      stores: { ...STORES, 'tsa/ts/tsa.crt': fs.readFileSync(path.join(CERTS, 'root-ca.der')) },
    });
    const policy = load(dir);
    expect(policy.keys.map((k) => k.name)).toEqual(['notation-app', 'notation-tools']);
    expect(policy.keys[0]).toEqual({
      name: 'notation-app',
      notation: {
        trustStores: [{ type: 'ca', name: 'acme', certificates: ROOT }],
        trustedIdentities: ['x509.subject: C=US, ST=WA, O=acme'],
        verifyTimestamp: 'always',
      },
    });
    expect((policy.keys[1] as NotationPolicyKey).notation).toMatchObject({
      trustStores: [
        { type: 'ca', name: 'acme', certificates: ROOT },
        { type: 'tsa', name: 'ts', certificates: ROOT },
      ],
      trustedIdentities: ['*'],
      verifyTimestamp: 'afterCertExpiry',
    });
    expect(policy.rules).toEqual([
      {
        name: 'notation-app',
        match: { images: [`${ECR}/app`] },
        keys: ['notation-app'],
        require: 'any',
        mode: 'enforce',
        transparencyLog: 'verify-if-present',
      },
      {
        name: 'notation-tools',
        match: { images: [`${ECR}/tools/lint`, 'ghcr.io/acme/cli'] },
        keys: ['notation-tools'],
        require: 'any',
        mode: 'audit',
        transparencyLog: 'verify-if-present',
      },
    ]);
    // Exact repositories, any tag or digest: not a sub-path, not another repository.
    const rulesFor = (image: string) => {
      const m = matchContainer(policy, target(image));
      return m.kind === 'rules' ? m.rules.map((r) => r.name) : m.kind;
    };
    expect(rulesFor(`${ECR}/app:1.0`)).toEqual(['notation-app']);
    expect(rulesFor(`${ECR}/app@sha256:${'a'.repeat(64)}`)).toEqual(['notation-app']);
    expect(rulesFor(`${ECR}/app/sub:1.0`)).toBe('no-match');
    expect(rulesFor(`${ECR}/application:1.0`)).toBe('no-match');
    // The compiled policy stands alone: no reference to the files, and it reloads to itself.
    expect(JSON.stringify(policy)).not.toContain('notationTrustPolicy');
    const again = parsePolicy(JSON.stringify(policy), { source: 'compiled' });
    expect(policySha256(again)).toBe(policySha256(policy));
  });

  it('maps the "*" scope to a rule for every image', () => {
    const dir = setUp({ trustPolicy: tp(statement({ registryScopes: ['*'] })), stores: STORES });
    const policy = load(dir);
    expect(policy.rules[0]!.match).toEqual({});
    const m = matchContainer(policy, target('docker.io/library/nginx:1.27'));
    expect(m.kind === 'rules' && m.rules.map((r) => r.name)).toEqual(['notation-app']);
  });

  it('maps the real AWS Signer trust policy to an awsSigner signer (the built-in AWS roots verify)', () => {
    const dir = setUp({
      trustPolicy: fs.readFileSync(path.join(REAL, 'trustpolicy.json'), 'utf8'),
      stores: {
        'signingAuthority/aws-signer-ts/aws-signer-notation-root.cert.pem': fs.readFileSync(
          path.join(REAL, 'aws-signer-notation-root.pem'),
        ),
      },
    });
    const policy = load(dir);
    expect(policy.keys).toEqual([
      {
        name: 'notation-aws-signer-tp',
        awsSigner: {
          signingProfiles: [
            'arn:aws:signer:us-east-2:209640446841:/signing-profiles/SigningProfile_0Aoxfd1fB9Lu',
          ],
        },
      },
    ]);
    expect(policy.rules[0]).toMatchObject({ name: 'notation-aws-signer-tp', match: {}, mode: 'enforce' });
  });

  it('sits beside the policy file own keys and rules; a name clash is an error', () => {
    const ok = setUp({
      trustPolicy: tp(statement()),
      stores: STORES,
      policy:
        'keys: [{ name: ci, kms: alias/ci }]\nrules: [{ name: all, keys: [ci] }]\n' +
        'notationTrustPolicy: { file: trustpolicy.json, trustStoreDir: truststore }\n',
    });
    expect(load(ok).rules.map((r) => r.name)).toEqual(['all', 'notation-app']);
    const clash = setUp({
      trustPolicy: tp(statement()),
      stores: STORES,
      policy:
        'keys: [{ name: notation-app, kms: alias/ci }]\nrules: [{ name: all, keys: [notation-app] }]\n' +
        'notationTrustPolicy: { file: trustpolicy.json, trustStoreDir: truststore }\n',
    });
    expect(issuesOf(clash)).toEqual([
      {
        path: 'notationTrustPolicy.file',
        message: expect.stringContaining(
          'maps to a Notation signer named "notation-app", but keys[0] already defines a key of that name',
        ),
      },
    ]);
  });

  it('reads PEM and DER files with several certificates, ignores sub-folders and other files', () => {
    const dir = setUp({
      trustPolicy: tp(statement()),
      stores: {
        'ca/acme/a.pem': `${ROOT}${fs.readFileSync(path.join(CERTS, 'intermediate-ca.pem'), 'utf8')}`,
        'ca/acme/b.cer': fs.readFileSync(path.join(CERTS, 'root-ca.der')),
        'ca/acme/notes.txt': 'not a certificate',
        'ca/acme/old/leaf.pem': fs.readFileSync(path.join(CERTS, 'leaf.pem')),
      },
    });
    const certs = (load(dir).keys[0] as NotationPolicyKey).notation.trustStores[0]!.certificates;
    expect(certs.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
  });
});

describe('trust policy validation, with paths into the JSON', () => {
  const file = '"<dir>/trustpolicy.json"';
  it.each<[string, unknown, string]>([
    ['a wrong version', { version: '2.0', trustPolicies: [statement()] }, `${file}: version: must be "1.0"`],
    [
      'no statements',
      { version: '1.0', trustPolicies: [] },
      `${file}: trustPolicies: must list at least one`,
    ],
    ['an unknown top-level field', { ...tp(statement()), extra: 1 }, `${file}: extra: unknown field`],
    [
      'an unknown statement field',
      tp(statement({ revocation: 'skip' })),
      `${file}: trustPolicies[0].revocation: unknown field`,
    ],
    [
      'a repeated name',
      tp(statement(), statement({ registryScopes: [`${ECR}/other`] })),
      `${file}: trustPolicies[1].name: "app" is already the name of trustPolicies[0]`,
    ],
    [
      'a name that cannot become a key name',
      tp(statement({ name: 'my policy' })),
      `${file}: trustPolicies[0].name: "my policy" cannot be mapped`,
    ],
    [
      'no scopes',
      tp(statement({ registryScopes: [] })),
      `${file}: trustPolicies[0].registryScopes: must list at least one`,
    ],
    [
      '"*" with other scopes',
      tp(statement({ registryScopes: ['*', `${ECR}/app`] })),
      `${file}: trustPolicies[0].registryScopes: "*" must be the only scope`,
    ],
    [
      '"*" in two statements',
      tp(statement({ registryScopes: ['*'] }), statement({ name: 'b', registryScopes: ['*'] })),
      `${file}: trustPolicies[1].registryScopes: "*" is already the scope of trustPolicies[0]`,
    ],
    [
      'a scope in two statements',
      tp(statement(), statement({ name: 'b' })),
      `${file}: trustPolicies[1].registryScopes[0]: "${ECR}/app" is already a scope of trustPolicies[0]`,
    ],
    [
      'a scope with a tag',
      tp(statement({ registryScopes: [`${ECR}/app:1.0`] })),
      `${file}: trustPolicies[0].registryScopes[0]: "${ECR}/app:1.0" has a tag`,
    ],
    [
      'a scope with a digest',
      tp(statement({ registryScopes: [`${ECR}/app@sha256:${'a'.repeat(64)}`] })),
      'has a digest',
    ],
    [
      'a scope with a wildcard',
      tp(statement({ registryScopes: [`${ECR}/app/*`] })),
      `${file}: trustPolicies[0].registryScopes[0]: "${ECR}/app/*": wildcards are not supported`,
    ],
    [
      'a scope without a registry',
      tp(statement({ registryScopes: ['app'] })),
      'must be "registry/repository"',
    ],
    [
      'an upper-case repository',
      tp(statement({ registryScopes: [`${ECR}/App`] })),
      'is not a repository name',
    ],
    [
      'level permissive',
      tp(statement({ signatureVerification: { level: 'permissive' } })),
      `${file}: trustPolicies[0].signatureVerification.level: permissive cannot be mapped`,
    ],
    [
      'level skip',
      tp(
        statement({
          signatureVerification: { level: 'skip' },
          trustStores: undefined,
          trustedIdentities: undefined,
        }),
      ),
      `${file}: trustPolicies[0].signatureVerification.level: skip cannot be mapped`,
    ],
    [
      'an override',
      tp(statement({ signatureVerification: { level: 'strict', override: { revocation: 'log' } } })),
      `${file}: trustPolicies[0].signatureVerification.override: cannot be mapped`,
    ],
    [
      'a bad verifyTimestamp',
      tp(statement({ signatureVerification: { level: 'strict', verifyTimestamp: 'never' } })),
      'verifyTimestamp: must be one of: always, afterCertExpiry',
    ],
    [
      'a bad store reference',
      tp(statement({ trustStores: ['acme'] })),
      `${file}: trustPolicies[0].trustStores[0]: must be TYPE:NAME`,
    ],
    [
      'a repeated store',
      tp(statement({ trustStores: ['ca:acme', 'ca:acme'] })),
      `${file}: trustPolicies[0].trustStores[1]: "ca:acme" is listed twice`,
    ],
    [
      'only a tsa store',
      tp(statement({ trustStores: ['tsa:acme'] })),
      'must list a ca or signingAuthority store',
    ],
    [
      'no identities',
      tp(statement({ trustedIdentities: [] })),
      `${file}: trustPolicies[0].trustedIdentities: must list at least one identity`,
    ],
    [
      'a plugin-defined identity',
      tp(statement({ trustedIdentities: ['com.example.plugin:team-a'] })),
      `${file}: trustPolicies[0].trustedIdentities[0]: plugin-defined identity "com.example.plugin:team-a" cannot be mapped`,
    ],
    [
      'a non-AWS ARN identity',
      tp(statement({ trustedIdentities: ['arn:example:thing'] })),
      'plugin-defined identity "arn:example:thing" cannot be mapped',
    ],
    [
      'ARNs mixed with subjects',
      tp(
        statement({
          trustStores: ['signingAuthority:aws'],
          trustedIdentities: [
            'arn:aws:signer:us-east-1:111122223333:/signing-profiles/ci',
            'x509.subject: C=US, ST=WA, O=acme',
          ],
        }),
      ),
      'AWS Signer ARNs and other identities in one statement',
    ],
    [
      'a signing-job ARN',
      tp(
        statement({
          trustStores: ['signingAuthority:aws'],
          trustedIdentities: ['arn:aws:signer:us-east-1:111122223333:/signing-jobs/abc'],
        }),
      ),
      `${file}: trustPolicies[0].trustedIdentities[0]: is a signing-job ARN`,
    ],
    [
      'AWS Signer ARNs with a ca store',
      tp(
        statement({
          trustStores: ['ca:acme'],
          trustedIdentities: ['arn:aws:signer:us-east-1:111122223333:/signing-profiles/ci'],
        }),
      ),
      'AWS Signer identities are verified against signingAuthority stores only',
    ],
    [
      'overlapping subjects',
      tp(
        statement({
          trustedIdentities: ['x509.subject: C=US, ST=WA, O=acme', 'x509.subject: C=US, ST=WA, O=acme, CN=x'],
        }),
      ),
      `${file}: trustPolicies[0].trustedIdentities[1]: overlaps with entry 0`,
    ],
    [
      'a subject without ST',
      tp(statement({ trustedIdentities: ['x509.subject: C=US, O=acme'] })),
      'must contain C, ST and O (missing ST)',
    ],
  ])('refuses %s', (_what, trustPolicy, message) => {
    const dir = setUp({ trustPolicy, stores: STORES });
    expect(issuesOf(dir)).toEqual(
      expect.arrayContaining([
        { path: 'notationTrustPolicy.file', message: expect.stringContaining(message) },
      ]),
    );
  });

  it('refuses a file that is not JSON, or missing', () => {
    expect(issuesOf(setUp({ trustPolicy: '{ version: 1.0' }))).toEqual([
      {
        path: 'notationTrustPolicy.file',
        message: expect.stringMatching(/^"<dir>\/trustpolicy.json": not JSON/),
      },
    ]);
    const dir = setUp({
      trustPolicy: tp(statement()),
      policy: 'notationTrustPolicy: { file: nope.json, trustStoreDir: truststore }\n',
    });
    expect(issuesOf(dir)).toEqual([
      { path: 'notationTrustPolicy.file', message: 'cannot read "<dir>/nope.json" (ENOENT)' },
    ]);
  });
});

describe('trust-store folders', () => {
  const storeIssue = (message: string) => [
    { path: 'notationTrustPolicy.trustStoreDir', message: expect.stringContaining(message) },
  ];

  it('refuses a missing store, an empty store, and a store with a certificate its type does not allow', () => {
    expect(issuesOf(setUp({ trustPolicy: tp(statement()) }))).toEqual(
      storeIssue('trustPolicies[0].trustStores: ca:acme: no folder "<dir>/truststore/x509/ca/acme"'),
    );
    expect(issuesOf(setUp({ trustPolicy: tp(statement()), stores: { 'ca/acme/readme.txt': 'x' } }))).toEqual(
      storeIssue('holds no certificate file (*.pem, *.crt, *.cer)'),
    );
    expect(
      issuesOf(
        setUp({
          trustPolicy: tp(statement()),
          stores: { 'ca/acme/leaf.pem': fs.readFileSync(path.join(CERTS, 'leaf.pem')) },
        }),
      ),
    ).toEqual(storeIssue('is neither a CA nor self-signed'));
    expect(
      issuesOf(
        setUp({
          trustPolicy: tp(statement({ trustStores: ['ca:acme', 'tsa:t'] })),
          stores: { ...STORES, 'tsa/t/i.pem': fs.readFileSync(path.join(CERTS, 'intermediate-ca.pem')) },
        }),
      ),
    ).toEqual(
      storeIssue(
        'tsa:t: "<dir>/truststore/x509/tsa/t/i.pem": certificate "C=US, ST=WA, O=acme, CN=acme test intermediate" is not a self-signed root CA',
      ),
    );
    expect(
      issuesOf(setUp({ trustPolicy: tp(statement()), stores: { 'ca/acme/bad.pem': 'garbage' } })),
    ).toEqual(storeIssue('bad.pem" is neither PEM nor DER certificates'));
  });

  it('refuses symbolic links, for a file and for the store folder', () => {
    const dir = setUp({ trustPolicy: tp(statement()), stores: STORES });
    fs.symlinkSync(path.join(CERTS, 'root-ca.pem'), path.join(dir, 'truststore/x509/ca/acme/linked.pem'));
    expect(issuesOf(dir)).toEqual(
      storeIssue('linked.pem" is a symbolic link; notation does not follow them'),
    );

    const linked = setUp({ trustPolicy: tp(statement()), stores: { 'ca/real/root.pem': ROOT } });
    fs.symlinkSync(
      path.join(linked, 'truststore/x509/ca/real'),
      path.join(linked, 'truststore/x509/ca/acme'),
    );
    expect(issuesOf(linked)).toEqual(storeIssue('acme" is a symbolic link'));
  });

  it('reads the stores of an AWS Signer statement too (they must exist, as notation requires)', () => {
    const dir = setUp({
      trustPolicy: fs.readFileSync(path.join(REAL, 'trustpolicy.json'), 'utf8'),
    });
    expect(issuesOf(dir)).toEqual(storeIssue('signingAuthority:aws-signer-ts: no folder'));
  });
});
