import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServicePool, type PoolableClient } from '../../lib/providers/ldap/pool.js';

/** The pool's rules with scripted connections (the real slapd cases are in test/integration/identity-ldap-pool.test.ts). */
class Conn implements PoolableClient {
  isConnected = true;
  isBound = true;
  unbound = false;
  constructor(readonly n: number) {}
  async unbind() {
    this.unbound = true;
    this.isConnected = false;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('service pool', () => {
  it('replaces a connection that kept server state: the replacement opens at release, the old one closes after', async () => {
    let n = 0;
    const pool = createServicePool(async () => new Conn(++n));
    const lease = await pool.acquire();
    lease.retainsServerState = true;
    pool.release(lease, true);
    expect((lease.client as Conn).unbound).toBe(false); // not on the request's path
    const next = await pool.acquire(); // waits for the replacement already opening
    expect((next.client as Conn).n).toBe(2);
    expect(n).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect((lease.client as Conn).unbound).toBe(true);
  });

  it('does not wait for a replacement that has been opening for over a second (a frozen container woke up)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let n = 0;
    const opens: ((c: Conn) => void)[] = [];
    const pool = createServicePool(() => {
      n++;
      if (n === 2) return new Promise<Conn>((resolve) => opens.push(resolve)); // the replacement hangs
      return Promise.resolve(new Conn(n));
    });
    const lease = await pool.acquire();
    lease.retainsServerState = true;
    pool.release(lease, true); // replacement #2 starts opening and hangs
    let got: Conn | undefined;
    const waiting = pool.acquire().then((l) => (got = l.client as Conn));
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toBeUndefined(); // a young replacement is waited for…
    opens.shift()!(new Conn(2));
    await waiting;
    expect(got?.n).toBe(2);

    got!.isBound = true;
    pool.release({ client: got!, retainsServerState: true }, true); // replacement #3 opens (resolves at once)…
    await pool.acquire(); // takes #3
    // …and now one that never answers: a later acquire past WARMING_WAIT_MS opens its own.
    n = 1; // the next open is #2 again: it hangs
    pool.release({ client: new Conn(99), retainsServerState: true }, true);
    vi.setSystemTime(Date.now() + 1500);
    const own = await pool.acquire();
    expect((own.client as Conn).n).toBe(3);
  });
});
