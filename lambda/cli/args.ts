import { parseArgs } from 'node:util';
import type { TlogMode } from '../cosign/types';
import type { HashAlgorithm } from '../keys/types';

/** A command line that cannot be run: printed with the usage, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

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
  event: string;
}

export type CliArgs = VerifyArgs | CheckArgs | { command: 'help' };

const HASHES: readonly HashAlgorithm[] = ['sha256', 'sha384', 'sha512'];
const TLOG_MODES: readonly TlogMode[] = ['ignore', 'verify-if-present', 'required'];
const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

export function parseCliArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (command !== 'verify' && command !== 'check') throw new UsageError(`unknown command "${command}"`);

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
      },
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
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
    if (!v.event) throw new UsageError('check needs --event FILE');
    return { command, policy: v.policy, event: v.event, ...common };
  }

  if (v.policy !== undefined || v.event !== undefined)
    throw new UsageError('--policy and --event belong to check');
  const images = parsed.positionals;
  if (images.length === 0) throw new UsageError('verify needs at least one IMAGE');
  const keys = v.key ?? [];
  if (keys.length === 0) throw new UsageError('verify needs at least one --key');
  if (v.hash !== undefined && !HASHES.includes(v.hash as HashAlgorithm)) {
    throw new UsageError(`--hash must be one of ${HASHES.join(', ')}, got "${v.hash}"`);
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

function parseTimeout(value: string | undefined): number {
  if (value === undefined) return 60_000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new UsageError(`--timeout must be a number of seconds between 0 and 3600, got "${value}"`);
  }
  return Math.round(seconds * 1000);
}
