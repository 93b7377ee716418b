import { KMSClient } from '@aws-sdk/client-kms';
import type { KmsClientFactory } from './kms-key-loader';

/** Timeouts for every KMS call: a slow KMS must not hang the Lambda. */
const CONNECTION_TIMEOUT_MS = 3000;
const REQUEST_TIMEOUT_MS = 5000;

/**
 * The production factory: one KMS client per (region, endpoint), with timeouts and the SDK's own
 * bounded retries. A custom endpoint from `awskms://HOST/…` is always spoken to over HTTPS.
 */
export function createKmsClientFactory(): KmsClientFactory {
  const clients = new Map<string, KMSClient>();
  return (region, endpoint) => {
    const id = `${region ?? ''}|${endpoint ?? ''}`;
    let client = clients.get(id);
    if (client === undefined) {
      client = new KMSClient({
        ...(region === undefined ? {} : { region }),
        ...(endpoint === undefined ? {} : { endpoint: `https://${endpoint}` }),
        maxAttempts: 3,
        requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
      });
      clients.set(id, client);
    }
    return client;
  };
}
