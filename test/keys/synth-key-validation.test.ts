/**
 * The policy (and so `cdk synth`, `image-guard check` and the Lambda's start) validates PEM keys with
 * the runtime's own reader: a key the runtime would refuse fails the policy, with the runtime's words.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { GuardError } from '../../lambda/errors';
import { parsePemKey } from '../../lambda/keys/pem-key';
import { PolicyError } from '../../lambda/policy/issues';
import { parsePolicy } from '../../lambda/policy/load';
import { synthGuard, writePolicy } from '../cdk/support';
import { indent } from '../policy/support';

const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
const spkiBase64 = (der: Buffer) => der.toString('base64').replace(/(.{64})/g, '$1\n');
const block = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${spkiBase64(der)}\n-----END ${label}-----\n`;

/** PEM keys whose blocks look fine but which the runtime cannot load. */
const BAD_KEYS: [string, string][] = [
  ['an "EC PUBLIC KEY" block', block('EC PUBLIC KEY', p256.export({ type: 'spki', format: 'der' }))],
  [
    'a secp256k1 key',
    generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString(),
  ],
  ['garbage inside "PUBLIC KEY"', block('PUBLIC KEY', randomBytes(91))],
  [
    'an RSA key of 1024 bits',
    generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString(),
  ],
];

/** What the runtime says is wrong with `pem` (the part after `key "NAME" (SOURCE): `). */
function runtimeProblem(pem: string): string {
  try {
    parsePemKey({ name: 'k', pem, source: 'test' });
  } catch (e) {
    expect(e).toBeInstanceOf(GuardError);
    return (e as Error).message.replace(/^key "k" \(test\): /, '');
  }
  throw new Error('the runtime accepted the key');
}

const policyWith = (pems: string[]) =>
  `keys:\n${pems.map((pem, i) => `  - name: k${i}\n    publicKey: |\n${indent(pem, 6)}\n`).join('')}`;

describe('PEM keys: the policy accepts exactly what the runtime can load', () => {
  it.each(BAD_KEYS)('rejects %s with the runtime message', (_what, pem) => {
    const problem = runtimeProblem(pem);
    let issues: unknown;
    try {
      parsePolicy(policyWith([pem]), { source: 'policy.yaml' });
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyError);
      issues = (e as PolicyError).issues;
    }
    expect(issues).toEqual([
      { path: 'keys[0].publicKey', message: `is not a usable public key: ${problem}` },
    ]);
  });

  it('rejects the same keys from a publicKeyFile', () => {
    const [, pem] = BAD_KEYS[1]!;
    expect(() =>
      parsePolicy('keys: [{ name: k, publicKeyFile: k.pub }]\n', {
        source: 'policy.yaml',
        baseDir: '/policies',
        readFile: () => pem,
      }),
    ).toThrow(`"/policies/k.pub" is not a usable public key: ${runtimeProblem(pem)}`);
  });

  it('accepts the key forms the runtime loads', () => {
    const good = [
      p256.export({ type: 'spki', format: 'pem' }).toString(),
      generateKeyPairSync('rsa', { modulusLength: 2048 })
        .publicKey.export({ type: 'pkcs1', format: 'pem' })
        .toString(),
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    ];
    expect(parsePolicy(policyWith(good), { source: 'policy.yaml' }).keys).toHaveLength(3);
  });

  it('fails the synth on each such key, naming the key field and the runtime problem', () => {
    const pems = BAD_KEYS.map(([, pem]) => pem);
    const rules = 'rules: [{ name: r, keys: [k0, k1, k2, k3] }]\n';
    let message = '';
    try {
      synthGuard({ policyFile: writePolicy(policyWith(pems) + rules) });
    } catch (e) {
      message = (e as Error).message;
    }
    pems.forEach((pem, i) => {
      expect(message).toContain(`keys[${i}].publicKey: is not a usable public key: ${runtimeProblem(pem)}`);
    });
  });
});
