import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSlapd, type TestSlapd } from '../helpers/slapd.js';
import { startTestDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { httpEvent, lambdaContext } from '../helpers/http.js';
import { issueAccessToken } from '../helpers/tokens.js';
import { generatePrivateJwk } from '../../lib/auth/keys.js';
import type { HttpEvent, HttpResponse } from '../../lib/http/types.js';

/**
 * The ACL (§8) and schema (§9) functions in-process (full middy stack, real platform) against a real slapd
 * and dynalite: roles and assignments made here change what a user may do on other functions' endpoints.
 */
let ldap: TestSlapd;
let dyn: TestDynalite;
type Handler = (event: HttpEvent, context: ReturnType<typeof lambdaContext>) => Promise<HttpResponse>;
let acl: Handler;
let audit: Handler;
let schema: Handler;
let db: TestDynalite['db'];

const BASE = 'dc=example,dc=com';
const ADMIN = `uid=admin,ou=people,${BASE}`;
const GUEST = `uid=guest1,ou=people,${BASE}`;
const OTHER = `uid=other1,ou=people,${BASE}`;
const AUDITORS = `cn=log-auditors,ou=groups,${BASE}`;
const tokens: Record<'admin' | 'guest' | 'other', string> = { admin: '', guest: '', other: '' };

async function tokenFor(dn: string, groups: string[]): Promise<string> {
  const { platform } = await import('../../lib/platform.js');
  return issueAccessToken(await platform(), dn, { groups });
}

interface Res {
  status: number;
  body: any;
  headers: Record<string, string>;
}
async function call(
  h: Handler,
  method: string,
  path: string,
  opts: { as?: keyof typeof tokens | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Res> {
  const as = opts.as === undefined ? 'admin' : opts.as;
  const headers = { ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}), ...(opts.headers ?? {}) };
  const res = await h(httpEvent(method, path, { body: opts.body, headers }), lambdaContext());
  return { status: res.statusCode as number, body: res.body ? JSON.parse(res.body as string) : undefined, headers: res.headers };
}
const fields = (r: Res) => (r.body.error.details.fields as { field: string; message: string }[]).map((f) => f.field);

async function auditEvents(action: string) {
  const { queryAudit } = await import('../../lib/audit/audit.js');
  return (await queryAudit(db, { action, limit: 100, offset: 0 })).data;
}

beforeAll(async () => {
  [ldap, dyn] = await Promise.all([startTestSlapd(), startTestDynalite()]);
  db = dyn.db;
  Object.assign(process.env, ldap.env, {
    DYNAMODB_ENDPOINT: dyn.url,
    TABLE_NAME: dyn.table,
    JWT_PRIVATE_JWKS: JSON.stringify([await generatePrivateJwk()]),
    LOG_LEVEL: 'SILENT',
  });
  const { resetConfig } = await import('../../lib/core/config.js');
  resetConfig();
  for (const uid of ['guest1', 'other1']) {
    await ldap.client.add(`uid=${uid},ou=people,${BASE}`, { objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid });
  }
  await ldap.client.add(AUDITORS, { objectClass: ['groupOfNames'], cn: 'log-auditors', member: [OTHER] });
  acl = (await import('../../functions/http/acl.js')).handler as Handler;
  audit = (await import('../../functions/http/audit.js')).handler as Handler;
  schema = (await import('../../functions/http/schema.js')).handler as Handler;
  tokens.admin = await tokenFor(ADMIN, [`cn=admins,ou=groups,${BASE}`]);
  tokens.guest = await tokenFor(GUEST, []);
  tokens.other = await tokenFor(OTHER, [AUDITORS]);
});

afterAll(async () => {
  await Promise.all([ldap?.destroy(), dyn?.stop()]);
});

describe('roles', () => {
  it('lists the six built-in roles with a stable dn, to acl:r holders only (401 without a token)', async () => {
    const r = await call(acl, 'GET', '/api/v1/acl/roles');
    expect(r.status).toBe(200);
    expect(r.body.data.map((x: { id: string }) => x.id)).toEqual(['admin', 'devops', 'ops', 'developer', 'auditor', 'guest']);
    expect(r.body.data[0]).toEqual({
      id: 'admin',
      dn: `cn=admin,ou=aclroles,${BASE}`,
      cn: 'admin',
      description: 'Full administrator access to every object type',
      permissions: ['*:crwdm'],
      builtin: true,
    });
    expect(r.body.pagination).toEqual({ total: 6, limit: 50, offset: 0, has_more: false });
    expect((await call(acl, 'GET', '/api/v1/acl/roles', { as: 'guest' })).status).toBe(403);
    expect((await call(acl, 'GET', '/api/v1/acl/roles', { as: null })).status).toBe(401);
  });

  it('reads a role by id or French alias; 404 for an unknown one, but 403 first for a caller without acl:r', async () => {
    expect((await call(acl, 'GET', '/api/v1/acl/roles/auditeur')).body).toMatchObject({ id: 'auditor', builtin: true });
    const missing = await call(acl, 'GET', '/api/v1/acl/roles/nope');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'ROLE_NOT_FOUND']);
    expect((await call(acl, 'GET', '/api/v1/acl/roles/nope', { as: 'guest' })).status).toBe(403);
  });

  it('validates a new role: each invalid permission named, built-in names refused', async () => {
    const bad = await call(acl, 'POST', '/api/v1/acl/roles', {
      body: { cn: 'broken', permissions: ['user:r', 'user:rx', 'group:rr', 'Bad:r', 'user:s'] },
    });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(['body.permissions.1', 'body.permissions.2', 'body.permissions.3', 'body.permissions.4']);
    expect(bad.body.error.details.fields[0].message).toMatch(/unknown letter "x"/);
    const noCn = await call(acl, 'POST', '/api/v1/acl/roles', { body: { cn: 'Not Valid', permissions: ['user:r'] } });
    expect(fields(noCn)).toEqual(['body.cn']);
    for (const cn of ['admin', 'auditeur']) {
      const dup = await call(acl, 'POST', '/api/v1/acl/roles', { body: { cn, permissions: ['user:r'] } });
      expect([dup.status, dup.body.error.code, dup.body.error.details.builtin]).toEqual([409, 'ROLE_EXISTS', true]);
    }
    expect((await call(acl, 'POST', '/api/v1/acl/roles', { as: 'guest', body: { cn: 'x1', permissions: ['user:r'] } })).status).toBe(403);
  });

  it('creates a custom role (canonical permissions, version 1, Location) and audits it; the same id again is 409', async () => {
    const r = await call(acl, 'POST', '/api/v1/acl/roles', {
      body: { cn: 'helpdesk', description: 'Reads users', permissions: ['user:r', 'group:rw', 'group:wr'] },
    });
    expect(r.status).toBe(201);
    expect(r.headers.Location).toBe('/api/v1/acl/roles/helpdesk');
    expect(r.body).toMatchObject({
      id: 'helpdesk',
      dn: `cn=helpdesk,ou=aclroles,${BASE}`,
      cn: 'helpdesk',
      description: 'Reads users',
      permissions: ['user:r', 'group:rw'],
      builtin: false,
      version: 1,
      created_by: ADMIN,
    });
    const again = await call(acl, 'POST', '/api/v1/acl/roles', { body: { cn: 'helpdesk', permissions: ['user:r'] } });
    expect([again.status, again.body.error.code]).toEqual([409, 'ROLE_EXISTS']);
    const [event] = await auditEvents('acl.role.create');
    expect(event).toMatchObject({ actor: ADMIN, target: `cn=helpdesk,ou=aclroles,${BASE}`, result: 'success', category: 'mutation' });
    expect(event!.changes).toEqual([
      { attribute: 'description', old: null, new: 'Reads users' },
      { attribute: 'permissions', old: null, new: ['user:r', 'group:rw'] },
    ]);
    const list = await call(acl, 'GET', '/api/v1/acl/roles?limit=2&offset=6');
    expect([list.body.data.map((x: { id: string }) => x.id), list.body.pagination.total]).toEqual([['helpdesk'], 7]);
  });

  it('updates a custom role with optimistic versions; built-in roles are read-only; cn cannot change', async () => {
    const r = await call(acl, 'PUT', '/api/v1/acl/roles/helpdesk', { body: { permissions: ['user:rw'], description: null, version: 1 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ permissions: ['user:rw'], version: 2 });
    expect(r.body.description).toBeUndefined();
    const [event] = await auditEvents('acl.role.update');
    expect(event!.changes).toEqual([
      { attribute: 'description', old: 'Reads users', new: null },
      { attribute: 'permissions', old: ['user:r', 'group:rw'], new: ['user:rw'] },
    ]);
    const stale = await call(acl, 'PUT', '/api/v1/acl/roles/helpdesk', { body: { permissions: ['user:r'], version: 1 } });
    expect([stale.status, stale.body.error.code, stale.body.error.details]).toEqual([
      409,
      'VERSION_CONFLICT',
      { id: 'helpdesk', expected: 1, current: 2 },
    ]);
    const builtin = await call(acl, 'PUT', '/api/v1/acl/roles/admin', { body: { permissions: ['user:r'] } });
    expect([builtin.status, builtin.body.error.code]).toEqual([422, 'BUILTIN_ROLE_READ_ONLY']);
    expect(fields(await call(acl, 'PUT', '/api/v1/acl/roles/helpdesk', { body: { cn: 'renamed' } }))).toEqual(['body.cn']);
    expect(fields(await call(acl, 'PUT', '/api/v1/acl/roles/helpdesk', { body: { permissions: ['user:q'] } }))).toEqual([
      'body.permissions.0',
    ]);
    expect((await call(acl, 'PUT', '/api/v1/acl/roles/ghost', { body: { permissions: ['user:r'] } })).status).toBe(404);
    const del = await call(acl, 'DELETE', '/api/v1/acl/roles/guest');
    expect([del.status, del.body.error.code]).toEqual([422, 'BUILTIN_ROLE_READ_ONLY']);
  });
});

