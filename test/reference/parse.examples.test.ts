import { GuardError } from '../../lambda/errors';
import { ReasonCode } from '../../lambda/reasons';
import { formatReference, parseImageReference } from '../../lambda/reference/parse';

const A64 = 'a'.repeat(64);
const B64 = '0123456789abcdef'.repeat(4);
const S512 = 'c'.repeat(128);

describe('parseImageReference: accepted forms, normalised', () => {
  const table: Array<[string, string]> = [
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['library/nginx', 'docker.io/library/nginx:latest'],
    ['user/app', 'docker.io/user/app:latest'],
    ['user/app:v1.2.3', 'docker.io/user/app:v1.2.3'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['index.docker.io/nginx:1', 'docker.io/library/nginx:1'],
    ['registry-1.docker.io/user/app:2', 'docker.io/user/app:2'],
    ['DOCKER.IO/user/app', 'docker.io/user/app:latest'],
    [`nginx@sha256:${A64}`, `docker.io/library/nginx@sha256:${A64}`],
    [`nginx:1.27@sha256:${A64}`, `docker.io/library/nginx:1.27@sha256:${A64}`],
    [`nginx@sha512:${S512}`, `docker.io/library/nginx@sha512:${S512}`],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:prod',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:prod',
    ],
    [
      `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${B64}`,
      `123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:${B64}`,
    ],
    [
      'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
      'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
    ],
    ['ghcr.io/sigstore/cosign/cosign:v3.0.2', 'ghcr.io/sigstore/cosign/cosign:v3.0.2'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    [`localhost:5000/a/b:tag@sha256:${A64}`, `localhost:5000/a/b:tag@sha256:${A64}`],
    ['registry.example.com:8443/a/b/c:1', 'registry.example.com:8443/a/b/c:1'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000/x:latest'],
    ['[::1]:5000/app:tag', '[::1]:5000/app:tag'],
    ['[fe80::1]/app', '[fe80::1]/app:latest'],
    ['MyRegistry/app', 'MyRegistry/app:latest'],
    ['Registry.Example.com/app', 'registry.example.com/app:latest'],
    ['a/b__c/d-----e/f.g_h', 'docker.io/a/b__c/d-----e/f.g_h:latest'],
    ['nginx:_underscore-start', 'docker.io/library/nginx:_underscore-start'],
    [`nginx:${'t'.repeat(128)}`, `docker.io/library/nginx:${'t'.repeat(128)}`],
    ['localhost', 'docker.io/library/localhost:latest'],
    ['localhost:5000', 'docker.io/library/localhost:5000'],
  ];
  it.each(table)('%s → %s', (input, expected) => {
    expect(formatReference(parseImageReference(input))).toBe(expected);
  });

  it('returns the fields separately, with the tag defaulted only without tag and digest', () => {
    expect(parseImageReference('nginx')).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: 'latest',
    });
    expect(parseImageReference(`ghcr.io/o/r@sha256:${A64}`)).toEqual({
      registry: 'ghcr.io',
      repository: 'o/r',
      digest: `sha256:${A64}`,
    });
    expect(parseImageReference(`[::1]:5000/o/r:t@sha256:${A64}`)).toEqual({
      registry: '[::1]:5000',
      repository: 'o/r',
      tag: 't',
      digest: `sha256:${A64}`,
    });
  });

  it('keeps a host recognised only by its upper case stable under re-parsing', () => {
    for (const input of ['Z/a', 'MyHost/team/app:1']) {
      const once = parseImageReference(input);
      expect(parseImageReference(formatReference(once))).toEqual(once);
      expect(once.registry).not.toBe('docker.io');
    }
  });

  it('formats with or without tag and digest on request', () => {
    const ref = parseImageReference(`host:5000/a/b:tag@sha256:${A64}`);
    expect(formatReference(ref)).toBe(`host:5000/a/b:tag@sha256:${A64}`);
    expect(formatReference(ref, { withTag: false })).toBe(`host:5000/a/b@sha256:${A64}`);
    expect(formatReference(ref, { withDigest: false })).toBe('host:5000/a/b:tag');
    expect(formatReference(ref, { withTag: false, withDigest: false })).toBe('host:5000/a/b');
  });
});

