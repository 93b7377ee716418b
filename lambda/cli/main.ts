import { isGuardError } from '../errors';
import { UsageError, parseCliArgs } from './args';
import { fixFor } from './fixes';
import { CliInputError, processIo, type CliIo } from './io';
import { jsonDocument, line, type JsonError } from './output';
import { helpFor } from './usage';
import { CLI_VERSION } from './version';

/**
 * Entry of the image-guard CLI; returns the exit status. Errors never escape as stack traces.
 * The commands (and the engine behind them) load only when one runs: --help and --version stay fast.
 */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const json = argv.includes('--json');
  const fail = (error: JsonError, text: string): number => {
    io.err(text);
    if (json) io.out(jsonDocument({ error }));
    return 2;
  };

  let args;
  try {
    args = parseCliArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const help = e.topic === undefined ? 'image-guard --help' : `image-guard ${e.topic} --help`;
    return fail({ code: 'USAGE', message: e.message }, `image-guard: ${line(e.message)} (see '${help}')\n`);
  }
  if (args.command === 'help') {
    io.out(helpFor(args.topic));
    return 0;
  }
  if (args.command === 'version') {
    io.out(`image-guard ${CLI_VERSION}\n`);
    return 0;
  }
  try {
    if (args.command === 'verify') return await (await import('./verify-command')).runVerify(args, io);
    return await (await import('./check-command')).runCheck(args, io);
  } catch (e) {
    const known = e instanceof CliInputError || isGuardError(e);
    const code = isGuardError(e) ? e.code : known ? 'INPUT_INVALID' : 'INTERNAL_ERROR';
    const message = e instanceof Error ? e.message : String(e);
    const fix = fixFor(message);
    return fail(
      { code, message, ...(fix === undefined ? {} : { fix }) },
      `COULD NOT DECIDE  image-guard: ${line(message)} [${code}]\n${fix === undefined ? '' : `  fix: ${fix}\n`}`,
    );
  }
}
