import { parseArgs } from 'node:util';
import type { TlogMode } from '../cosign/types';
import { HASH_ALGORITHMS, isHashAlgorithm } from '../keys/hash-algorithm';
import type { HashAlgorithm } from '../keys/types';
import type { TrustStoreType } from '../notation/types';
import {
  signingProfileArnProblem,
  trustedIdentityIssues,
  X509_SUBJECT_PREFIX,
} from '../policy/notation-identities';

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
  /** `--aws-signer-profile ARN`: AWS Signer signing profile (or profile version) ARNs. */
  awsSignerProfiles: string[];
  /** `--notation-trust-store TYPE:FILE`: Notation trust-store certificates (PEM or DER). */
  notationTrustStores: { type: TrustStoreType; file: string }[];
  /** `--notation-identity SUBJECT`: `x509.subject: <DN>` entries, or exactly `['*']`. */
  notationIdentities: string[];
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
        'aws-signer-profile': { type: 'string', multiple: true },
        'notation-trust-store': { type: 'string', multiple: true },
        'notation-identity': { type: 'string', multiple: true },
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
    for (const flag of [
      'key',
      'hash',
      'tlog',
      'rekor-key',
      'aws-signer-profile',
      'notation-trust-store',
      'notation-identity',
    ] as const) {
      if (v[flag] !== undefined)
        throw new UsageError(`--${flag} is not an option of check (keys and signers come from the policy)`);
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
  const notation = parseNotationFlags(v);
  if (
    keys.length === 0 &&
    notation.awsSignerProfiles.length === 0 &&
    notation.notationTrustStores.length === 0
  )
    throw new UsageError('verify needs at least one --key, --aws-signer-profile or --notation-trust-store');
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
    ...notation,
    ...common,
  };
}

const TRUST_STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];

/** The Notation flags of verify, checked here so that a typo is a usage error before anything runs. */
function parseNotationFlags(v: {
  'aws-signer-profile'?: string[];
  'notation-trust-store'?: string[];
  'notation-identity'?: string[];
}): Pick<VerifyArgs, 'awsSignerProfiles' | 'notationTrustStores' | 'notationIdentities'> {
  const awsSignerProfiles = v['aws-signer-profile'] ?? [];
  for (const arn of awsSignerProfiles) {
    const problem = signingProfileArnProblem(arn);
    if (problem !== undefined) throw new UsageError(`--aws-signer-profile "${arn.slice(0, 200)}" ${problem}`);
  }
  const notationTrustStores = (v['notation-trust-store'] ?? []).map((value) => {
    const at = value.indexOf(':');
    const type = value.slice(0, at) as TrustStoreType;
    if (at <= 0 || at === value.length - 1 || !TRUST_STORE_TYPES.includes(type)) {
      throw new UsageError(
        `--notation-trust-store expects TYPE:FILE with TYPE ca, signingAuthority or tsa, got "${value.slice(0, 200)}"`,
      );
    }
    return { type, file: value.slice(at + 1) };
  });
  // A bare DN is taken as an x509.subject identity; "*" must be asked for explicitly.
  const notationIdentities = (v['notation-identity'] ?? []).map((value) =>
    value === '*' || value.startsWith(X509_SUBJECT_PREFIX) ? value : `${X509_SUBJECT_PREFIX} ${value}`,
  );
  if (notationTrustStores.length > 0 && notationIdentities.length === 0) {
    throw new UsageError(
      "--notation-trust-store needs --notation-identity SUBJECT: the signer's subject DN (such as \"C=US, ST=WA, O=acme\"), or '*' for any signer the trust stores trust",
    );
  }
  if (notationIdentities.length > 0 && notationTrustStores.length === 0) {
    throw new UsageError(
      '--notation-identity needs --notation-trust-store TYPE:FILE (the certificates to trust)',
    );
  }
  if (notationTrustStores.length > 0 && !notationTrustStores.some((s) => s.type !== 'tsa')) {
    throw new UsageError(
      '--notation-trust-store needs a ca or signingAuthority store (a tsa store only verifies timestamps)',
    );
  }
  for (const issue of trustedIdentityIssues(notationIdentities)) {
    const which =
      issue.index === undefined ? '' : ` "${(notationIdentities[issue.index] ?? '').slice(0, 200)}"`;
    throw new UsageError(`--notation-identity${which}: ${issue.message}`);
  }
  return { awsSignerProfiles, notationTrustStores, notationIdentities };
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
