import { createHash, X509Certificate } from 'node:crypto';
import { awsSignerCertificateHashes } from '../../lambda/notation/aws-signer/certificate-hashes';
import { matchAwsSignerIdentity } from '../../lambda/notation/aws-signer/identity';
import { AWS_SIGNER_ROOTS, awsSignerRootCertificates } from '../../lambda/notation/aws-signer/roots';
import { parseCertificate } from '../../lambda/notation/x509/certificate';
import { notationFixtureJson, pemCertificates } from '../support/notation/fixtures';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('built-in AWS Signer roots', () => {
  it.each([
    [
      'aws-signer-ts',
      'aws-signer-notation-root.pem',
      '90a87d0543c3f094dbff9589b6649affe2f3d6e0f308799be2258461c686473f',
    ],
    [
      'aws-us-gov-signer-ts',
      'aws-us-gov-signer-notation-root.pem',
      '673653ab76f41a10546cdeb4107ecd6df2c15c2c9a0d32ed97d271b4436fc3e8',
    ],
  ])('%s is the vendored %s, SHA-256 %s', (name, file, fingerprint) => {
    const root = AWS_SIGNER_ROOTS.find((r) => r.name === name);
    expect(root).toBeDefined();
    const der = new X509Certificate(root!.pem.trim()).raw;
    expect(der.equals(pemCertificates(`aws-signer-real-metadata/${file}`)[0]!)).toBe(true);
    expect(sha256(der)).toBe(fingerprint);
    expect(root!.sha256).toBe(fingerprint);
    expect(awsSignerRootCertificates().some((c) => c.equals(der))).toBe(true);
  });

  it('the commercial root is the last certificate of the real AWS Signer chains', () => {
    const real = notationFixtureJson<Record<string, Array<{ sha256: string }>>>(
      'aws-signer-real-metadata/real-signatures.json',
    );
    const chain = real['certificateChain (x5c order, identical in both signatures)']!;
    expect(chain[chain.length - 1]!.sha256).toBe(sha256(awsSignerRootCertificates()[0]!));
  });

  it('both roots are self-signed P-384 CAs', () => {
    for (const der of awsSignerRootCertificates()) {
      const cert = parseCertificate(der);
      expect(cert.x509.verify(cert.x509.publicKey)).toBe(true);
      expect(cert.basicConstraints?.ca).toBe(true);
      expect(cert.x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    }
  });
});

interface CertHashExpected {
  tbsSha384: Record<string, string>;
  expectedGetRevocationStatusInput: { certificateHashes: string[] };
  trustedIdentityCases: {
    profileArn: string;
    signatureProfileVersionArn: string;
    match: string[][];
    noMatch: string[][];
    error: string[][];
  };
}

const expected = notationFixtureJson<CertHashExpected>('aws-signer-revocation-certhash/expected.json');

describe('GetRevocationStatus certificateHashes (the plugin test vector)', () => {
  const chain = [
    ...pemCertificates('aws-signer-revocation-certhash/leaf.pem'),
    ...pemCertificates('aws-signer-revocation-certhash/parent-root.pem'),
  ].map(parseCertificate);

  it('hashes each DER TBSCertificate with SHA-384', () => {
    expect(createHash('sha384').update(chain[0]!.tbs).digest('hex')).toBe(expected.tbsSha384['leaf.pem']);
    expect(createHash('sha384').update(chain[1]!.tbs).digest('hex')).toBe(
      expected.tbsSha384['parent-root.pem'],
    );
  });

  it('pairs each certificate with its issuer and the root with itself', () => {
    expect(awsSignerCertificateHashes(chain.map((c) => c.tbs))).toEqual(
      expected.expectedGetRevocationStatusInput.certificateHashes,
    );
  });
});

describe('AWS Signer trusted identity rule (the plugin cases)', () => {
  const cases = expected.trustedIdentityCases;
  const signature = cases.signatureProfileVersionArn;

  it.each(cases.match.map((list) => [JSON.stringify(list), list] as const))('matches %s', (_name, list) => {
    expect(matchAwsSignerIdentity(list, signature)).toBeDefined();
  });

  it.each(cases.noMatch.map((list) => [JSON.stringify(list), list] as const))(
    'does not match %s',
    (_name, list) => {
      expect(matchAwsSignerIdentity(list, signature)).toBeUndefined();
    },
  );

  it.each(cases.error.map((list) => [JSON.stringify(list), list] as const))('refuses %s', (_name, list) => {
    expect(() => matchAwsSignerIdentity(list, signature)).toThrow(/does not accept "\*"/);
  });

  it('reports which trusted entry matched', () => {
    expect(matchAwsSignerIdentity(['shop', cases.profileArn], signature)).toBe(cases.profileArn);
  });

  it('compares case-insensitively, profile and version alike', () => {
    const shout = (arn: string): string =>
      arn.replace('NotaryPluginIntegProfile', 'NOTARYPLUGININTEGPROFILE');
    expect(matchAwsSignerIdentity([shout(cases.profileArn)], signature)).toBeDefined();
    expect(matchAwsSignerIdentity([shout(signature).toLowerCase()], signature)).toBeDefined();
    // The resource prefix itself is compared as written, as the plugin does.
    expect(
      matchAwsSignerIdentity(
        [cases.profileArn.replace('/signing-profiles/', '/SIGNING-PROFILES/')],
        signature,
      ),
    ).toBeUndefined();
  });

  it('a version ARN matches only itself, a profile ARN every version', () => {
    const otherVersion = `${cases.profileArn}/AnotherVer1`;
    expect(matchAwsSignerIdentity([signature], otherVersion)).toBeUndefined();
    expect(matchAwsSignerIdentity([cases.profileArn], otherVersion)).toBe(cases.profileArn);
    expect(matchAwsSignerIdentity([cases.profileArn], `${cases.profileArn}2/v1`)).toBeUndefined();
  });

  it('never matches across partitions', () => {
    const gov = signature.replace('arn:aws:', 'arn:aws-us-gov:').replace('us-west-2', 'us-gov-west-1');
    expect(matchAwsSignerIdentity([cases.profileArn], gov)).toBeUndefined();
    expect(
      matchAwsSignerIdentity(
        [cases.profileArn.replace('arn:aws:', 'arn:aws-us-gov:').replace('us-west-2', 'us-gov-west-1')],
        gov,
      ),
    ).toBeDefined();
  });
});
