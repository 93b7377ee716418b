/**
 * The one place the guard's default Notation envelope verifier comes from, loaded on first use, so a
 * cosign-only policy never loads jose, cbor2 or pkijs.
 *
 * In the Lambda asset the Notation code is a file of its own beside index.js (NOTATION_ASSET_FILE,
 * built by lib/policy-bundle.ts): the bundler replaces `process.env.IMAGE_GUARD_NOTATION_ASSET` by that
 * name, the other branch is dropped, and index.js stays small (its import time is the cold start of
 * every invocation). Everywhere else (tests, the CLI, the bench) the module is imported directly.
 */
import path from 'node:path';
import type { NotationEnvelopeVerifier } from './notation-types';

type VerifyEnvelopeModule = typeof import('../notation/verify-envelope');

export const loadedNotationEnvelopeVerifier: NotationEnvelopeVerifier = async (input) =>
  (await verifyEnvelopeModule()).verifyNotationEnvelope(input);

async function verifyEnvelopeModule(): Promise<VerifyEnvelopeModule> {
  // Written as one conditional on the variable itself, so that the bundler's constant folds it away.
  return process.env.IMAGE_GUARD_NOTATION_ASSET
    ? (require(path.join(__dirname, process.env.IMAGE_GUARD_NOTATION_ASSET)) as VerifyEnvelopeModule)
    : import('../notation/verify-envelope');
}
