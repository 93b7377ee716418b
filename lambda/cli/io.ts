/** Where the CLI writes: stdout for results, stderr for errors (injected so tests can capture them). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** An input file that cannot be read or parsed: reported on stderr, exit status 2. */
export class CliInputError extends Error {
  override name = 'CliInputError';
}
