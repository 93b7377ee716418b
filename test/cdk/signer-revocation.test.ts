/**
 * The stack and AWS Signer: `signer:GetRevocationStatus` (Resource "*", the action has no resource-level
 * permission) appears only when a rule uses an AWS Signer signer, in its own policy with its own cdk-nag
 * acknowledgement, and nothing else widens. The synth summary lists Notation signers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { resolvePolicy } from '../../lib/guard-policy';
import { describePolicy } from '../../lib/policy-summary';
import { SIGNER_REVOCATION_WILDCARD_REASON } from '../../lib/signer-grants';
import { REPO_ROOT, actionsOf, iamStatements, synthGuard, writePolicy } from './support';

const PROFILE = 'arn:aws:signer:eu-west-1:111122223333:/signing-profiles/ci_images';
const ROOT = readFileSync(path.join(REPO_ROOT, 'test/fixtures/notation-policy/root-ca.pem'), 'utf8');

const policyWith = (signer: string, ruleKeys = '[signer]') => `
mode: audit
noMatch: allow
keys:
  - name: ci
    kms: alias/ci-signing
${signer}
rules:
  - name: prod
    match: { clusters: ["prod-*"], images: ["111122223333.dkr.ecr.eu-west-1.amazonaws.com/**"] }
    keys: ${ruleKeys}
    mode: enforce
`;

const AWS_SIGNER = `  - name: signer\n    awsSigner: { signingProfiles: ["${PROFILE}"] }`;
const X509 = `  - name: signer\n    notation:\n      trustStores: [{ type: ca, name: acme, certificatesFile: root.pem }]\n      trustedIdentities: ["*"]`;
const KMS_INSTEAD = `  - name: signer\n    kms: alias/other-signing`;

function synth(yaml: string) {
  return synthGuard({ policyFile: writePolicy(yaml, { 'root.pem': ROOT }) }); // throws on an unacknowledged nag finding
}

const signerStatements = (s: ReturnType<typeof synth>) =>
  iamStatements(s.template).filter((st) => actionsOf(st).some((a) => a.startsWith('signer:')));

function acknowledged(scope: IConstruct): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const c of scope.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
        out[c.node.path] = { ...out[c.node.path], ...(m.data as Record<string, string>) };
      }
    }
  }
  return out;
}

describe('signer:GetRevocationStatus', () => {
  it('is granted on "*" in its own policy, acknowledged with its reason, when a rule uses AWS Signer', () => {
    const s = synth(policyWith(AWS_SIGNER));
    const statements = signerStatements(s);
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'signer:GetRevocationStatus', Resource: '*' }]);
    const policies = s.template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyDocument: { Statement: [{ Action: 'signer:GetRevocationStatus' }] } },
    });
    expect(Object.keys(policies)).toHaveLength(1);
    expect(Object.keys(policies)[0]).toMatch(/^GuardSignerRevocationPolicy/);
    const acks = acknowledged(s.stack)['GuardTest/Guard/SignerRevocationPolicy'] ?? {};
    expect(Object.entries(acks).map(([id, reason]) => [id.replace(/^annotation::/i, ''), reason])).toEqual([
      ['AwsSolutions-IAM5[Resource::*]', SIGNER_REVOCATION_WILDCARD_REASON],
    ]);
  });

  it.each([
    ['a cosign-only policy', policyWith(KMS_INSTEAD)],
    ['a generic Notation (X.509) signer', policyWith(X509)],
    ['an AWS Signer signer no rule uses', policyWith(AWS_SIGNER, '[ci]')],
  ])('is absent with %s', (_what, yaml) => {
    const s = synth(yaml);
    expect(signerStatements(s)).toEqual([]);
    expect(
      Object.keys(s.template.findResources('AWS::IAM::Policy')).filter((id) =>
        id.includes('SignerRevocation'),
      ),
    ).toEqual([]);
  });

  it('widens nothing else: every other statement is the same as with a generic Notation signer (no AWS call) in its place', () => {
    const strip = (s: ReturnType<typeof synth>) =>
      JSON.stringify(
        iamStatements(s.template)
          .filter((st) => !actionsOf(st).includes('signer:GetRevocationStatus'))
          .map((st) => JSON.stringify(st))
          .sort(),
      );
    const withSigner = synth(policyWith(AWS_SIGNER));
    const without = synth(policyWith(X509));
    expect(strip(withSigner)).toBe(strip(without));
  });
});

describe('the synth summary', () => {
  it('lists Notation signers, what they trust and whether revocation is checked', () => {
    const resolved = resolvePolicy(
      {
        policyFile: writePolicy(
          policyWith(`${AWS_SIGNER}\n${X509.replace('name: signer', 'name: acme')}`, '[signer, acme]') +
            'revocation: { cacheMinutes: 5 }\n',
          { 'root.pem': ROOT },
        ),
      },
      'alias/unused',
    );
    expect(describePolicy(resolved)).toEqual(
      expect.arrayContaining([
        `Notation signer signer: AWS Signer signatures by ${PROFILE}; revocation checked with signer:GetRevocationStatus (answers reused for 5 min)`,
        'Notation signer acme: X.509 trust stores ca:acme, identities *; revocation NOT checked (no OCSP/CRL yet)',
      ]),
    );
  });
});
