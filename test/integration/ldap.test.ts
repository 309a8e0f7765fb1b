import net from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  DependencyUnavailableError,
  InvalidCredentialsError,
  NotFoundError,
  UnprocessableError,
} from '../../lib/core/errors.js';
import { AccountLockedError, attrFirst, attrValues, createLdapClient, type LdapClient } from '../../lib/providers/ldap/client.js';
import { and, dnEquals, eq, escapeDnValue, present, substr } from '../../lib/providers/ldap/escape.js';
import { startTestSlapd, TEST_ADMIN_DN, type TestSlapd } from '../helpers/slapd.js';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

let ldap: TestSlapd;
let client: LdapClient;

beforeAll(async () => {
  ldap = await startTestSlapd();
  client = ldap.client;
});

afterAll(async () => {
  await ldap?.destroy();
});

const people = 'ou=people,dc=example,dc=com';

describe('local slapd + LDAP provider', () => {
  it('listens on loopback and writes its pid file under dataDir', async () => {
    expect(ldap.url).toBe(`ldap://127.0.0.1:${ldap.port}`);
    const pid = Number((await readFile(path.join(ldap.dataDir, 'slapd.pid'), 'utf8')).trim());
    expect(pid).toBe(ldap.slapd.pid);
  });

  it('authenticates the bootstrap admin with the bootstrap password', async () => {
    const user = await client.authenticate('admin', ldap.adminPassword);
    expect(user).toEqual({ dn: TEST_ADMIN_DN, uid: 'admin', cn: 'Administrator', mail: 'admin@example.com' });
    // by mail too
    expect((await client.authenticate('admin@example.com', ldap.adminPassword)).dn).toBe(TEST_ADMIN_DN);
    await expect(client.bind(TEST_ADMIN_DN, ldap.adminPassword)).resolves.toBeUndefined();
  });

  it('refuses a wrong password and an unknown user with the same error', async () => {
    const wrong = await client.authenticate('admin', 'nope').catch((e: unknown) => e);
    const unknown = await client.authenticate('ghost', 'nope').catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(InvalidCredentialsError);
    expect(unknown).toBeInstanceOf(InvalidCredentialsError);
    expect((wrong as Error).message).toBe((unknown as Error).message);
    expect((wrong as Error).message).not.toContain('nope');
    await expect(client.bind(TEST_ADMIN_DN, 'nope')).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('refuses an empty password before any bind (unauthenticated-bind pitfall)', async () => {
    await expect(client.authenticate('admin', '')).rejects.toBeInstanceOf(InvalidCredentialsError);
    await expect(client.bind(TEST_ADMIN_DN, '')).rejects.toBeInstanceOf(InvalidCredentialsError);
    // also with an unreachable directory: refused without trying to connect
    const dead = createLdapClient({ ...ldap.clientConfig, url: 'ldap://127.0.0.1:1' });
    await expect(dead.authenticate('admin', '')).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('does not let a filter injection match the admin', async () => {
    for (const u of ['*', 'adm*', '*)(uid=*', 'admin)(|(uid=*', '*)(objectClass=*']) {
      await expect(client.authenticate(u, ldap.adminPassword)).rejects.toBeInstanceOf(InvalidCredentialsError);
    }
    expect(await client.search(people, { filter: eq('uid', '*') })).toEqual([]);
  });

  it('searches and returns plain entries', async () => {
    const all = await client.search('dc=example,dc=com', { filter: present('objectClass') });
    const dns = all.map((e) => e.dn);
    expect(dns).toEqual(
      expect.arrayContaining([
        'dc=example,dc=com',
        'ou=people,dc=example,dc=com',
        'ou=groups,dc=example,dc=com',
        'ou=policies,dc=example,dc=com',
        'cn=default,ou=policies,dc=example,dc=com',
        TEST_ADMIN_DN,
        'cn=admins,ou=groups,dc=example,dc=com',
      ]),
    );
    const [admin] = await client.search(people, { filter: eq('uid', 'admin'), attributes: ['uid', 'uidNumber', 'objectClass'] });
    expect(admin?.attrs.uid).toEqual(['admin']);
    expect(attrFirst(admin!, 'uidnumber')).toBe('10000');
    expect(attrValues(admin!, 'objectClass')).toEqual(expect.arrayContaining(['inetOrgPerson', 'posixAccount']));
    expect(admin?.attrs.userPassword).toBeUndefined();
    const groups = await client.search('ou=groups,dc=example,dc=com', { filter: eq('member', TEST_ADMIN_DN), scope: 'one' });
    expect(groups.map((g) => g.dn)).toEqual(['cn=admins,ou=groups,dc=example,dc=com']);
    expect(await client.get('uid=nobody,ou=people,dc=example,dc=com')).toBeNull();
    await expect(client.search('ou=missing,dc=example,dc=com')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('adds, modifies, compares, pages and deletes entries, mapping LDAP errors', async () => {
    const cn = 'Zoë, the (tester)';
    const dn = `cn=${escapeDnValue(cn)},${people}`;
    await client.withServiceBind(async (c) => {
      await c.add(dn, {
        objectClass: ['inetOrgPerson'],
        cn,
        sn: 'Tëster',
        uid: 'zoe',
        userPassword: 'zoe-password',
      });
      await expect(c.add(dn, { objectClass: 'inetOrgPerson', cn, sn: 'x' })).rejects.toBeInstanceOf(ConflictError);
      const [found] = await c.search(people, { filter: and(eq('cn', cn), substr('sn', { final: 'ëster' })) });
      expect(dnEquals(found!.dn, dn)).toBe(true);
      await c.modify(dn, { operation: 'replace', attribute: 'mail', values: ['zoe@example.com'] });
      expect(await c.compare(dn, 'mail', 'zoe@example.com')).toBe(true);
      expect(await c.compare(dn, 'mail', 'other@example.com')).toBe(false);
    });
    // the cleartext password was hashed by ppolicy (olcPPolicyHashCleartext) and the user can log in
    const [raw] = await client.search(dn, { scope: 'base', attributes: ['userPassword'] });
    expect(raw?.attrs.userPassword?.[0]).toMatch(/^\{SSHA512\}/);
    expect((await client.authenticate('zoe', 'zoe-password')).cn).toBe(cn);

    const missing = await client.add(`cn=x,${people}`, { objectClass: 'inetOrgPerson', cn: 'x' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(UnprocessableError);
    expect((missing as UnprocessableError).details).toMatchObject({ attribute: 'sn' });
    const syntax = await client.modify(dn, { operation: 'replace', attribute: 'uidNumber', values: ['x'] }).catch((e: unknown) => e);
    expect(syntax).toBeInstanceOf(UnprocessableError);
    await expect(client.modify(`cn=nobody,${people}`, { operation: 'replace', attribute: 'sn', values: ['x'] })).rejects.toBeInstanceOf(
      NotFoundError,
    );

    const paged = await client.search('dc=example,dc=com', { paged: { pageSize: 2 } });
    expect(paged.length).toBeGreaterThanOrEqual(8);
    const limited = await client.search('dc=example,dc=com', { sizeLimit: 3 });
    expect(limited).toHaveLength(3);

    await client.del(dn);
    expect(await client.get(dn)).toBeNull();
    await expect(client.del(dn)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('locks an account with pwdAccountLockedTime (ppolicy default applies)', async () => {
    const dn = `uid=locky,${people}`;
    await client.add(dn, { objectClass: 'inetOrgPerson', cn: 'Locky', sn: 'Locky', uid: 'locky', userPassword: 'locky-pw' });
    await client.bind(dn, 'locky-pw');
    await client.modify(dn, { operation: 'replace', attribute: 'pwdAccountLockedTime', values: ['000001010000Z'] });
    const locked = await client.bind(dn, 'locky-pw').catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(AccountLockedError);
    // slapd (olcPPolicyUseLockout) reports the lock whatever the password: it reveals locked accounts
    const lockedWrong = await client.bind(dn, 'wrong').catch((e: unknown) => e);
    expect(lockedWrong).toBeInstanceOf(AccountLockedError);
    await expect(client.authenticate('locky', 'locky-pw')).rejects.toBeInstanceOf(AccountLockedError);
    await client.modify(dn, { operation: 'delete', attribute: 'pwdAccountLockedTime' });
    await client.bind(dn, 'locky-pw');
    await client.del(dn);
  });

  it('answers ping and maps an unreachable directory to DependencyUnavailableError', async () => {
    expect(await client.ping()).toBeGreaterThan(0);
    const dead = createLdapClient({ ...ldap.clientConfig, url: 'ldap://127.0.0.1:1', timeoutMs: 500 });
    await expect(dead.ping()).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(dead.authenticate('admin', 'x')).rejects.toBeInstanceOf(DependencyUnavailableError);
    const badService = createLdapClient({ ...ldap.clientConfig, bindPassword: 'wrong' });
    await expect(badService.ping()).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('keeps data across a restart and re-applies a changed bootstrap password; stop closes the port', async () => {
    const dn = `uid=persist,${people}`;
    await client.add(dn, { objectClass: 'inetOrgPerson', cn: 'Persist', sn: 'P', uid: 'persist' });
    await ldap.stop();
    expect(await portOpen(ldap.port)).toBe(false);
    await expect(client.ping()).rejects.toBeInstanceOf(DependencyUnavailableError);

    await ldap.restart();
    expect(await client.get(dn)).not.toBeNull();
    await client.authenticate('admin', ldap.adminPassword);

    // a new BOOTSTRAP_ADMIN_PASSWORD is applied on the next start
    const { startSlapd } = await import('../../local/slapd/slapd.js');
    await ldap.stop();
    const s2 = await startSlapd({
      port: ldap.port,
      dataDir: ldap.dataDir,
      adminPassword: 'rotated-admin-password',
      bindPassword: ldap.bindPassword,
    });
    try {
      await client.authenticate('admin', 'rotated-admin-password');
      await expect(client.authenticate('admin', ldap.adminPassword)).rejects.toBeInstanceOf(InvalidCredentialsError);
      expect(await client.get(dn)).not.toBeNull();
    } finally {
      await s2.stop();
    }
    expect(await portOpen(ldap.port)).toBe(false);
    await ldap.restart(); // back to the original password for afterAll
    await client.authenticate('admin', ldap.adminPassword);
  });
});
