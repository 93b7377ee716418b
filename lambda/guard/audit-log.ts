import type { AuditLogger } from './guard';

/**
 * Audit records as one JSON line each on stdout: every field of the record at the top level exactly
 * as built, plus `level` (INFO, or ERROR for a decision whose action failed or a guard that cannot
 * start). Not through Powertools Logger on purpose: it drops the keys it reserves (`service`,
 * `message`, `timestamp`, `level`), removes top-level `null` values and filters lines by log level,
 * while the record's `service` (the ECS service), the ignored record's `message` and its explicit
 * `null`s are the audit contract (docs/decision-record.md), and no audit line may be filtered out.
 */
export function jsonLineAuditLogger(write: (line: string) => void = writeStdoutLine): AuditLogger {
  const emit = (level: 'INFO' | 'ERROR', fields: object): void => write(JSON.stringify({ level, ...fields }));
  return {
    info: (_message, fields) => emit('INFO', fields),
    error: (_message, fields) => emit('ERROR', fields),
  };
}

function writeStdoutLine(line: string): void {
  process.stdout.write(`${line}\n`);
}