describe('assignments', () => {
  it('lists the built-in assignments, filtered by role (aliases too) and subject', async () => {
    const all = await call(acl, 'GET', '/api/v1/acl/assignments');
    expect(all.body.data).toEqual([
      {
        id: 'builtin-bootstrap-admin',
        role: 'admin',
        subject: { type: 'user', dn: ADMIN },
        scope: null,
        priority: 0,
        deny: false,
        builtin: true,
      },
      expect.objectContaining({ id: 'builtin-authenticated-guest', role: 'guest', subject: { type: 'group', dn: 'cn=authenticated' } }),
    ]);
    const byRole = await call(acl, 'GET', '/api/v1/acl/assignments?role=guest');
    expect(byRole.body.data.map((a: { id: string }) => a.id)).toEqual(['builtin-authenticated-guest']);
    const bySubject = await call(
      acl,
      'GET',
      `/api/v1/acl/assignments?subject=${encodeURIComponent('UID=Admin, ou=people,dc=example,dc=com')}`,
    );
    expect(bySubject.body.data.map((a: { id: string }) => a.id)).toEqual(['builtin-bootstrap-admin']);
    expect((await call(acl, 'GET', '/api/v1/acl/assignments', { as: 'guest' })).status).toBe(403);
  });

  it('refuses an unknown role, a subject missing from the directory or of the wrong kind, a bad DN: 400 naming the field', async () => {
    const post = (body: unknown) => call(acl, 'POST', '/api/v1/acl/assignments', { body });
    const role = await post({ role: 'nope', subject: { type: 'user', dn: GUEST } });
    expect([role.status, role.body.error.code, role.body.error.details]).toEqual([
      400,
      'UNKNOWN_ROLE',
      { field: 'body.role', value: 'nope' },
    ]);
    const ghost = `uid=ghost,ou=people,${BASE}`;
    const subject = await post({ role: 'auditor', subject: { type: 'user', dn: ghost } });
    expect([subject.status, subject.body.error.code, subject.body.error.details]).toEqual([
      400,
      'SUBJECT_NOT_FOUND',
      { field: 'body.subject.dn', value: ghost },
    ]);
    const kind = await post({ role: 'auditor', subject: { type: 'group', dn: GUEST } });
    expect([kind.status, kind.body.error.code, kind.body.error.details.field]).toEqual([400, 'SUBJECT_TYPE_MISMATCH', 'body.subject.type']);
    const syntax = await post({
      role: 'auditor',
      subject: { type: 'user', dn: 'not a dn' },
      scope: { dn: '=x', type: 'one' },
      priority: 5000,
    });
    expect(fields(syntax).sort()).toEqual(['body.priority', 'body.scope.dn', 'body.scope.type', 'body.subject.dn']);
  });

  it('a custom role assigned to a guest lets it read the audit log on the audit function; removing the assignment takes it away', async () => {
    expect((await call(audit, 'GET', '/api/v1/audit/logs', { as: 'guest' })).status).toBe(403);
    expect((await call(acl, 'POST', '/api/v1/acl/roles', { body: { cn: 'log-reader', permissions: ['audit:r'] } })).status).toBe(201);
    const made = await call(acl, 'POST', '/api/v1/acl/assignments', { body: { role: 'log-reader', subject: { type: 'user', dn: GUEST } } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      role: 'log-reader',
      subject: { type: 'user', dn: GUEST },
      scope: null,
      priority: 0,
      deny: false,
      builtin: false,
      version: 1,
      created_by: ADMIN,
    });
    expect(made.headers.Location).toBe(`/api/v1/acl/assignments/${made.body.id}`);
    expect((await call(audit, 'GET', '/api/v1/audit/logs', { as: 'guest' })).status).toBe(200);

    const dup = await call(acl, 'POST', '/api/v1/acl/assignments', {
      body: { role: 'log-reader', subject: { type: 'user', dn: 'UID=guest1,ou=People,dc=example,dc=com' }, priority: 3 },
    });
    expect([dup.status, dup.body.error.code, dup.body.error.details.id]).toEqual([409, 'ASSIGNMENT_EXISTS', made.body.id]);

    const inUse = await call(acl, 'DELETE', '/api/v1/acl/roles/log-reader');
    expect([inUse.status, inUse.body.error.code, inUse.body.error.details.assignments]).toEqual([
      409,
      'ROLE_IN_USE',
      [{ id: made.body.id, subject: { type: 'user', dn: GUEST } }],
    ]);

    const gone = await call(acl, 'DELETE', `/api/v1/acl/assignments/${made.body.id}`);
    expect(gone.status).toBe(204);
    expect((await call(audit, 'GET', '/api/v1/audit/logs', { as: 'guest' })).status).toBe(403);
    expect((await call(acl, 'DELETE', `/api/v1/acl/assignments/${made.body.id}`)).status).toBe(404);
    expect((await call(acl, 'DELETE', '/api/v1/acl/roles/log-reader')).status).toBe(204);
    expect((await call(acl, 'GET', '/api/v1/acl/roles/log-reader')).status).toBe(404);

    const [created] = await auditEvents('acl.assignment.create');
    expect(created!.changes).toEqual(
      expect.arrayContaining([
        { attribute: 'role', old: null, new: 'log-reader' },
        { attribute: 'subject', old: null, new: `user:${GUEST}` },
        { attribute: 'scope', old: null, new: 'global' },
      ]),
    );
    const [removed] = await auditEvents('acl.assignment.delete');
    expect(removed).toMatchObject({ actor: ADMIN, target: `cn=${made.body.id},ou=aclassignments,${BASE}` });
    expect(removed!.changes).toContainEqual({ attribute: 'role', old: 'log-reader', new: null });
    const [roleGone] = await auditEvents('acl.role.delete');
    expect(roleGone!.changes).toContainEqual({ attribute: 'permissions', old: ['audit:r'], new: null });
  });

  it('assigns to a group at a subtree scope, and a deny of higher priority wins', async () => {
    const made = await call(acl, 'POST', '/api/v1/acl/assignments', {
      body: { role: 'helpdesk', subject: { type: 'group', dn: AUDITORS }, scope: { dn: `ou=people,${BASE}` } },
    });
    expect([made.status, made.body.scope]).toEqual([201, { dn: `ou=people,${BASE}`, type: 'subtree' }]);
    const check = (object_dn?: string) =>
      call(acl, 'POST', '/api/v1/acl/check', { as: 'other', body: { action: 'write', object_type: 'user', object_dn } });
    const inside = await check(GUEST);
    expect(inside.body).toEqual({
      allowed: true,
      reason: `Role helpdesk grants user:w on ou=people,${BASE}`,
      subject: OTHER,
      action: 'write',
      object_type: 'user',
      object_dn: GUEST,
    });
    expect((await check(`cn=x,ou=groups,${BASE}`)).body.allowed).toBe(false);
    expect((await check()).body).toMatchObject({ allowed: false, reason: 'No role grants user:w' });

    const deny = await call(acl, 'POST', '/api/v1/acl/assignments', {
      body: { role: 'helpdesk', subject: { type: 'user', dn: OTHER }, scope: { dn: GUEST, type: 'base' }, priority: 10, deny: true },
    });
    expect(deny.status).toBe(201);
    expect((await check(GUEST)).body).toMatchObject({ allowed: false, reason: `Denied by role helpdesk at priority 10 on ${GUEST}` });
    expect((await check(OTHER)).body.allowed).toBe(true);
    for (const a of [made, deny]) expect((await call(acl, 'DELETE', `/api/v1/acl/assignments/${a.body.id}`)).status).toBe(204);
  });

  it('keeps built-in assignments read-only and refuses bad ids', async () => {
    const r = await call(acl, 'DELETE', '/api/v1/acl/assignments/builtin-bootstrap-admin');
    expect([r.status, r.body.error.code]).toEqual([422, 'BUILTIN_ASSIGNMENT_READ_ONLY']);
    expect((await call(acl, 'DELETE', '/api/v1/acl/assignments/a..b')).status).toBe(400);
    expect((await call(acl, 'DELETE', '/api/v1/acl/assignments/nope', { as: 'guest' })).status).toBe(403);
  });

  it('under concurrency: one of identical assignments is stored; a role deleted while being assigned never keeps an assignment', async () => {
    expect((await call(acl, 'POST', '/api/v1/acl/roles', { body: { cn: 'racy', permissions: ['dns:r'] } })).status).toBe(201);
    const body = { role: 'racy', subject: { type: 'user', dn: GUEST } };
    const results = await Promise.all(Array.from({ length: 6 }, () => call(acl, 'POST', '/api/v1/acl/assignments', { body })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const id = results.find((r) => r.status === 201)!.body.id;
    expect((await call(acl, 'DELETE', '/api/v1/acl/roles/racy')).body.error.code).toBe('ROLE_IN_USE');
    expect((await call(acl, 'DELETE', `/api/v1/acl/assignments/${id}`)).status).toBe(204);

    const [del, ...adds] = await Promise.all([
      call(acl, 'DELETE', '/api/v1/acl/roles/racy'),
      ...[OTHER, GUEST].map((dn) =>
        call(acl, 'POST', '/api/v1/acl/assignments', { body: { role: 'racy', subject: { type: 'user', dn } } }),
      ),
    ]);
    const left = (await call(acl, 'GET', '/api/v1/acl/assignments?role=racy')).body.data;
    const roleExists = (await call(acl, 'GET', '/api/v1/acl/roles/racy')).status === 200;
    if (del!.status === 204) {
      expect(roleExists).toBe(false);
      expect(left).toEqual([]);
      expect(adds.every((a) => a.status === 400 || a.status === 201)).toBe(true);
    } else {
      expect(del!.body.error.code).toBe('ROLE_IN_USE');
      expect(roleExists).toBe(true);
      expect(left.length).toBe(adds.filter((a) => a.status === 201).length);
    }
    expect(left.length).toBe(roleExists ? adds.filter((a) => a.status === 201).length : 0);
  });
});

describe('check', () => {
  it('answers for the caller with the engine reason, accepting action letters', async () => {
    const r = await call(acl, 'POST', '/api/v1/acl/check', { as: 'guest', body: { action: 'r', object_type: 'flavor' } });
    expect(r.body).toEqual({
      allowed: true,
      reason: 'Role guest grants flavor:r (global)',
      subject: GUEST,
      action: 'read',
      object_type: 'flavor',
    });
    const own = await call(acl, 'POST', '/api/v1/acl/check', {
      as: 'guest',
      body: { action: 'read', object_type: 'user', object_dn: GUEST, attribute: 'mail' },
    });
    expect(own.body).toMatchObject({ allowed: true, reason: 'Role guest grants user:r on own object (global)', attribute: 'mail' });
    const other = await call(acl, 'POST', '/api/v1/acl/check', {
      as: 'guest',
      body: { action: 'write', object_type: 'user', object_dn: ADMIN, subject: GUEST },
    });
    expect(other.body).toMatchObject({ allowed: false, reason: 'No role grants user:w' });
    const admin = await call(acl, 'POST', '/api/v1/acl/check', { body: { action: 'delete', object_type: 'group' } });
    expect(admin.body).toMatchObject({ allowed: true, reason: 'Role admin grants group:d (global)' });
  });

  it('checks another subject (groups read from the directory) only for acl:r holders', async () => {
    const r = await call(acl, 'POST', '/api/v1/acl/check', { body: { action: 'read', object_type: 'audit', subject: GUEST } });
    expect(r.body).toMatchObject({ allowed: false, subject: GUEST });
    const made = await call(acl, 'POST', '/api/v1/acl/assignments', {
      body: { role: 'auditeur', subject: { type: 'group', dn: AUDITORS } },
    });
    expect([made.status, made.body.role]).toEqual([201, 'auditor']);
    const viaGroup = await call(acl, 'POST', '/api/v1/acl/check', { body: { action: 'read', object_type: 'audit', subject: OTHER } });
    expect(viaGroup.body).toMatchObject({ allowed: true, reason: 'Role auditor grants audit:r (global)', subject: OTHER });
    expect(
      (await call(acl, 'POST', '/api/v1/acl/check', { as: 'guest', body: { action: 'read', object_type: 'audit', subject: ADMIN } }))
        .status,
    ).toBe(403);
    const missing = await call(acl, 'POST', '/api/v1/acl/check', {
      body: { action: 'read', object_type: 'audit', subject: `uid=ghost,ou=people,${BASE}` },
    });
    expect([missing.status, missing.body.error.code]).toEqual([400, 'SUBJECT_NOT_FOUND']);
    expect((await call(acl, 'DELETE', `/api/v1/acl/assignments/${made.body.id}`)).status).toBe(204);
  });

  it('validates the request, naming each field', async () => {
    const r = await call(acl, 'POST', '/api/v1/acl/check', {
      as: 'guest',
      body: { action: 'fly', object_type: 'spaceship', object_dn: 'x' },
    });
    expect(fields(r).sort()).toEqual(['body.action', 'body.object_dn', 'body.object_type']);
    expect((await call(acl, 'POST', '/api/v1/acl/check', { as: null, body: { action: 'r', object_type: 'user' } })).status).toBe(401);
  });
});

describe('schema', () => {
  it('lists object types to any authenticated user, labels in French, English on request', async () => {
    const r = await call(schema, 'GET', '/api/v1/schema/object-types', { as: 'guest' });
    expect(r.status).toBe(200);
    expect(r.body.types.map((t: { name: string }) => t.name)).toEqual(['user', 'group', 'system', 'sudo', 'department']);
    expect(r.body.types.slice(0, 2)).toEqual([
      {
        name: 'user',
        label: 'Utilisateur',
        icon: 'user',
        base_dn: 'ou=people',
        structural_class: 'inetOrgPerson',
        tabs: ['personal', 'posix', 'sudo', 'ssh'],
      },
      { name: 'group', label: 'Groupe', icon: 'users', base_dn: 'ou=groups', structural_class: 'groupOfNames' },
    ]);
    const en = await call(schema, 'GET', '/api/v1/schema/object-types', { as: 'guest', headers: { 'accept-language': 'en-GB,en;q=0.8' } });
    expect(en.body.types[0].label).toBe('User');
    expect((await call(schema, 'GET', '/api/v1/schema/object-types', { as: null })).status).toBe(401);
  });

  it('answers the generated form of a type, 404 for an unknown one', async () => {
    const r = await call(schema, 'GET', '/api/v1/schema/object-types/user/form', { as: 'guest' });
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('user');
    expect(r.body.sections[0]).toMatchObject({ id: 'personal', label: 'Informations personnelles' });
    expect(r.body.sections[0].fields.slice(0, 2)).toEqual([
      {
        name: 'uid',
        type: 'string',
        label: 'Identifiant',
        required: true,
        pattern: '^[a-z][a-z0-9_-]{2,31}$',
        readonly_after_create: true,
      },
      { name: 'cn', type: 'string', label: 'Nom complet', required: true, min_length: 1, max_length: 256 },
    ]);
    const missing = await call(schema, 'GET', '/api/v1/schema/object-types/spaceship/form', { as: 'guest' });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'OBJECT_TYPE_NOT_FOUND']);
    expect((await call(schema, 'GET', '/api/v1/schema/object-types/Bad!/form', { as: 'guest' })).status).toBe(400);
  });
});
