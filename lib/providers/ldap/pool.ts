/**
 * Service-bound connections kept between requests, so that a request does not pay connect + bind + unbind.
 *
 * - Only connections bound as the service account are pooled: a bind as a user (login, current-password
 *   checks) always gets a connection of its own that is closed afterwards, so no request ever runs on a
 *   connection bound as someone else.
 * - A connection is handed out only while it is still connected AND bound (ldapts reconnects a dropped
 *   connection transparently but anonymously); one idle longer than `idleMs` is closed instead (servers,
 *   NATs and load balancers drop idle TCP connections; a frozen Lambda container wakes up with stale ones).
 * - A connection that served a VLV search is not kept: slapd's sssvlv holds every VLV sort of a connection
 *   until the connection closes (olcSssVlvMaxPerConn per connection, olcSssVlvMax for the whole server), so
 *   it is closed, and a replacement is opened in the background, ready for the next request.
 * - A connection whose operation failed for a reason other than an LDAP result (lost, timed out) is closed.
 * - Idle sockets are unref'd: a pool never keeps a process alive.
 */
export interface PoolableClient {
  readonly isConnected: boolean;
  readonly isBound: boolean;
  unbind(): Promise<void>;
}

export interface Lease<C extends PoolableClient> {
  readonly client: C;
  /** Set when the connection now holds server-side state (a VLV sort): it is closed on release. */
  retainsServerState: boolean;
}

export interface PoolOptions {
  /** Idle connections kept (default 2; 0: no pooling, a connection per `acquire`). */
  maxIdle?: number;
  /** An idle connection older than this is closed instead of handed out (default 15 s). */
  idleMs?: number;
  /** Open a replacement in the background when a released connection could not be kept (default true). */
  prewarm?: boolean;
}

export interface ServicePool<C extends PoolableClient> {
  acquire(): Promise<Lease<C>>;
  /** `reusable`: the lease's work ended without a connection-level error. */
  release(lease: Lease<C>, reusable: boolean): void;
  /** Closes every idle connection (tests, shutdown). */
  drain(): Promise<void>;
  /** Idle connections right now (tests, benchmarks). */
  readonly idle: number;
}

interface Idle<C> {
  client: C;
  since: number;
}

const setRef = (client: PoolableClient, ref: boolean) => {
  // ldapts keeps its socket private; an idle pooled socket must not hold the event loop open.
  const socket = (client as unknown as { socket?: { ref?: () => void; unref?: () => void } }).socket;
  if (ref) socket?.ref?.();
  else socket?.unref?.();
};

/**
 * A pool over `open` (which connects and binds as the service account, or throws).
 *
 * @example
 * const pool = createServicePool(openServiceBound, { maxIdle: 2 });
 * const lease = await pool.acquire();
 * try { await work(lease.client); pool.release(lease, true); } catch (e) { pool.release(lease, false); throw e; }
 */
/** How long an acquire waits for a replacement connection that is still opening (then it opens its own). */
const WARMING_WAIT_MS = 1000;

export function createServicePool<C extends PoolableClient>(open: () => Promise<C>, opts: PoolOptions = {}): ServicePool<C> {
  const maxIdle = opts.maxIdle ?? 2;
  const idleMs = opts.idleMs ?? 15_000;
  const prewarm = opts.prewarm ?? true;
  const idle: Idle<C>[] = [];
  let warming: { done: Promise<void>; since: number } | undefined;

  const close = (client: C) => {
    setRef(client, false);
    client.unbind().catch(() => undefined);
  };
  const usable = (client: C) => client.isConnected && client.isBound;

  const keep = (client: C) => {
    if (idle.length >= maxIdle || !usable(client)) return close(client);
    setRef(client, false);
    idle.push({ client, since: Date.now() });
  };

  const warm = () => {
    if (!prewarm || maxIdle === 0 || warming || idle.length) return;
    const done = open()
      .then(keep, () => undefined) // the next acquire opens (and reports) on its own
      .finally(() => {
        if (warming?.done === done) warming = undefined;
      });
    warming = { done, since: Date.now() };
  };

  return {
    async acquire() {
      // A replacement still opening is worth waiting for, unless it has been at it for long (a Lambda
      // container frozen mid-connect wakes with it): then this request opens its own.
      if (warming && Date.now() - warming.since <= WARMING_WAIT_MS) await warming.done;
      for (let e = idle.pop(); e; e = idle.pop()) {
        if (usable(e.client) && Date.now() - e.since <= idleMs) {
          setRef(e.client, true);
          return { client: e.client, retainsServerState: false };
        }
        close(e.client);
      }
      return { client: await open(), retainsServerState: false };
    },
    release(lease, reusable) {
      if (reusable && !lease.retainsServerState && maxIdle > 0) return keep(lease.client);
      // The replacement starts opening now; closing is not the request's work: it runs once the answer is on its way.
      if (reusable) warm();
      setImmediate(() => close(lease.client));
    },
    async drain() {
      if (warming) await warming.done;
      for (let e = idle.pop(); e; e = idle.pop()) {
        setRef(e.client, true);
        await e.client.unbind().catch(() => undefined);
      }
    },
    get idle() {
      return idle.length;
    },
  };
}
