import type { KMSClient } from '@aws-sdk/client-kms';
import { lazyClient, type Sender } from '../aws/lazy-client';
import type { KmsClientFactory } from './kms-key-loader';

/** Timeouts for every KMS call: a slow KMS must not hang the Lambda. */
const CONNECTION_TIMEOUT_MS = 3000;
const REQUEST_TIMEOUT_MS = 5000;

/**
 * A KMS client with timeouts and the SDK's own bounded retries. A custom endpoint from
 * `awskms://HOST/…` is always spoken to over HTTPS. The SDK module is loaded here, on first use.
 */
export async function createKmsClient(region?: string, endpoint?: string): Promise<KMSClient> {
  const { KMSClient } = await import('@aws-sdk/client-kms');
  return new KMSClient({
    ...(region === undefined ? {} : { region }),
    ...(endpoint === undefined ? {} : { endpoint: `https://${endpoint}` }),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  });
}

/** The production factory: one (lazily created) KMS client per (region, endpoint). */
export function createKmsClientFactory(): KmsClientFactory {
  const clients = new Map<string, Sender<KMSClient>>();
  return (region, endpoint) => {
    const id = `${region ?? ''}|${endpoint ?? ''}`;
    let client = clients.get(id);
    if (client === undefined) {
      client = lazyClient(() => createKmsClient(region, endpoint));
      clients.set(id, client);
    }
    return client;
  };
}
