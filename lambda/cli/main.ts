/** Entry of the image-guard CLI; the commands are wired in as they land. */
export async function runCli(argv: string[]): Promise<number> {
  process.stderr.write(`image-guard: no command implemented yet (${argv.join(' ')})\n`);
  return 2;
}