describe('parseImageReference: rejected input names what is wrong', () => {
  const longName = `r.io/${Array.from({ length: 26 }, () => 'abcdefghi').join('/')}`;
  const table: Array<[string, string, string]> = [
    ['empty', '', 'the reference is empty'],
    ['upper-case repository', 'ghcr.io/Org/app', 'must be lower case'],
    ['upper-case short name', 'Nginx', 'must be lower case'],
    ['space', 'nginx :1', 'contains whitespace at position 6'],
    ['tab', 'nginx\t', 'contains whitespace at position 6'],
    ['control character', 'ngi\u0001nx', 'control character U+0001 at position 4'],
    ['DEL', 'nginx\u007f', 'control character U+007F'],
    ['non-ASCII', 'nginé', 'non-ASCII character "é"'],
    ['trailing colon', 'nginx:', 'the tag after ":" is empty'],
    ['trailing colon with host', 'localhost:5000/app:', 'the tag after ":" is empty'],
    ['double dot', 'a..b', 'contains ".."'],
    ['double dot in path', 'ghcr.io/a/../b', 'contains ".."'],
    ['empty component', 'a//b', 'empty component'],
    ['trailing slash', 'ghcr.io/a/', 'empty component'],
    ['registry only', 'ghcr.io/', 'the repository path is empty'],
    ['leading separator', 'ghcr.io/-a', 'must start and end with a lower-case letter or digit'],
    ['mixed separator', 'a._b', 'separator "._"'],
    ['triple underscore', 'a___b', 'separator "___"'],
    ['bad char in path', 'ghcr.io/a+b', 'contains "+"'],
    ['empty digest', 'nginx@', 'the digest after "@" is empty'],
    ['two @', `nginx@sha256:${A64}@sha256:${A64}`, 'more than one "@"'],
    ['digest without algorithm', 'nginx@abc', 'expected "<algorithm>:<hex>"'],
    [
      'short sha256',
      `nginx@sha256:${'a'.repeat(63)}`,
      'sha256 digests have 64 hexadecimal characters, found 63',
    ],
    ['upper-case sha256', `nginx@sha256:${'A'.repeat(64)}`, 'lower-case hexadecimal'],
    ['unknown algorithm', `nginx@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm "md5"'],
    ['bad algorithm name', `nginx@SHA256:${A64}`, 'not a valid digest algorithm name'],
    ['empty encoded', 'nginx@sha256:', 'the encoded part after ":" is empty'],
    ['tag too long', `nginx:${'t'.repeat(129)}`, 'the tag is 129 characters long; the maximum is 128'],
    ['tag starting with dot', 'nginx:.x', 'tag ".x" is invalid'],
    ['tag with slash-free colon junk', 'nginx:a:b', 'contains ":"'],
    ['port 0', 'host:0/app', 'registry port "0" must be a number from 1 to 65535'],
    ['port too big', 'host:65536/app', 'must be a number from 1 to 65535'],
    ['empty port', 'host:/app', 'has no port number'],
    ['bad DNS label', 'bad-.example.com/app', '"bad-" is not a DNS label'],
    ['bad IPv6', '[::g]:5000/app', 'is not an IPv6 address'],
    ['unclosed IPv6', '[::1:5000/app', 'without a closing "]"'],
    ['image ID as name', A64, 'cannot be 64 hexadecimal characters'],
    ['name too long', longName, 'the maximum is 255'],
    ['input too long', `a/${'b'.repeat(1100)}`, 'the maximum is 1024'],
  ];
  it.each(table)('%s', (_label, input, message) => {
    let thrown: unknown;
    try {
      parseImageReference(input);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GuardError);
    expect((thrown as GuardError).code).toBe(ReasonCode.INVALID_REFERENCE);
    expect((thrown as GuardError).message).toContain(message);
  });

  it('rejects a non-string with a GuardError', () => {
    expect(() => parseImageReference(42 as unknown as string)).toThrow(
      expect.objectContaining({ code: ReasonCode.INVALID_REFERENCE }),
    );
  });
});
