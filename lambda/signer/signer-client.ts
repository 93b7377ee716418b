import type { SignerClient } from '@aws-sdk/client-signer';
import { lazyClient, type Sender } from '../aws/lazy-client';

/** Timeouts for every Signer call, as for the guard's other AWS clients: a slow API must not hang it. */
const CONNECTION_TIMEOUT_MS = 3000;
const REQUEST_TIMEOUT_MS = 5000;

/**
 * The AWS Signer client, made on first use (a policy without AWS Signer never loads the module).
 * Like the AWS Signer Notation plugin, it asks the caller's own region.
 */
export function signerClient(region?: string): Sender<SignerClient> {
  return lazyClient(
    async () =>
      new (await import('@aws-sdk/client-signer')).SignerClient({
        ...(region === undefined ? {} : { region }),
        maxAttempts: 3,
        requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
      }),
  );
}
