/**
 * Deferred construction, for what a cold start must not pay before a request needs it: the AWS SDK
 * clients (external to the bundles, provided by the Lambda runtime, ~55-60 ms each to `require`) and the
 * LDAP provider. In the CJS bundles `await import('@aws-sdk/…')` of an external becomes a lazy `require`.
 */

/** Memoised async factory: the first call runs `make`; a failed attempt is forgotten so the next call retries. */
export function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= make().catch((e: unknown) => {
      pending = undefined;
      throw e;
    }));
}

interface SdkClient {
  send(...args: never[]): unknown;
  destroy(): void;
}

/**
 * An AWS SDK v3 client that is created (and its SDK package required) on the first `send`, so that a
 * function whose requests never reach the service never loads it. `send` supports the promise form only.
 */
export interface LazyClient<C extends SdkClient> {
  send: C['send'];
  /** Closes the client's sockets if it was ever created (tests, local stack). */
  destroy(): void;
  /** The client itself, created on first call. */
  get(): Promise<C>;
}

export function lazyClient<C extends SdkClient>(create: () => Promise<C>): LazyClient<C> {
  let client: C | undefined;
  const get = lazy(async () => (client = await create()));
  const send = async (command: unknown, options?: unknown) => {
    const c = (await get()) as unknown as { send(command: unknown, options?: unknown): Promise<unknown> };
    return c.send(command, options);
  };
  return { send: send as unknown as C['send'], destroy: () => client?.destroy(), get };
}
