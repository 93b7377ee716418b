/* eslint-disable @typescript-eslint/no-explicit-any -- the shape cases edit parsed JSON freely */
/**
 * The Lambda's policy loader: the compiled policy.json synth shipped, checked against the SHA-256 in
 * the environment and for the compiled shape, without the YAML parser or the schema library.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { GuardError } from '../../lambda/errors';
import { policySha256 } from '../../lambda/policy/hash';
import { loadPolicyFile } from '../../lambda/policy/load';
import { MAX_POLICY_BYTES, loadShippedPolicy } from '../../lambda/policy/shipped';
import { ReasonCode } from '../../lambda/reasons';

const ROOT = path.resolve(__dirname, '../..');
const compiled = loadPolicyFile(path.join(ROOT, 'policy.example.yaml'));
const shippedJson = JSON.stringify(compiled, null, 2); // what lib/guard-policy.ts ships
const sha256 = policySha256(compiled);
const PEM_KEY = compiled.keys.findIndex((k) => 'publicKey' in k);

/** A structurally edited copy of the policy, shipped with its own (matching) hash. */
function shippedEdit(change: (p: Record<string, any>) => void): [string, string] {
  const p = JSON.parse(shippedJson) as Record<string, any>;
  change(p);
  return [JSON.stringify(p), policySha256(p as never)];
}

function refusal(text: string, hash: string | undefined): GuardError {
  try {
    loadShippedPolicy(text, hash, 'policy.json');
  } catch (e) {
    expect(e).toBeInstanceOf(GuardError);
    expect(e).toMatchObject({ code: ReasonCode.POLICY_INVALID });
    return e as GuardError;
  }
  throw new Error('the policy was accepted');
}

describe('loadShippedPolicy', () => {
  it('returns exactly the policy synth compiled, frozen', () => {
    const policy = loadShippedPolicy(shippedJson, sha256, 'policy.json');
    expect(policy).toEqual(compiled);
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.rules[0]!.match)).toBe(true);
  });

  it('refuses a file whose SHA-256 is not the deployed one (edited after synth)', () => {
    const edited = shippedJson.replace(/"mode": "enforce"/, '"mode": "audit"');
    expect(edited).not.toBe(shippedJson);
    expect(refusal(edited, sha256).message).toMatch(
      new RegExp(`^policy\\.json: SHA-256 [0-9a-f]{64} is not the deployed policy's ${sha256}`),
    );
  });

  it.each([
    ['absent', undefined],
    ['not hex', 'z'.repeat(64)],
    ['too short', sha256.slice(1)],
  ])('refuses when the expected hash is %s', (_what, hash) => {
    expect(refusal(shippedJson, hash).message).toMatch(/IMAGE_GUARD_POLICY_SHA256/);
  });

  it('refuses what is not JSON, or too large, before hashing', () => {
    expect(refusal('mode: enforce\n', sha256).message).toMatch(/not JSON/);
    expect(refusal(' '.repeat(MAX_POLICY_BYTES + 1), sha256).message).toMatch(/limit is/);
  });

  // Each of these hashes to its own (matching) value: only the shape check can refuse it.
  it.each<[string, (p: Record<string, any>) => void, RegExp]>([
    ['a YAML-era policy file (no version)', (p) => delete p.version, /version is missing/],
    ['an unknown mode', (p) => (p.mode = 'permissive'), /mode is missing or invalid/],
    ['an unknown onError', (p) => (p.onError = 'ignore'), /onError/],
    ['keys not a list', (p) => (p.keys = {}), /keys is missing/],
    [
      'a PEM key without its hash',
      (p) => delete p.keys[PEM_KEY].hashAlgorithm,
      new RegExp(`keys\\[${PEM_KEY}\\]\\.hashAlgorithm`),
    ],
    ['a KMS key without a reference', (p) => (p.keys[0] = { name: 'x', kms: '' }), /keys\[0\]\.kms/],
    ['a rule with an unknown require', (p) => (p.rules[0].require = 'most'), /rules\[0\]\.require/],
    ['a rule whose tlog mode is unresolved', (p) => delete p.rules[0].transparencyLog, /transparencyLog/],
    ['match.images not a list', (p) => (p.rules[0].match.images = 'a/**'), /rules\[0\]\.match\.images/],
    ['a trusted image without a reason', (p) => (p.trustedImages = [{ image: 'a' }]), /trustedImages\[0\]/],
    ['registries.insecure missing', (p) => (p.registries = {}), /registries\.insecure/],
    ['rekorPublicKeys not strings', (p) => (p.rekorPublicKeys = [1]), /rekorPublicKeys/],
  ])('refuses %s', (_what, change, message) => {
    const [text, hash] = shippedEdit(change);
    expect(refusal(text, hash).message).toMatch(message);
  });

  it('refuses a list or a string (hash matching)', () => {
    expect(refusal('[]', policySha256([] as never)).message).toMatch(/the policy is not an object/);
    expect(refusal('"x"', policySha256('x' as never)).message).toMatch(/the policy is not an object/);
  });

  it('the example policy has what the shape cases above edit', () => {
    expect(compiled.keys[PEM_KEY]).toHaveProperty('hashAlgorithm');
    expect(compiled.rules[0]!.match.images).toBeDefined();
  });
});

describe('the Lambda bundle', () => {
  // lambda/policy/schema.ts (and zod) may still come in through other modules; see the bench's report.
  it('contains neither the YAML parser nor the policy file loader and compiler', async () => {
    const result = await build({
      entryPoints: [path.join(ROOT, 'lambda', 'handler.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      metafile: true,
      external: ['@aws-sdk/*', 'undici'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('lambda/policy/shipped.ts');
    for (const heavy of [/node_modules\/yaml\//, /^lambda\/policy\/(load|compile|cross-checks)\.ts$/]) {
      expect(inputs.filter((i) => heavy.test(i))).toEqual([]);
    }
  });
});
