import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startDevStack, type DevStack } from '../helpers/dev-stack.js';

/**
 * The users and groups surface (Heracles §3, §4) over HTTP against the stack as `npm run dev` starts it:
 * real slapd (sssvlv, ppolicy), dynalite counters, serverless offline.
 */
let stack: DevStack;
let call: ReturnType<typeof client>;
let admin: string;

const login = (username: string, password: string) => call('POST', '/auth/login', { body: { username, password } });

beforeAll(async () => {
  stack = await startDevStack();
  call = client(stack.api);
  admin = (await login('admin', stack.adminPassword)).json.access_token;
  // First calls load each function (bundle + cold start), slow on a busy machine: not inside a test's timeout.
  await Promise.all([call('GET', '/users?limit=1', { token: admin }), call('GET', '/groups?limit=1', { token: admin })]);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('users', () => {
  it('creates, reads, updates (null removes) and refuses a duplicate', async () => {
    const body = {
      uid: 'jdoe',
      cn: 'John Doe',
      sn: 'Doe',
      givenName: 'John',
      mail: 'jdoe@example.com',
      userPassword: 'SecureP@ss1234',
      posix: { uidNumber: null, gidNumber: 10000, homeDirectory: '/home/jdoe', loginShell: '/bin/bash' },
    };
    const created = await call('POST', '/users', { token: admin, body });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/v1/users/jdoe');
    expect(created.json).toMatchObject({ dn: 'uid=jdoe,ou=people,dc=example,dc=com', uidNumber: 10001, tabs: { posix: true } });
    expect(created.json.userPassword).toBeUndefined();
    expect((await call('POST', '/users', { token: admin, body })).json.error.code).toBe('USER_EXISTS');

    const bad = await call('POST', '/users', { token: admin, body: { uid: 'X', cn: 'c', sn: 's', mail: 'nope' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['body.mail', 'body.uid']);

    const put = await call('PUT', '/users/jdoe', {
      token: admin,
      body: { cn: 'John M. Doe', givenName: null, telephoneNumber: '+33 1 23' },
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ cn: 'John M. Doe', telephoneNumber: '+33 1 23', sn: 'Doe' });
    expect(put.json.givenName).toBeUndefined();
    const required = await call('PUT', '/users/jdoe', { token: admin, body: { sn: null } });
    expect([required.status, required.json.error.code, required.json.error.details.field]).toEqual([422, 'ATTRIBUTE_REQUIRED', 'sn']);
    const uidChange = await call('PUT', '/users/jdoe', { token: admin, body: { uid: 'other' } });
    expect([uidChange.status, uidChange.json.error.details.fields[0].field]).toEqual([400, 'body.uid']);

    const missing = await call('GET', '/users/ghost', { token: admin });
    expect([missing.status, missing.json.error.code, missing.json.error.details.uid]).toEqual([404, 'USER_NOT_FOUND', 'ghost']);
  });

  it('lists with directory paging, filters and injection-safe values', async () => {
    for (const i of [1, 2, 3, 4, 5]) {
      expect((await call('POST', '/users', { token: admin, body: { uid: `page${i}`, cn: `Page ${i}`, sn: 'Page' } })).status).toBe(201);
    }
    const p = await call('GET', '/users?filter=uid:starts:page&limit=2&offset=2', { token: admin });
    expect(p.json.pagination).toEqual({ total: 5, limit: 2, offset: 2, has_more: true });
    expect(p.json.data.map((u: { uid: string }) => u.uid)).toEqual(['page3', 'page4']);
    const last = await call('GET', '/users?filter=uid:starts:page&limit=2&offset=4&attributes=cn', { token: admin });
    expect(last.json.pagination.has_more).toBe(false);
    expect(last.json.data).toEqual([{ dn: 'uid=page5,ou=people,dc=example,dc=com', uid: 'page5', cn: 'Page 5' }]);
    const inj = await call('GET', `/users?filter=${encodeURIComponent('uid:eq:*)(uid=*')}`, { token: admin });
    expect([inj.status, inj.json.pagination.total]).toEqual([200, 0]);
    const badAttr = await call('GET', '/users?filter=userPassword:present', { token: admin });
    expect([badAttr.status, badAttr.json.error.details.fields[0].field]).toEqual([400, 'query.filter']);
  });

  it('gives 10 parallel creations with uidNumber null distinct numbers', async () => {
    const res = await Promise.all(
      [...Array(10).keys()].map((i) =>
        call('POST', '/users', { token: admin, body: { uid: `conc${i}`, cn: 'C', sn: 'C', posix: { uidNumber: null, gidNumber: 10000 } } }),
      ),
    );
    expect(res.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(res.map((r) => r.json.uidNumber)).size).toBe(10);
  });

  it('lets a user read their own entry and change their password, and denies them others (403)', async () => {
    const own = (await login('jdoe', 'SecureP@ss1234')).json.access_token;
    expect((await call('GET', '/users/jdoe', { token: own })).status).toBe(200);
    expect((await call('GET', '/users/page1', { token: own })).status).toBe(403);
    expect((await call('GET', '/users', { token: own })).status).toBe(403);
    expect((await call('POST', '/users', { token: own, body: { uid: 'sneaky', cn: 's', sn: 's' } })).status).toBe(403);
    expect((await call('PUT', '/users/page1/password', { token: own, body: { new_password: 'Whatever-Pass-99' } })).status).toBe(403);

    const noCurrent = await call('PUT', '/users/jdoe/password', { token: own, body: { new_password: 'Brand-New-Pass-7' } });
    expect(noCurrent.json.error.code).toBe('CURRENT_PASSWORD_REQUIRED');
    const weak = await call('PUT', '/users/jdoe/password', {
      token: own,
      body: { current_password: 'SecureP@ss1234', new_password: 'jdoe' },
    });
    expect([weak.status, weak.json.error.details.rules]).toEqual([422, ['min_length', 'character_classes', 'contains_uid']]);
    const ok = await call('PUT', '/users/jdoe/password', {
      token: own,
      body: { current_password: 'SecureP@ss1234', new_password: 'Brand-New-Pass-7' },
    });
    expect([ok.status, ok.json]).toEqual([200, { message: 'Password changed successfully' }]);
    expect((await login('jdoe', 'Brand-New-Pass-7')).status).toBe(200);
    // An administrator (user:w, not themself) needs no current password.
    expect((await call('PUT', '/users/jdoe/password', { token: admin, body: { new_password: 'Admin-Set-Pass-8' } })).status).toBe(200);
    expect((await login('jdoe', 'Admin-Set-Pass-8')).status).toBe(200);
  });

  it('locks (login refused) and unlocks (login works again)', async () => {
    const locked = await call('POST', '/users/jdoe/lock', { token: admin });
    expect(locked.json).toMatchObject({ uid: 'jdoe', locked: true });
    expect(locked.json.locked_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const refused = await login('jdoe', 'Admin-Set-Pass-8');
    expect([401, 403]).toContain(refused.status);
    expect((await call('GET', '/users/jdoe', { token: admin })).json.locked).toBe(true);
    expect((await call('POST', '/users/jdoe/unlock', { token: admin })).json).toEqual({ uid: 'jdoe', locked: false, locked_at: null });
    expect((await login('jdoe', 'Admin-Set-Pass-8')).status).toBe(200);
  });

  it('audits changes with the password redacted', async () => {
    const res = await call('GET', '/audit/logs?action=user.create&limit=500', { token: admin });
    const event = res.json.data.find((e: { target: string }) => e.target === 'uid=jdoe,ou=people,dc=example,dc=com');
    expect(event.changes).toContainEqual({ attribute: 'cn', old: null, new: 'John Doe' });
    expect(event.changes).toContainEqual({ attribute: 'userPassword', old: null, new: '[REDACTED]' });
    const pw = await call('GET', '/audit/logs?action=user.password&limit=5', { token: admin });
    expect(pw.json.data[0].changes).toEqual([{ attribute: 'userPassword', old: '[REDACTED]', new: '[REDACTED]' }]);
    expect(JSON.stringify(pw.json)).not.toContain('Admin-Set-Pass-8');
    const upd = await call('GET', '/audit/logs?action=user.update&limit=5', { token: admin });
    expect(upd.json.data.at(-1).changes).toContainEqual({ attribute: 'givenName', old: 'John', new: null });
  });
});

describe('groups', () => {
  it('creates a POSIX group, manages members, refuses unknown ones and drops a deleted user', async () => {
    const g = await call('POST', '/groups', {
      token: admin,
      body: { cn: 'qa-team', description: 'Quality', gidNumber: null, members: ['uid=jdoe,ou=people,dc=example,dc=com'] },
    });
    expect(g.status).toBe(201);
    expect(g.json).toMatchObject({ cn: 'qa-team', gidNumber: 10001, members: [{ uid: 'jdoe', cn: 'John M. Doe' }] });
    const added = await call('POST', '/groups/qa-team/members', { token: admin, body: { members: ['page1', 'page2'] } });
    expect(added.json.members.map((m: { uid: string }) => m.uid)).toEqual(['jdoe', 'page1', 'page2']);
    const unknown = await call('POST', '/groups/qa-team/members', { token: admin, body: { members: ['ghost'] } });
    expect([unknown.status, unknown.json.error.code, unknown.json.error.details.members]).toEqual([400, 'MEMBER_NOT_FOUND', ['ghost']]);
    const removed = await call('DELETE', '/groups/qa-team/members', { token: admin, body: { members: ['page2'] } });
    expect(removed.json.members.map((m: { uid: string }) => m.uid)).toEqual(['jdoe', 'page1']);
    const list = await call('GET', '/groups?filter=cn:eq:qa-team', { token: admin });
    expect(list.json.data[0]).toMatchObject({ cn: 'qa-team', memberCount: 2 });
    expect(list.json.pagination.total).toBe(1);

    expect((await call('DELETE', '/users/jdoe', { token: admin })).status).toBe(204);
    expect((await call('GET', '/users/jdoe', { token: admin })).status).toBe(404);
    const after = await call('GET', '/groups/qa-team', { token: admin });
    expect(after.json.members.map((m: { uid: string }) => m.uid)).toEqual(['page1']);

    expect((await call('PUT', '/groups/qa-team', { token: admin, body: { description: null } })).json.description).toBeUndefined();
    expect((await call('DELETE', '/groups/qa-team', { token: admin })).status).toBe(204);
    expect((await call('GET', '/groups/qa-team', { token: admin })).json.error.code).toBe('GROUP_NOT_FOUND');
  });

  it('denies a guest the groups (403)', async () => {
    await call('PUT', '/users/page3/password', { token: admin, body: { new_password: 'Guest-Pass-1234' } });
    const token = (await login('page3', 'Guest-Pass-1234')).json.access_token;
    expect((await call('GET', '/groups', { token })).status).toBe(403);
    expect((await call('POST', '/groups', { token, body: { cn: 'mine' } })).status).toBe(403);
  });
});
