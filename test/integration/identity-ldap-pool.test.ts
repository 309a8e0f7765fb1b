import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'ldapts';
import { createLdapClient, attrFirst, type LdapClient } from '../../lib/providers/ldap/index.js';
import { ServerSideSortingRequestControl, VirtualListViewControl } from '../../lib/providers/ldap/controls.js';
import { createServicePool, type PoolableClient } from '../../lib/providers/ldap/pool.js';
import { startTestSlapd, type TestSlapd } from '../helpers/slapd.js';

/**
 * The pool of service-bound LDAP connections (lib/providers/ldap/pool.ts) against a real slapd: reuse,
 * reconnection after the server went away, never a connection bound as a user, never one holding VLV sorts.
 */
let ldap: TestSlapd;
let client: LdapClient;
const USER_PW = 'Pool-User-Pass-42';

const vlvSearch = (c: Pick<LdapClient, 'search'>, base: string) =>
  c.search(base, {
    filter: '(objectClass=inetOrgPerson)',
    attributes: ['uid'],
    controls: [
      new ServerSideSortingRequestControl({ critical: true, value: { attributeType: 'uid', orderingRule: 'caseIgnoreOrderingMatch' } }),
      new VirtualListViewControl(1, 9),
    ],
  });

beforeAll(async () => {
  ldap = await startTestSlapd();
  client = createLdapClient(ldap.clientConfig);
  await client.add(`uid=pooluser,ou=people,${ldap.baseDn}`, {
    objectClass: ['inetOrgPerson'],
    uid: 'pooluser',
    cn: 'Pool',
    sn: 'User',
    userPassword: USER_PW,
  });
});
afterAll(async () => {
  await client?.drain();
  await ldap?.destroy();
});

describe('service connection pool', () => {
  it('opens one connection for many sequential operations, and a second only while the first is busy', async () => {
    let opened = 0;
    const open = async () => {
      opened++;
      const c = new Client({ url: ldap.url });
      await c.bind(ldap.bindDn, ldap.bindPassword);
      return c;
    };
    const pool = createServicePool(open, { maxIdle: 2 });
    for (let i = 0; i < 5; i++) {
      const lease = await pool.acquire();
      await lease.client.search(ldap.baseDn, { scope: 'base' });
      pool.release(lease, true);
    }
    expect([opened, pool.idle]).toEqual([1, 1]);
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    expect(a.client).not.toBe(b.client);
    pool.release(a, true);
    pool.release(b, true);
    expect([opened, pool.idle]).toEqual([2, 2]);
    await pool.drain();
    expect(pool.idle).toBe(0);
  });

  it('never hands out a connection that lost its bind or sat idle too long, nor keeps one after a connection error', async () => {
    let opened = 0;
    const fake = (): PoolableClient & { isBound: boolean } => ({ isConnected: true, isBound: true, unbind: async () => undefined });
    const made: ReturnType<typeof fake>[] = [];
    const pool = createServicePool(
      async () => {
        opened++;
        made.push(fake());
        return made.at(-1)!;
      },
      { idleMs: 50, prewarm: false },
    );
    let lease = await pool.acquire();
    pool.release(lease, true);
    made[0]!.isBound = false; // ldapts reconnected it anonymously
    lease = await pool.acquire();
    expect([lease.client === made[0], opened]).toEqual([false, 2]);
    pool.release(lease, false); // a connection-level failure: closed, not kept
    expect(pool.idle).toBe(0);
    lease = await pool.acquire();
    pool.release(lease, true);
    await new Promise((r) => setTimeout(r, 80));
    expect((await pool.acquire()).client).not.toBe(lease.client);
    expect(opened).toBe(4);
  });

  it('serves again after slapd restarted (the dead idle connection is dropped, a new one opened)', async () => {
    await client.search(ldap.baseDn, { scope: 'base', attributes: ['1.1'] });
    await ldap.restart();
    await expect(client.get(`uid=pooluser,ou=people,${ldap.baseDn}`, ['uid'])).resolves.toMatchObject({
      dn: `uid=pooluser,ou=people,${ldap.baseDn}`,
    });
  });

  it('verifies a user password on a connection of its own: the pooled one stays the service account', async () => {
    await client.search(ldap.baseDn, { scope: 'base', attributes: ['1.1'] }); // one idle service connection
    await client.bind(`uid=pooluser,ou=people,${ldap.baseDn}`, USER_PW);
    await client.authenticate('pooluser', USER_PW);
    // Only the service account (the rootdn) may read userPassword: a user bind leaking onto the pooled
    // connection would make this come back empty.
    const admin = await client.get(`uid=admin,ou=people,${ldap.baseDn}`, ['userPassword']);
    expect(attrFirst(admin!, 'userPassword')).toBeDefined();
    const self = await client.withServiceBind(async (c) => c.get(`uid=pooluser,ou=people,${ldap.baseDn}`, ['userPassword']));
    expect(attrFirst(self!, 'userPassword')).toBeDefined();
  });

  it('does not keep a connection that ran a VLV search: 40 paged lists in a row never meet "Other sort requests already in progress"', async () => {
    for (let i = 0; i < 40; i++) {
      const entries = await vlvSearch(client, ldap.baseDn);
      expect(entries.length).toBeGreaterThan(0);
    }
  });

  it('a kept connection would have been refused by sssvlv after olcSssVlvMaxPerConn sorts (what the rule above avoids)', async () => {
    const refused = await client.withServiceBind(async (conn) => {
      for (let i = 1; i <= 20; i++) {
        const e = await vlvSearch(conn, ldap.baseDn).then(
          () => undefined,
          (err: { cause?: { code?: number; message?: string } }) => err,
        );
        if (e) return { search: i, code: e.cause?.code, message: e.cause?.message };
      }
      return undefined;
    });
    // local/slapd: olcSssVlvMaxPerConn 16; busy (51).
    expect(refused).toMatchObject({ search: 17, code: 51, message: expect.stringMatching(/sort requests already in progress/i) });
  });
});
