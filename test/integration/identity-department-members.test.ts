import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { attrFirst } from '../../lib/providers/ldap/index.js';
import { startInProcessApi, type Handler, type InProcessApi } from '../helpers/in-process-api.js';

/**
 * Users and groups inside departments (§3, §4, §14) through the Lambda handlers, in-process, against a real
 * slapd: `department_dn` on create puts the entry in the department's own container; every read, write,
 * lock, password change, SSH key and mail call finds it below the base; the user logs in; a delegate with
 * rights on the department manages it and nothing else.
 */
let api: InProcessApi;
const h: Record<'users' | 'groups' | 'departments' | 'sshKeys' | 'mail' | 'auth', Handler> = {} as never;
const BASE = 'dc=example,dc=com';
const SALES = `ou=Sales,${BASE}`;
const PW = 'Dept-Member-Pass-42';

const call = (handler: Handler, method: string, path: string, opts: { token?: string; body?: unknown } = {}) =>
  api.call(handler, method, path, { token: api.adminToken, ...opts });

function sshKeyLine(comment: string): string {
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const x = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(x)]).toString('base64')} ${comment}`;
}

beforeAll(async () => {
  api = await startInProcessApi();
  h.users = (await import('../../functions/http/users.js')).handler as Handler;
  h.groups = (await import('../../functions/http/groups.js')).handler as Handler;
  h.departments = (await import('../../functions/http/departments.js')).handler as Handler;
  h.sshKeys = (await import('../../functions/http/ssh-keys.js')).handler as Handler;
  h.mail = (await import('../../functions/http/mail.js')).handler as Handler;
  h.auth = (await import('../../functions/http/auth.js')).handler as Handler;
  expect((await call(h.departments, 'POST', '/api/v1/departments', { body: { ou: 'Sales' } })).status).toBe(201);
});
afterAll(async () => {
  await api?.stop();
});

describe('users in a department', () => {
  it('creates the user under ou=people of the department (201), unique below the whole base', async () => {
    const res = await call(h.users, 'POST', '/api/v1/users', {
      body: { uid: 'dsmith', cn: 'Dana Smith', sn: 'Smith', mail: 'dsmith@example.com', userPassword: PW, department_dn: SALES },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.dn).toBe(`uid=dsmith,ou=people,${SALES}`);
    expect(await api.ldap.client.get(`uid=dsmith,ou=people,${SALES}`, ['uid'])).not.toBeNull();
    // The same uid in the base's people (or anywhere else) is a conflict naming where the other one is.
    const dup = await call(h.users, 'POST', '/api/v1/users', { body: { uid: 'dsmith', cn: 'x', sn: 'y' } });
    expect([dup.status, dup.body.error.code, dup.body.error.details.dn]).toEqual([409, 'USER_EXISTS', `uid=dsmith,ou=people,${SALES}`]);
  });

  it('answers 422 INVALID_DEPARTMENT naming department_dn when the DN is no department, 400 when it is outside the base', async () => {
    const none = await call(h.users, 'POST', '/api/v1/users', {
      body: { uid: 'nodept', cn: 'n', sn: 'n', department_dn: `ou=Nowhere,${BASE}` },
    });
    expect([none.status, none.body.error.code, none.body.error.details.field]).toEqual([422, 'INVALID_DEPARTMENT', 'department_dn']);
    // An existing entry that is not a department is refused too.
    const notDept = await call(h.users, 'POST', '/api/v1/users', {
      body: { uid: 'nodept', cn: 'n', sn: 'n', department_dn: `ou=people,${BASE}` },
    });
    expect([notDept.status, notDept.body.error.code]).toEqual([422, 'INVALID_DEPARTMENT']);
    const outside = await call(h.users, 'POST', '/api/v1/users', {
      body: { uid: 'nodept', cn: 'n', sn: 'n', department_dn: 'dc=other,dc=org' },
    });
    expect([outside.status, outside.body.error.details.fields[0].field]).toEqual([400, 'body.department_dn']);
    const malformed = await call(h.users, 'POST', '/api/v1/users', {
      body: { uid: 'nodept', cn: 'n', sn: 'n', department_dn: 'not a dn' },
    });
    expect([malformed.status, malformed.body.error.details.fields[0].field]).toEqual([400, 'body.department_dn']);
    expect(await api.ldap.client.search(BASE, { filter: '(uid=nodept)', attributes: ['1.1'] })).toEqual([]);
  });

  it('gets, lists (whole base and one department), updates, locks and unlocks the department user', async () => {
    const got = await call(h.users, 'GET', '/api/v1/users/dsmith');
    expect([got.status, got.body.dn]).toEqual([200, `uid=dsmith,ou=people,${SALES}`]);
    const all = await call(h.users, 'GET', '/api/v1/users?limit=100');
    expect(all.body.data.map((u: { uid: string }) => u.uid)).toEqual(expect.arrayContaining(['admin', 'dsmith']));
    const sales = await call(h.users, 'GET', `/api/v1/users?department_dn=${encodeURIComponent(SALES)}`);
    expect([sales.status, sales.body.data.map((u: { uid: string }) => u.uid), sales.body.pagination.total]).toEqual([200, ['dsmith'], 1]);
    const badScope = await call(h.users, 'GET', `/api/v1/users?department_dn=${encodeURIComponent(`ou=Nowhere,${BASE}`)}`);
    expect([badScope.status, badScope.body.error.code]).toEqual([422, 'INVALID_DEPARTMENT']);

    const put = await call(h.users, 'PUT', '/api/v1/users/dsmith', { body: { title: 'Account manager' } });
    expect([put.status, put.body.title]).toEqual([200, 'Account manager']);
    const lock = await call(h.users, 'POST', '/api/v1/users/dsmith/lock');
    expect([lock.status, lock.body.locked]).toEqual([200, true]);
    expect(
      attrFirst((await api.ldap.client.get(`uid=dsmith,ou=people,${SALES}`, ['pwdAccountLockedTime']))!, 'pwdAccountLockedTime'),
    ).toBeDefined();
    expect((await call(h.users, 'POST', '/api/v1/users/dsmith/unlock')).body.locked).toBe(false);
  });

  it('logs the department user in, and changes its password (self-service with the current one)', async () => {
    const login = await api.call(h.auth, 'POST', '/api/v1/auth/login', { body: { username: 'dsmith', password: PW } });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const token = login.body.access_token as string;
    const changed = await call(h.users, 'PUT', '/api/v1/users/dsmith/password', {
      token,
      body: { current_password: PW, new_password: 'Dept-Member-Next-43' },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    await expect(api.ldap.client.bind(`uid=dsmith,ou=people,${SALES}`, 'Dept-Member-Next-43')).resolves.toBeUndefined();
  });

  it('finds the department user for SSH keys and mail', async () => {
    const key = await call(h.sshKeys, 'POST', '/api/v1/users/dsmith/ssh-keys', { body: { public_key: sshKeyLine('dsmith@laptop') } });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    expect((await call(h.sshKeys, 'GET', '/api/v1/users/dsmith/ssh-keys')).body.keys).toHaveLength(1);
    const mail = await call(h.mail, 'GET', '/api/v1/mail/users/dsmith');
    expect([mail.status, mail.body.dn]).toEqual([200, `uid=dsmith,ou=people,${SALES}`]);
  });

  it('lets a delegate with user rights on the department manage its users only (403 elsewhere, 403 before 404)', async () => {
    const delegate = `uid=salesadmin,ou=people,${BASE}`;
    await api.grant(delegate, ['user:crwd'], { dn: SALES, type: 'subtree' });
    const token = await api.tokenFor(delegate);
    const mine = await call(h.users, 'POST', '/api/v1/users', { token, body: { uid: 'srep', cn: 'Rep', sn: 'Rep', department_dn: SALES } });
    expect(mine.status).toBe(201);
    expect((await call(h.users, 'GET', '/api/v1/users/srep', { token })).status).toBe(200);
    expect((await call(h.users, 'GET', `/api/v1/users?department_dn=${encodeURIComponent(SALES)}`, { token })).status).toBe(200);
    // The base's people, the whole list, an unknown uid: all outside the delegation.
    expect((await call(h.users, 'POST', '/api/v1/users', { token, body: { uid: 'outsider', cn: 'o', sn: 'o' } })).status).toBe(403);
    expect((await call(h.users, 'GET', '/api/v1/users/admin', { token })).status).toBe(403);
    expect((await call(h.users, 'GET', '/api/v1/users', { token })).status).toBe(403);
    expect((await call(h.users, 'GET', '/api/v1/users/nobody-here', { token })).status).toBe(403);
    expect((await call(h.users, 'DELETE', '/api/v1/users/srep', { token })).status).toBe(204);
  });

  it('deletes the department user with its memberships', async () => {
    const g = await call(h.groups, 'POST', '/api/v1/groups', { body: { cn: 'sales-team', members: ['dsmith'], department_dn: SALES } });
    expect(g.status, JSON.stringify(g.body)).toBe(201);
    expect((await call(h.users, 'DELETE', '/api/v1/users/dsmith')).status).toBe(204);
    expect((await call(h.users, 'GET', '/api/v1/users/dsmith')).status).toBe(404);
    expect((await call(h.groups, 'GET', '/api/v1/groups/sales-team')).body.members).toEqual([]);
  });
});

describe('the same name in two places (left by other tools)', () => {
  it('answers 409 USER_AMBIGUOUS / GROUP_AMBIGUOUS naming both DNs to a caller the ACL lets through, 403 to others', async () => {
    const person = (uid: string) => ({ objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid });
    await api.ldap.client.add(`uid=twin,ou=people,${BASE}`, person('twin'));
    await api.ldap.client.add(`uid=twin,ou=people,${SALES}`, person('twin'));
    const user = await call(h.users, 'GET', '/api/v1/users/twin');
    expect([user.status, user.body.error.code, user.body.error.details.dns.length]).toEqual([409, 'USER_AMBIGUOUS', 2]);
    // The ACL comes first: a guest learns nothing about the two entries.
    const guest = await call(h.users, 'GET', '/api/v1/users/twin', { token: api.guestToken });
    expect([guest.status, JSON.stringify(guest.body)]).toEqual([403, expect.not.stringContaining('twin,ou=people')]);
    expect((await call(h.mail, 'GET', '/api/v1/mail/users/twin')).body.error.code).toBe('USER_AMBIGUOUS');

    const group = (cn: string) => ({ objectClass: ['groupOfNames'], cn, member: [`uid=admin,ou=people,${BASE}`] });
    await api.ldap.client.add(`cn=twins,ou=groups,${BASE}`, group('twins'));
    await api.ldap.client.add(`cn=twins,ou=groups,${SALES}`, group('twins'));
    const g = await call(h.groups, 'GET', '/api/v1/groups/twins');
    expect([g.status, g.body.error.code, g.body.error.details.dns.length]).toEqual([409, 'GROUP_AMBIGUOUS', 2]);
    expect((await call(h.groups, 'GET', '/api/v1/groups/twins', { token: api.guestToken })).status).toBe(403);
  });
});

describe('groups in a department', () => {
  it('creates the group under ou=groups of the department; reads, updates, lists and deletes it by cn', async () => {
    const dn = `cn=sales-team,ou=groups,${SALES}`;
    const got = await call(h.groups, 'GET', '/api/v1/groups/sales-team');
    expect([got.status, got.body.dn]).toEqual([200, dn]);
    const dup = await call(h.groups, 'POST', '/api/v1/groups', { body: { cn: 'sales-team' } });
    expect([dup.status, dup.body.error.code, dup.body.error.details.dn]).toEqual([409, 'GROUP_EXISTS', dn]);
    const put = await call(h.groups, 'PUT', '/api/v1/groups/sales-team', { body: { description: 'Sales people' } });
    expect([put.status, put.body.description]).toEqual([200, 'Sales people']);
    expect((await call(h.groups, 'POST', '/api/v1/groups/sales-team/members', { body: { members: ['admin'] } })).status).toBe(200);
    const listed = await call(h.groups, 'GET', `/api/v1/groups?department_dn=${encodeURIComponent(SALES)}`);
    const listedDns = listed.body.data.map((g: { dn: string }) => g.dn) as string[];
    expect(listedDns).toContain(dn);
    expect(listedDns.every((x) => x.endsWith(`,${SALES}`))).toBe(true);
    const all = await call(h.groups, 'GET', '/api/v1/groups?limit=100');
    expect(all.body.data.map((g: { cn: string }) => g.cn)).toEqual(expect.arrayContaining(['admins', 'sales-team']));
    const bad = await call(h.groups, 'POST', '/api/v1/groups', { body: { cn: 'nogroup', department_dn: `ou=Nowhere,${BASE}` } });
    expect([bad.status, bad.body.error.code, bad.body.error.details.field]).toEqual([422, 'INVALID_DEPARTMENT', 'department_dn']);
    expect((await call(h.groups, 'DELETE', '/api/v1/groups/sales-team')).status).toBe(204);
    expect(await api.ldap.client.get(dn)).toBeNull();
  });

  it('lets a delegate with group rights on the department manage its groups only', async () => {
    const delegate = `uid=salesgroups,ou=people,${BASE}`;
    await api.grant(delegate, ['group:crwd'], { dn: SALES, type: 'subtree' });
    const token = await api.tokenFor(delegate);
    expect((await call(h.groups, 'POST', '/api/v1/groups', { token, body: { cn: 'sales-leads', department_dn: SALES } })).status).toBe(201);
    expect((await call(h.groups, 'GET', '/api/v1/groups/sales-leads', { token })).status).toBe(200);
    expect((await call(h.groups, 'GET', '/api/v1/groups/admins', { token })).status).toBe(403);
    expect((await call(h.groups, 'POST', '/api/v1/groups', { token, body: { cn: 'outsiders' } })).status).toBe(403);
    expect((await call(h.groups, 'DELETE', '/api/v1/groups/sales-leads', { token })).status).toBe(204);
  });
});
