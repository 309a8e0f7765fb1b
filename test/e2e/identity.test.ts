import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { client, startDevStack, type DevStack } from '../helpers/dev-stack.js';
import { freePort } from '../helpers/slapd.js';
import { createDb, type Db } from '../../lib/store/dynamo.js';
import { createLdapClient, attrFirst } from '../../lib/providers/ldap/index.js';

/**
 * The users and groups surface (Heracles §3, §4) over HTTP against the stack as `npm run dev` starts it:
 * real slapd (sssvlv, ppolicy), dynalite counters, serverless offline.
 */
let stack: DevStack;
let call: ReturnType<typeof client>;
let admin: string;
/** The stack's table, for what has no endpoint yet (ACL assignments). */
let db: Db;

const login = (username: string, password: string) => call('POST', '/auth/login', { body: { username, password } });

beforeAll(async () => {
  const dynamoPort = await freePort();
  stack = await startDevStack({ DYNAMODB_PORT: String(dynamoPort) });
  db = createDb({ table: 'apibibind-local', endpoint: `http://127.0.0.1:${dynamoPort}`, region: 'us-east-1' });
  call = client(stack.api);
  admin = (await login('admin', stack.adminPassword)).json.access_token;
  // First calls load each function (bundle + cold start), slow on a busy machine: not inside a test's timeout.
  await Promise.all([
    call('GET', '/users?limit=1', { token: admin }),
    call('GET', '/groups?limit=1', { token: admin }),
    call('GET', '/users/admin/ssh-keys', { token: admin }),
    call('GET', '/audit/logs?limit=1', { token: admin }),
    call('GET', '/config/password.hash', { token: admin }),
  ]);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('users', () => {
  it('stores an {ARGON2} argon2id hash when the config says password.hash=ARGON2, and the user logs in with it', async () => {
    expect((await call('PUT', '/config/password.hash', { token: admin, body: { value: 'ARGON2' } })).status).toBe(200);
    try {
      const password = 'Kdf-E2e-Secret-91';
      const created = await call('POST', '/users', { token: admin, body: { uid: 'kdfe2e', cn: 'K', sn: 'K', userPassword: password } });
      expect(created.status).toBe(201);
      const ldap = createLdapClient({
        url: stack.ldapUrl,
        baseDn: 'dc=example,dc=com',
        bindDn: 'cn=admin,dc=example,dc=com',
        bindPassword: stack.ldapBindPassword,
      });
      const entry = await ldap.get(created.json.dn, ['userPassword']);
      expect(attrFirst(entry!, 'userPassword')).toMatch(/^\{ARGON2\}\$argon2id\$v=19\$/);
      const ok = await login('kdfe2e', password);
      expect([ok.status, typeof ok.json.access_token]).toEqual([200, 'string']);
      expect((await login('kdfe2e', 'Kdf-E2e-Wrong-92')).status).toBe(401);
    } finally {
      await call('DELETE', '/config/password.hash', { token: admin });
    }
  });

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

/** A fresh ed25519 public key line and its OpenSSH fingerprint. */
function ed25519Key(comment: string): { line: string; fingerprint: string } {
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const x = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(x)]);
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { line: `ssh-ed25519 ${blob.toString('base64')} ${comment}`, fingerprint };
}

describe('ssh keys', () => {
  const PASS = 'Ssh-Keys-Pass-42';
  const mkUser = async (uid: string) =>
    expect((await call('POST', '/users', { token: admin, body: { uid, cn: uid, sn: uid, userPassword: PASS } })).status).toBe(201);

  it('adds, lists, refuses a duplicate (409), shows the ssh tab, deletes and audits the fingerprint', async () => {
    await mkUser('sshkeys1');
    const k = ed25519Key('sshkeys1@laptop');
    const added = await call('POST', '/users/sshkeys1/ssh-keys', { token: admin, body: { public_key: k.line } });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ id: k.fingerprint, fingerprint: k.fingerprint, type: 'ssh-ed25519', comment: 'sshkeys1@laptop' });
    expect(added.headers.get('location')).toBe(`/api/v1/users/sshkeys1/ssh-keys/${encodeURIComponent(k.fingerprint)}`);
    const dup = await call('POST', '/users/sshkeys1/ssh-keys', { token: admin, body: { public_key: k.line.replace(/ \S+$/, ' other') } });
    expect([dup.status, dup.json.error.code]).toEqual([409, 'SSH_KEY_EXISTS']);
    const bad = await call('POST', '/users/sshkeys1/ssh-keys', { token: admin, body: { public_key: `no-pty ${k.line}` } });
    expect([bad.status, bad.json.error.code, bad.json.error.details.reason]).toEqual([400, 'INVALID_SSH_KEY', 'options_not_allowed']);

    const list = await call('GET', '/users/sshkeys1/ssh-keys', { token: admin });
    expect([list.status, list.json.keys.map((x: { id: string }) => x.id)]).toEqual([200, [k.fingerprint]]);
    expect(list.json.keys[0].added_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await call('GET', '/users/sshkeys1', { token: admin })).json.tabs.ssh).toBe(true);

    // The URL id is the fingerprint, URL-encoded; the SHA256: prefix is optional.
    const gone = await call('DELETE', `/users/sshkeys1/ssh-keys/${encodeURIComponent(k.fingerprint.slice(7))}`, { token: admin });
    expect(gone.status).toBe(204);
    const again = await call('DELETE', `/users/sshkeys1/ssh-keys/${encodeURIComponent(k.fingerprint)}`, { token: admin });
    expect([again.status, again.json.error.code]).toEqual([404, 'SSH_KEY_NOT_FOUND']);
    expect((await call('GET', '/users/sshkeys1/ssh-keys', { token: admin })).json).toEqual({ keys: [] });
    expect((await call('GET', '/users/sshkeys1', { token: admin })).json.tabs.ssh).toBe(false);
    const ghost = await call('GET', '/users/ghost/ssh-keys', { token: admin });
    expect([ghost.status, ghost.json.error.code]).toEqual([404, 'USER_NOT_FOUND']);

    const audit = await call('GET', '/audit/logs?action=ssh-key.create&limit=50', { token: admin });
    const event = audit.json.data.find((e: { target: string }) => e.target === 'uid=sshkeys1,ou=people,dc=example,dc=com');
    expect(event.changes).toContainEqual({ attribute: 'sshPublicKey', old: null, new: k.fingerprint });
    const del = await call('GET', '/audit/logs?action=ssh-key.delete&limit=50', { token: admin });
    expect(del.json.data[0].changes).toContainEqual({ attribute: 'sshPublicKey', old: k.fingerprint, new: null });
    expect(JSON.stringify([audit.json, del.json])).not.toContain(k.line.split(' ')[1]);
  });

  it('lets every user manage their own keys only (self-service ssh-key:crwds), a developer as a guest', async () => {
    await mkUser('sshdev');
    await mkUser('sshguest');
    // The developer role (ssh-key:crwds) for sshdev, through the ACL endpoint (applies to the next request).
    const assigned = await call('POST', '/acl/assignments', {
      token: admin,
      body: { role: 'developer', subject: { type: 'user', dn: 'uid=sshdev,ou=people,dc=example,dc=com' } },
    });
    expect(assigned.status).toBe(201);
    const dev = (await login('sshdev', PASS)).json.access_token;
    const guest = (await login('sshguest', PASS)).json.access_token;
    const k = ed25519Key('sshdev@laptop');

    const mine = await call('POST', '/users/sshdev/ssh-keys', { token: dev, body: { public_key: k.line } });
    expect(mine.status).toBe(201);
    expect((await call('GET', '/users/sshdev/ssh-keys', { token: dev })).json.keys).toHaveLength(1);
    expect((await call('POST', '/users/sshguest/ssh-keys', { token: dev, body: { public_key: ed25519Key('x').line } })).status).toBe(403);
    expect((await call('GET', '/users/sshguest/ssh-keys', { token: dev })).status).toBe(403);
    // 403 before 404: an unknown user's keys are denied too, not revealed as missing.
    expect((await call('GET', '/users/nobody-here/ssh-keys', { token: dev })).status).toBe(403);

    // Self-service (every role, guest included, docs/permissions.md): own keys yes, someone else's no.
    const g = ed25519Key('g');
    expect((await call('POST', '/users/sshguest/ssh-keys', { token: guest, body: { public_key: g.line } })).status).toBe(201);
    expect((await call('GET', '/users/sshguest/ssh-keys', { token: guest })).json.keys).toHaveLength(1);
    expect((await call('GET', '/users/sshdev/ssh-keys', { token: guest })).status).toBe(403);
    expect((await call('DELETE', `/users/sshdev/ssh-keys/${encodeURIComponent(k.fingerprint)}`, { token: guest })).status).toBe(403);
    expect((await call('DELETE', `/users/sshguest/ssh-keys/${encodeURIComponent(g.fingerprint)}`, { token: guest })).status).toBe(204);

    expect((await call('DELETE', `/users/sshdev/ssh-keys/${encodeURIComponent(k.fingerprint)}`, { token: dev })).status).toBe(204);
    expect((await call('DELETE', `/acl/assignments/${assigned.json.id}`, { token: admin })).status).toBe(204);
  });
});
