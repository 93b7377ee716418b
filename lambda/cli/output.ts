import { untrustedText } from '../text/untrusted-text';

/** The `error` member of --json output: why the CLI could not decide, and what fixes it. */
export interface JsonError {
  /** A reason code (lambda/reasons.ts), or USAGE for a command line that cannot be run. */
  code: string;
  message: string;
  /** What the user can do about it, when the CLI knows. */
  fix?: string;
}

export const jsonDocument = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** One display-safe line of outside text (registry and key messages can carry anything). */
export const line = (text: string): string => untrustedText(text, 2000);
