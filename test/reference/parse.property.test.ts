import fc from 'fast-check';
import { GuardError } from '../../lambda/errors';
import { ReasonCode } from '../../lambda/reasons';
import { formatReference, parseImageReference } from '../../lambda/reference/parse';
import type { ImageReference } from '../../lambda/reference/types';

const alnum = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const separator = fc.constantFrom('.', '_', '__', '-', '---');
const pathComponent = fc
  .tuple(alnum, fc.array(fc.tuple(separator, alnum), { maxLength: 3 }))
  .map(([head, rest]) => head + rest.map(([s, a]) => s + a).join(''));
const repositoryPath = fc.array(pathComponent, { minLength: 1, maxLength: 4 }).map((c) => c.join('/'));
const port = fc.integer({ min: 1, max: 65535 });
const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
const registryHost = fc.oneof(
  fc.constantFrom('docker.io', 'ghcr.io', 'public.ecr.aws', 'localhost', 'quay.io'),
  fc
    .tuple(fc.stringMatching(/^[0-9]{12}$/), fc.constantFrom('eu-west-1', 'us-east-1', 'cn-north-1'))
    .map(([acct, region]) => `${acct}.dkr.ecr.${region}.amazonaws.com`),
  port.map((p) => `localhost:${p}`),
  port.map((p) => `127.0.0.1:${p}`),
  port.map((p) => `[::1]:${p}`),
  fc
    .tuple(label, label, fc.option(port, { nil: undefined }))
    .map(([a, b, p]) => `${a}.${b}${p ? `:${p}` : ''}`),
);
const tag = fc.stringMatching(/^[\w][\w.-]{0,30}$/);
const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'));
const digest = fc.oneof(
  hex(32).map((h) => `sha256:${h}`),
  hex(64).map((h) => `sha512:${h}`),
);

/** A normalised reference, built from the grammar directly (independently of the parser). */
const normalisedReference: fc.Arbitrary<ImageReference> = fc
  .record({
    registry: registryHost,
    repository: repositoryPath,
    tag: fc.option(tag, { nil: undefined }),
    digest: fc.option(digest, { nil: undefined }),
  })
  .map(({ registry, repository, tag: t, digest: d }) => {
    const ref: ImageReference = {
      registry,
      repository:
        registry === 'docker.io' && !repository.includes('/') ? `library/${repository}` : repository,
    };
    if (t !== undefined) ref.tag = t;
    if (d !== undefined) ref.digest = d;
    if (t === undefined && d === undefined) ref.tag = 'latest';
    return ref;
  })
  .filter((ref) => `${ref.registry}/${ref.repository}`.length <= 255);

function expectOnlyInvalidReference(input: string): ImageReference | undefined {
  try {
    return parseImageReference(input);
  } catch (e) {
    expect(e).toBeInstanceOf(GuardError);
    expect((e as GuardError).code).toBe(ReasonCode.INVALID_REFERENCE);
    expect((e as GuardError).message.length).toBeGreaterThan(0);
    return undefined;
  }
}

describe('parseImageReference properties', () => {
  it('round trip: parse(format(ref)) gives back the normalised reference', () => {
    fc.assert(
      fc.property(normalisedReference, (ref) => {
        expect(parseImageReference(formatReference(ref))).toEqual(ref);
      }),
      { numRuns: 500 },
    );
  });

  it('Docker Hub short names normalise to the same reference as the long form', () => {
    fc.assert(
      fc.property(pathComponent, fc.option(tag, { nil: undefined }), (name, t) => {
        const suffix = t === undefined ? '' : `:${t}`;
        const short = parseImageReference(`${name}${suffix}`);
        expect(short).toEqual(parseImageReference(`docker.io/library/${name}${suffix}`));
        expect(short).toEqual(parseImageReference(`index.docker.io/library/${name}${suffix}`));
        expect(formatReference(short)).toBe(`docker.io/library/${name}:${t ?? 'latest'}`);
      }),
      { numRuns: 200 },
    );
  });

  it('normalisation is idempotent', () => {
    const referenceLike = fc.oneof(
      normalisedReference.map((r) => formatReference(r)),
      // A bare path whose first component has no "." is a Docker Hub name (with ".", it is a host).
      fc
        .tuple(repositoryPath, fc.option(tag, { nil: undefined }))
        .filter(([r]) => !(r.split('/')[0] ?? '').includes('.'))
        .map(([r, t]) => (t ? `${r}:${t}` : r)),
    );
    fc.assert(
      fc.property(referenceLike, (input) => {
        const once = formatReference(parseImageReference(input));
        expect(formatReference(parseImageReference(once))).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary strings either parse to a stable reference or throw GuardError INVALID_REFERENCE', () => {
    const alphabet = fc.constantFrom(...'aZ09:/@._-[]+ \t\u0000é'.split(''), 'sha256:', 'localhost', A64());
    const referenceAlphabetString = fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), referenceAlphabetString),
        (input) => {
          const parsed = expectOnlyInvalidReference(input);
          if (parsed) {
            const text = formatReference(parsed);
            expect(parseImageReference(text)).toEqual(parsed);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('any upper-case letter in a repository path is rejected', () => {
    fc.assert(
      fc.property(normalisedReference, fc.nat(), fc.constantFrom(...'ABCXYZ'.split('')), (ref, at, upper) => {
        const position = at % ref.repository.length;
        const repository = ref.repository.slice(0, position) + upper + ref.repository.slice(position + 1);
        const input = formatReference({ ...ref, repository });
        expect(() => parseImageReference(input)).toThrow(
          expect.objectContaining({ code: ReasonCode.INVALID_REFERENCE }),
        );
      }),
      { numRuns: 300 },
    );
  });
});

function A64(): string {
  return 'a'.repeat(64);
}
