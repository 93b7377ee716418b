import { UsageError, parseCliArgs } from '../../lambda/cli/args';

describe('parseCliArgs', () => {
  it('parses verify with repeated keys and insecure registries', () => {
    const args = parseCliArgs([
      'verify',
      'a:1',
      'b@sha256:' + 'c'.repeat(64),
      '--key',
      'k.pub',
      '--key',
      'awskms:///alias/ci',
      '--insecure-registry',
      '127.0.0.1:5000',
      '--hash',
      'sha384',
      '--json',
    ]);
    expect(args).toMatchObject({
      command: 'verify',
      images: ['a:1', 'b@sha256:' + 'c'.repeat(64)],
      keys: ['k.pub', 'awskms:///alias/ci'],
      insecureRegistries: ['127.0.0.1:5000'],
      hash: 'sha384',
      tlog: 'verify-if-present',
      json: true,
    });
  });

  it('parses check', () => {
    expect(parseCliArgs(['check', '--policy', 'p.yaml', '--event', 'e.json'])).toMatchObject({
      command: 'check',
      policy: 'p.yaml',
      event: 'e.json',
      json: false,
    });
  });

  it.each([
    [['verify', '--key', 'k.pub'], /at least one IMAGE/],
    [['verify', 'nginx'], /at least one --key/],
    [['verify', 'nginx', '--key', 'k', '--hash', 'md5'], /--hash must be one of/],
    [['verify', 'nginx', '--key', 'k', '--tlog', 'maybe'], /--tlog must be one of/],
    [['verify', 'nginx', '--key', 'k', '--bogus'], /bogus/],
    [['verify', 'nginx', '--key', 'k', '--insecure-registry', 'http://x'], /HOST\[:PORT\]/],
    [['verify', 'nginx', '--key', 'k', '--timeout', '-1'], /--timeout/],
    [['check', '--policy', 'p'], /--event/],
    [['check', '--policy', 'p', '--event', 'e', '--key', 'k'], /not an option of check/],
    [['check', '--policy', 'p', '--event', 'e', 'extra'], /positional/i],
    [['launch'], /unknown command/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseCliArgs(argv as string[])).toThrow(message as RegExp);
  });

  it('treats no arguments as a request for help', () => {
    expect(parseCliArgs([])).toEqual({ command: 'help' });
  });
});
