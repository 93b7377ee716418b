import fc from 'fast-check';
import { parseWwwAuthenticate } from '../../lambda/registry/auth/www-authenticate';

describe('parseWwwAuthenticate', () => {
  it('reads the distribution Bearer challenge', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull',
        },
      },
    ]);
  });

  it("reads ECR's Basic challenge", () => {
    expect(
      parseWwwAuthenticate(
        'Basic realm="https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/",service="ecr.amazonaws.com"',
      ),
    ).toEqual([
      {
        scheme: 'basic',
        params: {
          realm: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/',
          service: 'ecr.amazonaws.com',
        },
      },
    ]);
  });

  it('splits several challenges, including header lines joined by ", "', () => {
    const challenges = parseWwwAuthenticate(
      'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple", Bearer realm="https://t/x",scope="a:b:pull,push"',
    );
    expect(challenges).toEqual([
      { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'basic', params: { realm: 'simple' } },
      { scheme: 'bearer', params: { realm: 'https://t/x', scope: 'a:b:pull,push' } },
    ]);
  });

  it('is case-insensitive in scheme and parameter names, tolerant of spaces around "="', () => {
    expect(parseWwwAuthenticate('BEARER Realm = "r" ,  SERVICE=s')).toEqual([
      { scheme: 'bearer', params: { realm: 'r', service: 's' } },
    ]);
  });

  it('reads token68 challenges and bare schemes', () => {
    expect(parseWwwAuthenticate('Negotiate abc+/def==, Basic')).toEqual([
      { scheme: 'negotiate', params: {}, token68: 'abc+/def==' },
      { scheme: 'basic', params: {} },
    ]);
  });

  it('keeps the first of duplicated parameters and never sets prototype keys', () => {
    const [challenge] = parseWwwAuthenticate('Bearer realm="a", realm="b", __proto__="x"');
    expect(challenge?.params.realm).toBe('a');
    expect(Object.getPrototypeOf(challenge?.params)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(challenge?.params, '__proto__')).toBe(true);
  });

  it('returns nothing for an absent or empty header', () => {
    expect(parseWwwAuthenticate(null)).toEqual([]);
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate(' , ')).toEqual([]);
  });

  it('never throws and always returns lower-case schemes, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (header) => {
        const challenges = parseWwwAuthenticate(header);
        for (const c of challenges) expect(c.scheme).toBe(c.scheme.toLowerCase());
      }),
      { numRuns: 2000 },
    );
  });
});
