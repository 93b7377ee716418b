import { parseArgs } from 'node:util';
import type { TlogMode } from '../cosign/types';
import { HASH_ALGORITHMS, isHashAlgorithm } from '../keys/hash-algorithm';
import type { HashAlgorithm } from '../keys/types';

/** A command line that cannot be run: one line on stderr pointing at --help, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The command whose --help to point at. */
    readonly topic?: 'verify' | 'check',
  ) {
    super(message);
  }
}

type Command = 'verify' | 'check';

interface CommonArgs {
  insecureRegistries: string[];
  caFile?: string;
  timeoutMs: number;
  json: boolean;
}

export interface VerifyArgs extends CommonArgs {
  command: 'verify';
  images: string[];
  keys: string[];
  hash?: HashAlgorithm;
  tlog: TlogMode;
  rekorKeys: string[];
}

export interface CheckArgs extends CommonArgs {
  command: 'check';
  policy: string;
  /** The saved task event; absent when a hook payload is checked instead. */
  event?: string;
  /** `--hook-payload FILE`: a deployment lifecycle hook payload, with `--service-revision FILE`. */
  hookPayload?: string;
  serviceRevision?: string;
  /** `--key-file NAME=FILE`: policy key NAME replaced by the PEM in FILE, in the order given. */
  keyFiles: { name: string; file: string }[];
}

export type CliArgs = VerifyArgs | CheckArgs | { command: 'help'; topic?: Command } | { command: 'version' };

const TLOG_MODES: readonly TlogMode[] = ['ignore', 'verify-if-present', 'required'];
const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

const HELP_FLAGS = new Set(['--help', '-h']);

export function parseCliArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || HELP_FLAGS.has(command)) {
    const topic = command === 'help' && (rest[0] === 'verify' || rest[0] === 'check') ? rest[0] : undefined;
    return { command: 'help', topic };
  }
  if (command === '--version' || command === '-V' || command === 'version') return { command: 'version' };
  if (command !== 'verify' && command !== 'check') {
    throw new UsageError(`unknown command "${command.slice(0, 60)}" (commands: verify, check)`);
  }
  // Help wins over every other problem on the line; `--` ends options, so a later --help is an operand.
  const end = rest.indexOf('--');
  if ((end < 0 ? rest : rest.slice(0, end)).some((a) => HELP_FLAGS.has(a)))
    return { command: 'help', topic: command };
  try {
    return parseCommand(command, rest);
  } catch (e) {
    if (e instanceof UsageError && e.topic === undefined) throw new UsageError(e.message, command);
    throw e;
  }
}

function parseCommand(command: Command, rest: string[]): VerifyArgs | CheckArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: command === 'verify',
      strict: true,
      options: {
        key: { type: 'string', multiple: true },
        hash: { type: 'string' },
        tlog: { type: 'string' },
        'rekor-key': { type: 'string', multiple: true },
        'insecure-registry': { type: 'string', multiple: true },
        'ca-file': { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean', default: false },
        policy: { type: 'string' },
        event: { type: 'string' },
        'key-file': { type: 'string', multiple: true },
        'hook-payload': { type: 'string' },
        'service-revision': { type: 'string' },
      },
    });
  } catch (e) {
    // node:util's messages can span lines (and suggest `--`): keep the first line.
    const message = e instanceof Error ? e.message : String(e);
    throw new UsageError(message.split('\n')[0] ?? message);
  }
  const v = parsed.values;
  const insecureRegistries = v['insecure-registry'] ?? [];
  for (const host of insecureRegistries) {
    if (!HOST_PORT.test(host)) throw new UsageError(`--insecure-registry expects HOST[:PORT], got "${host}"`);
  }
  const common: CommonArgs = {
    insecureRegistries,
    caFile: v['ca-file'],
    timeoutMs: parseTimeout(v.timeout),
    json: v.json ?? false,
  };

  if (command === 'check') {
    for (const flag of ['key', 'hash', 'tlog', 'rekor-key'] as const) {
      if (v[flag] !== undefined)
        throw new UsageError(`--${flag} is not an option of check (keys come from the policy)`);
    }
    if (!v.policy) throw new UsageError('check needs --policy FILE');
    const keyFiles = (v['key-file'] ?? []).map(parseKeyFile);
    const hookPayload = v['hook-payload'];
    const serviceRevision = v['service-revision'];
    if (hookPayload !== undefined || serviceRevision !== undefined) {
      if (v.event !== undefined)
        throw new UsageError('check takes either --event or --hook-payload, not both');
      if (!hookPayload) throw new UsageError('--service-revision goes with --hook-payload FILE');
      // The CLI runs without AWS: the revision ECS would describe comes from a file.
      if (!serviceRevision)
        throw new UsageError(
          '--hook-payload needs --service-revision FILE (a saved describe-service-revisions output)',
        );
      return { command, policy: v.policy, hookPayload, serviceRevision, keyFiles, ...common };
    }
    if (!v.event) throw new UsageError('check needs --event FILE');
    return { command, policy: v.policy, event: v.event, keyFiles, ...common };
  }

  if (
    v.policy !== undefined ||
    v.event !== undefined ||
    v['key-file'] !== undefined ||
    v['hook-payload'] !== undefined ||
    v['service-revision'] !== undefined
  )
    throw new UsageError(
      '--policy, --event, --hook-payload, --service-revision and --key-file belong to check',
    );
  const images = parsed.positionals;
  if (images.length === 0) throw new UsageError('verify needs at least one IMAGE');
  const keys = v.key ?? [];
  if (keys.length === 0) throw new UsageError('verify needs at least one --key');
  if (v.hash !== undefined && !isHashAlgorithm(v.hash)) {
    throw new UsageError(`--hash must be one of ${HASH_ALGORITHMS.join(', ')}, got "${v.hash}"`);
  }
  if (v.tlog !== undefined && !TLOG_MODES.includes(v.tlog as TlogMode)) {
    throw new UsageError(`--tlog must be one of ${TLOG_MODES.join(', ')}, got "${v.tlog}"`);
  }
  return {
    command,
    images,
    keys,
    hash: v.hash as HashAlgorithm | undefined,
    tlog: (v.tlog as TlogMode | undefined) ?? 'verify-if-present',
    rekorKeys: v['rekor-key'] ?? [],
    ...common,
  };
}

function parseKeyFile(value: string): { name: string; file: string } {
  const at = value.indexOf('=');
  if (at <= 0 || at === value.length - 1) {
    throw new UsageError(`--key-file expects NAME=FILE (a policy key name and a PEM file), got "${value}"`);
  }
  return { name: value.slice(0, at), file: value.slice(at + 1) };
}

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return 60_000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new UsageError(`--timeout must be a number of seconds between 0 and 3600, got "${value}"`);
  }
  return Math.round(seconds * 1000);
}
