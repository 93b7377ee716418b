/** The one method the guard uses on an AWS SDK v3 client. */
export interface Sender<C extends { send: unknown }> {
  send: C['send'];
}

/**
 * An AWS SDK client made on first use. Loading an SDK client module costs tens of milliseconds at
 * start; a Lambda that only ever allows tasks never needs ECS, SNS or DynamoDB, and a policy without
 * KMS keys or ECR images never needs those. A failed creation is not remembered.
 */
export function lazyClient<C extends { send: (...args: never[]) => Promise<unknown> }>(
  create: () => Promise<C>,
): Sender<C> {
  let client: Promise<C> | undefined;
  const get = (): Promise<C> => {
    client ??= create().catch((e: unknown) => {
      client = undefined;
      throw e;
    });
    return client;
  };
  const send = (async (...args: never[]) => (await get()).send(...args)) as C['send'];
  return { send };
}
