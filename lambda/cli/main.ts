import { isGuardError } from '../errors';
import { UsageError, parseCliArgs } from './args';
import { runCheck } from './check-command';
import { CliInputError, processIo, type CliIo } from './io';
import { USAGE } from './usage';
import { runVerify } from './verify-command';

/** Entry of the image-guard CLI; returns the exit status. Errors never escape as stack traces. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  let args;
  try {
    args = parseCliArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`image-guard: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.command === 'help') {
    io.out(USAGE);
    return 0;
  }
  try {
    return args.command === 'verify' ? await runVerify(args, io) : await runCheck(args, io);
  } catch (e) {
    if (e instanceof CliInputError || isGuardError(e)) {
      const code = isGuardError(e) ? ` [${e.code}]` : '';
      io.err(`image-guard: ${e.message}${code}\n`);
      return 2;
    }
    throw e;
  }
}
