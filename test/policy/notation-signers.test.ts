/**
 * Notation signers in the policy's `keys:` list: AWS Signer profiles and generic Notation trust (trust
 * stores from PEM/DER, trusted identities), validated at load with field paths, compiled so that the
 * compiled policy is itself a valid policy file, and leaving cosign-only policies (and their hash) alone.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { policySha256 } from '../../lambda/policy/hash';
import { PolicyError } from '../../lambda/policy/issues';
import { parsePolicy } from '../../lambda/policy/load';
import { loadShippedPolicy } from '../../lambda/policy/shipped';
import { usesAwsSigner } from '../../lambda/policy/notation-revocation';
import type { NotationPolicyKey } from '../../lambda/policy/schema';
import { KEY_ARN, REPO_ROOT, indent } from './support';

const CERTS = path.join(REPO_ROOT, 'test/fixtures/notation-policy');
const AWS_ROOT = path.join(
  REPO_ROOT,
  'test/fixtures/notation-real/aws-signer-real-metadata/aws-signer-notation-root.pem',
);
const pem = (name: string) => fs.readFileSync(path.join(CERTS, name), 'utf8');
const ROOT = pem('root-ca.pem');
const PROFILE = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/ci_images';
const VERSION = 'arn:aws:signer:us-east-1:111122223333:/signing-profiles/ci_images/a1b2c3d4e5';

function parse(text: string, baseDir = CERTS) {
  return parsePolicy(text, { source: 'policy.yaml', baseDir });
}

function issuesOf(text: string, baseDir = CERTS) {
  try {
    parse(text, baseDir);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return (e as PolicyError).issues;
  }
  throw new Error('expected the policy to be rejected');
}

const withKey = (key: string, rule = 'keys: [signer]') => `
keys:
${indent(key, 2)}
rules:
  - name: all
    ${rule}
`;

const awsSigner = (...profiles: string[]) =>
  withKey(
    `- name: signer\n  awsSigner:\n    signingProfiles: [${profiles.map((p) => JSON.stringify(p)).join(', ')}]`,
  );

const notation = (body: string) => withKey(`- name: signer\n  notation:\n${indent(body, 4)}`);

const caStore = (certs = ROOT, type = 'ca') => `trustStores:
  - type: ${type}
    name: acme
    certificates: |
${indent(certs, 6)}`;

describe('awsSigner signers', () => {
  it('compiles profile and profile-version ARNs as written, usable in a rule beside a cosign key', () => {
    const policy = parse(`
keys:
  - name: ci
    kms: ${KEY_ARN}
  - name: signer
    awsSigner:
      signingProfiles: ["${PROFILE}", "${VERSION.replace('ci_images', 'other')}"]
rules:
  - name: both
    keys: [ci, signer]
    require: all
`);
    expect(policy.keys[1]).toEqual({
      name: 'signer',
      awsSigner: { signingProfiles: [PROFILE, VERSION.replace('ci_images', 'other')] },
    });
    expect(policy.rules[0]).toMatchObject({ keys: ['ci', 'signer'], require: 'all' });
    expect(usesAwsSigner(policy)).toBe(true);
  });

  it('accepts the GovCloud and China partitions', () => {
    const gov = 'arn:aws-us-gov:signer:us-gov-west-1:111122223333:/signing-profiles/gov_profile';
    const cn = 'arn:aws-cn:signer:cn-north-1:111122223333:/signing-profiles/cn_profile/ABCDEFGHIJ';
    expect(parse(awsSigner(gov, cn)).keys[0]).toEqual({
      name: 'signer',
      awsSigner: { signingProfiles: [gov, cn] },
    });
  });

  it.each([
    [
      'arn:aws:signer:us-east-1:111122223333:/signing-jobs/1b3e6b3c-0e4d-4b4f-9c39-3c1d2d1e0f11',
      'is a signing-job ARN',
    ],
    ['arn:aws:kms:us-east-1:111122223333:key/abc', 'must be arn:<partition>:signer:'],
    ['arn:aws:signer:us-east-1:11112222333:/signing-profiles/ci', 'must be arn:<partition>:signer:'],
    ['arn:aws:signer:us-east-1:111122223333:/signing-profiles/ci-images', 'must be arn:<partition>:signer:'],
    ['arn:aws:signer:us-east-1:111122223333:/signing-profiles/ci/short', 'must be arn:<partition>:signer:'],
    ['arn:aws-eu:signer:eu-west-1:111122223333:/signing-profiles/ci', 'must be arn:<partition>:signer:'],
    [
      'arn:aws:signer:us-gov-west-1:111122223333:/signing-profiles/ci',
      'region us-gov-west-1 is not in partition aws',
    ],
    [
      'arn:aws-us-gov:signer:us-east-1:111122223333:/signing-profiles/ci',
      'region us-east-1 is not in partition aws-us-gov',
    ],
    [
      'arn:aws-cn:signer:us-east-1:111122223333:/signing-profiles/ci',
      'region us-east-1 is not in partition aws-cn',
    ],
  ])('refuses %s with the field path', (arn, message) => {
    expect(issuesOf(awsSigner(arn))).toEqual([
      { path: 'keys[0].awsSigner.signingProfiles[0]', message: expect.stringContaining(message) },
    ]);
  });

  it('refuses an empty list and an ARN repeated in another case (AWS compares them case-insensitively)', () => {
    expect(issuesOf(awsSigner())).toEqual([
      { path: 'keys[0].awsSigner.signingProfiles', message: expect.stringContaining('at least one') },
    ]);
    expect(issuesOf(awsSigner(PROFILE, PROFILE.replace('ci_images', 'CI_IMAGES')))).toEqual([
      { path: 'keys[0].awsSigner.signingProfiles[1]', message: 'repeats entry 0' },
    ]);
  });
});

describe('generic Notation signers', () => {
  it('compiles inline PEM to canonical PEM and defaults verifyTimestamp; the result is a valid policy file', () => {
    const messy = `\r\n${ROOT.replace(/\n/g, '\r\n')}   \r\n`;
    const text = notation(`${caStore(messy)}\ntrustedIdentities: ["x509.subject: C=US, ST=WA, O=acme"]`);
    const policy = parse(text);
    const key = policy.keys[0] as NotationPolicyKey;
    expect(key.notation.trustStores).toEqual([{ type: 'ca', name: 'acme', certificates: ROOT }]);
    expect(key.notation.verifyTimestamp).toBe('always');
    expect(usesAwsSigner(policy)).toBe(false);
    const again = parsePolicy(JSON.stringify(policy), { source: 'compiled' });
    expect(again).toEqual(policy);
    expect(policySha256(again)).toBe(policySha256(policy));
    // The Lambda's own integrity check accepts the compiled form.
    expect(loadShippedPolicy(JSON.stringify(policy, null, 2), policySha256(policy), 'policy.json')).toEqual(
      policy,
    );
  });

  it('reads certificatesFile (PEM or DER, several certificates a file) and inlines it as canonical PEM', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notation-certs-'));
    fs.writeFileSync(path.join(dir, 'bundle.pem'), `${ROOT}\n${pem('intermediate-ca.pem')}`);
    fs.copyFileSync(path.join(CERTS, 'root-ca.der'), path.join(dir, 'root.der'));
    fs.copyFileSync(path.join(CERTS, 'root-ca.der'), path.join(dir, 'tsa.crt'));
    const policy = parse(
      notation(`trustStores:
  - { type: ca, name: bundle, certificatesFile: bundle.pem }
  - { type: signingAuthority, name: der, certificatesFile: root.der }
  - { type: tsa, name: tsa, certificatesFile: tsa.crt }
trustedIdentities: ["*"]
verifyTimestamp: afterCertExpiry`),
      dir,
    );
    const key = policy.keys[0] as NotationPolicyKey;
    expect(key.notation.trustStores.map((s) => [s.type, s.name])).toEqual([
      ['ca', 'bundle'],
      ['signingAuthority', 'der'],
      ['tsa', 'tsa'],
    ]);
    expect(key.notation.trustStores[0]!.certificates).toBe(`${ROOT}${pem('intermediate-ca.pem')}`);
    expect(key.notation.trustStores[1]!.certificates).toBe(ROOT);
    expect(new X509Certificate(key.notation.trustStores[2]!.certificates).fingerprint256).toBe(
      new X509Certificate(ROOT).fingerprint256,
    );
    expect(key.notation.verifyTimestamp).toBe('afterCertExpiry');
    // The same policy with the PEM written inline has the same hash.
    const inline = parse(
      notation(`trustStores:
  - type: ca
    name: bundle
    certificates: |
${indent(`${ROOT}${pem('intermediate-ca.pem')}`, 6)}
  - type: signingAuthority
    name: der
    certificates: |
${indent(ROOT, 6)}
  - type: tsa
    name: tsa
    certificates: |
${indent(ROOT, 6)}
trustedIdentities: ["*"]
verifyTimestamp: afterCertExpiry`),
    );
    expect(policySha256(inline)).toBe(policySha256(policy));
  });

  it('accepts the real AWS Signer root as a signingAuthority store', () => {
    const policy = parse(
      notation(`trustStores:
  - { type: signingAuthority, name: aws-signer-ts, certificatesFile: ${JSON.stringify(AWS_ROOT)} }
trustedIdentities: ["x509.subject: C=US, ST=WA, O=AWS"]`),
    );
    expect((policy.keys[0] as NotationPolicyKey).notation.trustStores[0]!.certificates).toContain(
      'BEGIN CERTIFICATE',
    );
  });

  it.each([
    ['leaf.pem', 'ca', 'is neither a CA nor self-signed'],
    ['leaf.pem', 'signingAuthority', 'is neither a CA nor self-signed'],
    ['intermediate-ca.pem', 'tsa', 'is not a self-signed root CA'],
    ['self-signed-leaf.pem', 'tsa', 'is not a self-signed root CA'],
  ])('refuses %s in a %s store', (file, type, message) => {
    const stores =
      type === 'tsa'
        ? `trustStores:\n  - { type: ca, name: acme, certificatesFile: root-ca.pem }\n  - { type: tsa, name: t, certificatesFile: ${file} }`
        : `trustStores:\n  - { type: ${type}, name: acme, certificatesFile: ${file} }`;
    const inlineStores = `trustStores:\n  - type: ${type}\n    name: inline\n    certificates: |\n${indent(pem(file), 6)}${type === 'tsa' ? '\n  - { type: ca, name: acme, certificatesFile: root-ca.pem }' : ''}`;
    expect(issuesOf(notation(`${stores}\ntrustedIdentities: ["*"]`))).toEqual([
      {
        path: `keys[0].notation.trustStores[${type === 'tsa' ? 1 : 0}].certificatesFile`,
        message: expect.stringContaining(message),
      },
    ]);
    expect(issuesOf(notation(`${inlineStores}\ntrustedIdentities: ["*"]`))).toEqual([
      { path: 'keys[0].notation.trustStores[0].certificates', message: expect.stringContaining(message) },
    ]);
  });

  it('accepts self-signed signing certificates (not CAs) in a ca store, as notation does', () => {
    const alpine = fs.readFileSync(
      path.join(REPO_ROOT, 'test/fixtures/notation-real/jws-ps256-notationgo-alpine-valid/trust-anchor.pem'),
      'utf8',
    );
    expect(new X509Certificate(alpine).ca).toBe(false);
    const policy = parse(notation(`${caStore(alpine)}\ntrustedIdentities: ["*"]`));
    expect((policy.keys[0] as NotationPolicyKey).notation.trustStores[0]!.certificates).toBe(alpine);
    expect(() =>
      parse(notation(`${caStore(pem('self-signed-leaf.pem'))}\ntrustedIdentities: ["*"]`)),
    ).not.toThrow();
  });

  it('refuses PEM that is not certificates, and unreadable or non-certificate files', () => {
    const key = fs.readFileSync(
      path.join(REPO_ROOT, 'test/fixtures/cosign-real/ci-p256-key-no-tlog/pubkey.pem'),
      'utf8',
    );
    expect(issuesOf(notation(`${caStore(key)}\ntrustedIdentities: ["*"]`))).toEqual([
      {
        path: 'keys[0].notation.trustStores[0].certificates',
        message: expect.stringContaining('"PUBLIC KEY" block'),
      },
    ]);
    expect(
      issuesOf(
        notation(
          `trustStores:\n  - { type: ca, name: a, certificatesFile: missing.pem }\ntrustedIdentities: ["*"]`,
        ),
      ),
    ).toEqual([
      {
        path: 'keys[0].notation.trustStores[0].certificatesFile',
        message: expect.stringContaining('ENOENT'),
      },
    ]);
    expect(
      issuesOf(
        notation(
          `trustStores:\n  - { type: ca, name: a, certificatesFile: README.md }\ntrustedIdentities: ["*"]`,
        ),
      ),
    ).toEqual([
      {
        path: 'keys[0].notation.trustStores[0].certificatesFile',
        message: expect.stringContaining('is neither PEM nor DER certificates'),
      },
    ]);
  });

  it('needs exactly one certificate source per store, unique stores, and a store that verifies signatures', () => {
    expect(
      issuesOf(
        notation(`trustStores:
  - { type: ca, name: a }
  - { type: ca, name: b, certificatesFile: root-ca.pem, certificates: "x" }
trustedIdentities: ["*"]`),
      ),
    ).toEqual(
      expect.arrayContaining([
        { path: 'keys[0].notation.trustStores[0]', message: expect.stringContaining('found none') },
        {
          path: 'keys[0].notation.trustStores[1]',
          message: expect.stringContaining('found certificates, certificatesFile'),
        },
      ]),
    );
    expect(
      issuesOf(
        notation(`trustStores:
  - { type: ca, name: a, certificatesFile: root-ca.pem }
  - { type: ca, name: a, certificatesFile: root-ca.pem }
trustedIdentities: ["*"]`),
      ),
    ).toEqual([
      { path: 'keys[0].notation.trustStores[1]', message: 'trust store ca:a is already trustStores[0]' },
    ]);
    expect(
      issuesOf(
        notation(
          `trustStores:\n  - { type: tsa, name: t, certificatesFile: root-ca.pem }\ntrustedIdentities: ["*"]`,
        ),
      ),
    ).toEqual([
      {
        path: 'keys[0].notation.trustStores',
        message: expect.stringContaining('must include a ca or signingAuthority store'),
      },
    ]);
  });

  it.each([
    [
      ['x509.subject: C=US, ST=WA, O=acme', 'x509.subject: C=US, ST=WA, O=acme, CN=signer'],
      1,
      'overlaps with entry 0',
    ],
    [['*', 'x509.subject: C=US, ST=WA, O=acme'], undefined, '"*" (any identity) must be the only entry'],
    [['x509.subject: C=US, O=acme'], 0, 'must contain C, ST and O (missing ST)'],
    [['x509.subject: C=US, ST=WA, O=acme+OU=team'], 0, 'multi-valued RDN'],
    [['x509.subject: C=US, ST=WA, O=#04024869'], 0, 'hex-encoded values'],
    [['x509.subject: C=US, ST=WA, O=acme, O=other'], 0, 'has O more than once'],
    [['x509.subject: C=US, ST=WA, O=acme,'], 0, 'ends with ","'],
    [['x509.subject: C=US; ST=WA; O=acme'], 0, 'separates RDNs with ";"'],
    [['x509.subject: C=US, ST=WA, O=a\\qb'], 0, 'invalid escape'],
    [['x509.subject: c=US, st=WA, o=acme'], 0, 'attribute types are case-sensitive'],
    [['x509.subject: C=US, ST=WA, O="acme"x'], 0, 'has text after the quoted value of O'],
    [['x509.subject: C=US, ST=WA, O=acme, 2x=y'], 0, '"2x", which is not an attribute type'],
    [['CN=acme'], 0, 'must be "*" or "x509.subject: <DN>"'],
    [[PROFILE], 0, 'belongs in awsSigner.signingProfiles'],
  ])('refuses identities %j', (identities, index, message) => {
    expect(issuesOf(notation(`${caStore()}\ntrustedIdentities: ${JSON.stringify(identities)}`))).toEqual([
      {
        path: `keys[0].notation.trustedIdentities${index === undefined ? '' : `[${index}]`}`,
        message: expect.stringContaining(message),
      },
    ]);
  });

  it('accepts DNs with S for ST, escapes, quotes, and DNs that differ without overlapping', () => {
    const identities = [
      'x509.subject: C=US, S=WA, O=acme\\, inc., CN=build',
      'x509.subject: C=US, ST=WA, O="acme, inc.", CN=release',
      'x509.subject: C=US,ST=OR,O=acme',
    ];
    const policy = parse(notation(`${caStore()}\ntrustedIdentities: ${JSON.stringify(identities)}`));
    expect((policy.keys[0] as NotationPolicyKey).notation.trustedIdentities).toEqual(identities);
  });
});

describe('keys with more than one source, or a hash on a signer', () => {
  it('names every source present', () => {
    expect(
      issuesOf(
        withKey(`- name: signer\n  kms: ${KEY_ARN}\n  awsSigner: { signingProfiles: ["${PROFILE}"] }`),
      ),
    ).toEqual([
      {
        path: 'keys[0]',
        message:
          'exactly one of kms, publicKey, publicKeyFile, awsSigner, notation is required (found kms, awsSigner)',
      },
    ]);
    expect(issuesOf(withKey('- name: signer'))).toEqual([
      expect.objectContaining({ path: 'keys[0]', message: expect.stringContaining('(found none)') }),
    ]);
  });

  it('refuses hashAlgorithm on a Notation signer', () => {
    expect(
      issuesOf(
        withKey(`- name: signer\n  hashAlgorithm: sha384\n  awsSigner: { signingProfiles: ["${PROFILE}"] }`),
      ),
    ).toEqual([
      {
        path: 'keys[0].hashAlgorithm',
        message: expect.stringContaining('a Notation signature names its own algorithm'),
      },
    ]);
  });

  it('reports an unknown field of a signer with the fields allowed there', () => {
    expect(issuesOf(withKey(`- name: signer\n  awsSigner: { profiles: ["${PROFILE}"] }`))).toEqual(
      expect.arrayContaining([
        { path: 'keys[0].awsSigner.profiles', message: 'unknown field (allowed here: signingProfiles)' },
      ]),
    );
  });

  it('a rule naming an undefined signer lists the defined keys and signers', () => {
    expect(issuesOf(awsSigner(PROFILE).replace('keys: [signer]', 'keys: [signr]'))).toEqual([
      { path: 'rules[0].keys[0]', message: 'unknown key "signr" (defined keys: signer)' },
    ]);
  });
});

describe('revocation', () => {
  it('is omitted from the compiled policy unless set, bounded when set', () => {
    expect(parse(awsSigner(PROFILE)).revocation).toBeUndefined();
    expect(parse(`${awsSigner(PROFILE)}\nrevocation: { cacheMinutes: 5 }`).revocation).toEqual({
      cacheMinutes: 5,
    });
    expect(parse(`${awsSigner(PROFILE)}\nrevocation: { cacheMinutes: 0 }`).revocation).toEqual({
      cacheMinutes: 0,
    });
    expect(issuesOf(`${awsSigner(PROFILE)}\nrevocation: { cacheMinutes: 1441 }`)).toEqual([
      { path: 'revocation.cacheMinutes', message: 'at most 1440 (one day)' },
    ]);
    expect(issuesOf(`${awsSigner(PROFILE)}\nrevocation: { cacheMinutes: -1 }`)).toEqual([
      { path: 'revocation.cacheMinutes', message: 'must be 0 (ask every time) or more' },
    ]);
  });
});

describe('the compiled policy size', () => {
  it('is refused at load when the Lambda would refuse it (inlined files make it grow)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notation-big-'));
    // 40 certificates a file: each store's PEM stays under the per-PEM limit, 12 stores exceed the policy limit.
    const bundle = `${ROOT}`.repeat(40);
    fs.writeFileSync(path.join(dir, 'bundle.pem'), bundle);
    const stores = Array.from(
      { length: 12 },
      (_, i) => `  - { type: ca, name: s${i}, certificatesFile: bundle.pem }`,
    ).join('\n');
    expect(issuesOf(notation(`trustStores:\n${stores}\ntrustedIdentities: ["*"]`), dir)).toEqual([
      {
        path: '',
        message: expect.stringMatching(
          /^the compiled policy \(key and certificate files inlined\) is \d+ bytes; the limit is 262144$/,
        ),
      },
    ]);
  });
});

describe('policy.example.yaml', () => {
  it('its commented Notation signers load once uncommented, as written', () => {
    const example = fs.readFileSync(path.join(REPO_ROOT, 'policy.example.yaml'), 'utf8').split('\n');
    const start = example.findIndex((l) => l.includes('- name: ci-signer'));
    const end = example.findIndex((l, i) => i > start && l.includes('Revocation of these X.509 chains'));
    expect(start).toBeGreaterThan(0);
    const block = example
      .slice(start, end)
      .filter((l) => !/^\s*#\s*#/.test(l))
      .map((l) => l.replace(/^(\s*)# /, '$1'))
      .join('\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notation-example-'));
    fs.mkdirSync(path.join(dir, 'certs'));
    fs.writeFileSync(path.join(dir, 'certs/acme-root.pem'), ROOT);
    const policy = parse(`keys:\n${block}\nrules:\n  - { name: r, keys: [ci-signer, acme-notation] }\n`, dir);
    expect(policy.keys.map((k) => k.name)).toEqual(['ci-signer', 'acme-notation']);
    expect(usesAwsSigner(policy)).toBe(true);
  });
});

describe('the shipped (compiled) policy check in the Lambda', () => {
  const compiled = () =>
    JSON.parse(
      JSON.stringify(
        parse(
          withKey(
            `- name: signer\n  awsSigner: { signingProfiles: ["${PROFILE}"] }\n- name: x\n  notation:\n${indent(
              `${caStore()}\ntrustedIdentities: ["*"]`,
              4,
            )}`,
          ),
        ),
      ),
    ) as { keys: Array<Record<string, Record<string, unknown>>> };

  it.each([
    [
      'an awsSigner without profiles',
      (p: ReturnType<typeof compiled>) => (p.keys[0]!.awsSigner!.signingProfiles = []),
    ],
    [
      'a notation signer without identities',
      (p: ReturnType<typeof compiled>) => delete p.keys[1]!.notation!.trustedIdentities,
    ],
    [
      'a trust store without certificates',
      (p: ReturnType<typeof compiled>) =>
        delete (p.keys[1]!.notation!.trustStores as Array<Record<string, unknown>>)[0]!.certificates,
    ],
    [
      'a bad verifyTimestamp',
      (p: ReturnType<typeof compiled>) => (p.keys[1]!.notation!.verifyTimestamp = 'never'),
    ],
  ])('refuses %s', (_what, damage) => {
    const policy = compiled();
    damage(policy);
    expect(() =>
      loadShippedPolicy(JSON.stringify(policy), policySha256(policy as never), 'policy.json'),
    ).toThrow(/not a compiled policy: keys\[[01]\]/);
  });
});
