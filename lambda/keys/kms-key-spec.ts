import type { KeyObject } from 'node:crypto';
import type { HashAlgorithm } from './types';

/** How cosign signs with an AWS KMS key of a given KeySpec (sigstore's awskms provider). */
interface KmsSigningScheme {
  hashAlgorithm: HashAlgorithm;
  /** The KMS SigningAlgorithmSpec cosign ends up using; must be among the key's SigningAlgorithms. */
  signingAlgorithm: string;
  /** The key material GetPublicKey must return for this spec. */
  matches(publicKey: KeyObject): boolean;
}

const ecCurve =
  (curve: string) =>
  (k: KeyObject): boolean =>
    k.asymmetricKeyType === 'ec' && k.asymmetricKeyDetails?.namedCurve === curve;
const rsaBits =
  (bits: number) =>
  (k: KeyObject): boolean =>
    k.asymmetricKeyType === 'rsa' && k.asymmetricKeyDetails?.modulusLength === bits;

const rsa = (bits: number): KmsSigningScheme => ({
  hashAlgorithm: 'sha256',
  signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
  matches: rsaBits(bits),
});

const SCHEMES: Record<string, KmsSigningScheme> = {
  ECC_NIST_P256: {
    hashAlgorithm: 'sha256',
    signingAlgorithm: 'ECDSA_SHA_256',
    matches: ecCurve('prime256v1'),
  },
  ECC_NIST_P384: {
    hashAlgorithm: 'sha384',
    signingAlgorithm: 'ECDSA_SHA_384',
    matches: ecCurve('secp384r1'),
  },
  ECC_NIST_P521: {
    hashAlgorithm: 'sha512',
    signingAlgorithm: 'ECDSA_SHA_512',
    matches: ecCurve('secp521r1'),
  },
  // AWS lists RSASSA_PKCS1_V1_5_SHA_256 first and sigstore uses SigningAlgorithms[0].
  RSA_2048: rsa(2048),
  RSA_3072: rsa(3072),
  RSA_4096: rsa(4096),
};

export const SUPPORTED_KMS_KEY_SPECS: readonly string[] = Object.keys(SCHEMES);

/** The signing scheme for a KMS KeySpec, or undefined when cosign cannot sign with it. */
export function kmsSigningScheme(keySpec: string | undefined): KmsSigningScheme | undefined {
  return keySpec === undefined ? undefined : SCHEMES[keySpec];
}
