import { UsageError, parseCliArgs } from '../../lambda/cli/args';
import { CHECK_HELP, VERIFY_HELP } from '../../lambda/cli/usage';

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
    [['check', '--policy', 'p', '--event', 'e', '--key-file', 'ci'], /NAME=FILE/],
    [['check', '--policy', 'p', '--event', 'e', '--key-file', '=k.pub'], /NAME=FILE/],
    [['verify', 'nginx', '--key', 'k', '--key-file', 'ci=k.pub'], /belong to check/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseCliArgs(argv as string[])).toThrow(message as RegExp);
  });

  it('treats no arguments as a request for help', () => {
    expect(parseCliArgs([])).toEqual({ command: 'help' });
  });

  it("--help anywhere on a command line asks for that command's help, before any other check", () => {
    expect(parseCliArgs(['verify', '--help'])).toEqual({ command: 'help', topic: 'verify' });
    expect(parseCliArgs(['check', '--bogus', '-h'])).toEqual({ command: 'help', topic: 'check' });
    expect(parseCliArgs(['help', 'check'])).toEqual({ command: 'help', topic: 'check' });
    expect(parseCliArgs(['--version'])).toEqual({ command: 'version' });
    // After `--`, --help is an image operand, not a flag.
    expect(() => parseCliArgs(['verify', '--', '--help'])).toThrow(/at least one --key/);
  });

  it('usage errors name the command whose help to read', () => {
    expect(() => parseCliArgs(['check', '--policy', 'p'])).toThrow(
      expect.objectContaining({ topic: 'check' }) as Error,
    );
    expect(() => parseCliArgs(['launch'])).toThrow(expect.objectContaining({ topic: undefined }) as Error);
  });

  it('parses check --key-file NAME=FILE (repeatable; FILE may contain "=")', () => {
    expect(
      parseCliArgs([
        'check',
        '--policy',
        'p',
        '--event',
        'e',
        '--key-file',
        'ci=keys/ci.pub',
        '--key-file',
        'release=a=b.pem',
      ]),
    ).toMatchObject({
      keyFiles: [
        { name: 'ci', file: 'keys/ci.pub' },
        { name: 'release', file: 'a=b.pem' },
      ],
    });
    expect(parseCliArgs(['check', '--policy', 'p', '--event', 'e'])).toMatchObject({ keyFiles: [] });
  });
});

/** Each option's block in a help text: from its "  --flag" line to the next option line. */
function optionBlocks(help: string): Map<string, string> {
  const blocks = new Map<string, string>();
  let current: string | undefined;
  for (const line of help.split('\n')) {
    const flag = /^ {2}(?:-h, )?(--[a-z-]+)/.exec(line)?.[1];
    if (flag !== undefined) {
      current = flag;
      blocks.set(flag, line);
    } else if (current !== undefined && /^ {20,}\S/.test(line)) {
      blocks.set(current, `${blocks.get(current)} ${line.trim()}`);
    } else {
      current = undefined;
    }
  }
  return blocks;
}

describe('help texts', () => {
  it.each([
    [
      'verify',
      VERIFY_HELP,
      ['key', 'hash', 'tlog', 'rekor-key', 'insecure-registry', 'ca-file', 'timeout', 'json'],
    ],
    ['check', CHECK_HELP, ['policy', 'event', 'key-file', 'insecure-registry', 'ca-file', 'timeout', 'json']],
  ])(
    '%s --help describes every option the parser accepts, each with its default',
    (_command, help, flags) => {
      const blocks = optionBlocks(help);
      for (const flag of flags) {
        const block = blocks.get(`--${flag}`);
        expect(block).toBeDefined();
        // Optional options say their default; the required ones say they are required.
        expect(block).toMatch(/Default: |Required|at least one/);
      }
      expect(blocks.get('--help')).toBeDefined();
    },
  );

  it('the help lists exactly the options the parser accepts (no stale, no missing)', () => {
    for (const [command, help] of [
      ['verify', VERIFY_HELP],
      ['check', CHECK_HELP],
    ] as const) {
      for (const flag of optionBlocks(help).keys()) {
        if (flag === '--help') continue;
        // An option of the command parses (with a value when it takes one), so it is not "unknown".
        let message = '';
        try {
          parseCliArgs([command, flag, 'x']);
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).not.toMatch(/Unknown option/);
      }
    }
  });
});
