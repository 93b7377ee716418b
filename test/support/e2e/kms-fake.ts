/**
 * A fake of KMS GetPublicKey (awsJson1_1, `X-Amz-Target: TrentService.GetPublicKey`) answering with
 * the real DER public key of a key the tests sign with, as KMS answers for an ECC_NIST_P256 key.
 */
import { ApiFault, awsJsonProtocol, startApiServer, type ApiServer } from './aws-api-server';
import type { TestKey } from '../signer';

export interface KmsFake extends ApiServer {
  readonly keys: Map<string, TestKey>;
}

export async function startKmsFake(keys: Record<string, TestKey>): Promise<KmsFake> {
  const byArn = new Map(Object.entries(keys));
  const server = await startApiServer({
    ...awsJsonProtocol('TrentService', '1.1'),
    answer(call) {
      if (call.operation !== 'GetPublicKey') {
        throw new ApiFault(
          400,
          'UnknownOperationException',
          `the KMS fake does not implement ${call.operation}`,
        );
      }
      const keyId = String(call.input.KeyId ?? '');
      const key = byArn.get(keyId);
      if (!key) throw new ApiFault(400, 'NotFoundException', `Key '${keyId}' does not exist`);
      if (key.kind !== 'p256') throw new Error(`the KMS fake only serves P-256 keys (got ${key.kind})`);
      return {
        KeyId: keyId,
        PublicKey: key.spkiDer.toString('base64'),
        KeySpec: 'ECC_NIST_P256',
        CustomerMasterKeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: ['ECDSA_SHA_256'],
      };
    },
  });
  return { ...server, keys: byArn };
}
