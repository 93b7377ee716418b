import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ReasonCode } from '../../lambda/reasons';
import { awsSignerCertificateHashes } from '../../lambda/signer/certificate-hashes';

const dir = path.join(__dirname, '..', 'fixtures', 'notation-real', 'aws-signer-revocation-certhash');
const der = (file: string): Buffer => new X509Certificate(readFileSync(path.join(dir, file))).raw;
const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as {
  expectedGetRevocationStatusInput: { certificateHashes: string[] };
};

describe('awsSignerCertificateHashes', () => {
  it("gives the AWS Signer plugin's hashes for the reference's worked example (leaf, then root paired with itself)", async () => {
    const hashes = await awsSignerCertificateHashes([der('leaf.pem'), der('parent-root.pem')]);
    expect(hashes).toEqual(expected.expectedGetRevocationStatusInput.certificateHashes);
  });

  it('pairs a lone certificate with itself', async () => {
    const [root] = await awsSignerCertificateHashes([der('parent-root.pem')]);
    expect(root).toBe(expected.expectedGetRevocationStatusInput.certificateHashes[1]);
  });

  it('refuses an empty chain and bytes that are no certificate, naming which', async () => {
    await expect(awsSignerCertificateHashes([])).rejects.toMatchObject({
      code: ReasonCode.SIGNATURE_MALFORMED,
    });
    await expect(
      awsSignerCertificateHashes([der('leaf.pem'), Buffer.from('not a certificate')]),
    ).rejects.toMatchObject({
      code: ReasonCode.SIGNATURE_MALFORMED,
      message: expect.stringContaining('certificate 1'),
    });
  });
});
