import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attrValues } from '../../lib/providers/ldap/index.js';
import { startInProcessApi, type InProcessApi } from '../helpers/in-process-api.js';

/** §14 departments through the Lambda handler, in-process, against a real slapd (50-departments.ldif) and dynalite. */
let api: InProcessApi;
let handler: typeof import('../../functions/http/departments.js').handler;
const BASE = 'dc=example,dc=com';
const path = (dn: string, query = '') => `/api/v1/departments/${encodeURIComponent(dn)}${query}`;
const call = (method: string, p: string, opts: { token?: string; body?: unknown } = {}) =>
  api.call(handler, method, p, { token: api.adminToken, ...opts });

beforeAll(async () => {
  api = await startInProcessApi();
  handler = (await import('../../functions/http/departments.js')).handler;
});
afterAll(async () => {
  await api?.stop();
});

describe('departments', () => {
  it('creates a department: organizationalUnit + apibibindDepartment, its own ou=people and ou=groups, audited', async () => {
    const res = await call('POST', '/api/v1/departments', {
      body: { ou: 'IT', description: 'Information technology', code: 'IT-01', manager: api.ldap.adminDn },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      dn: `ou=IT,${BASE}`,
      ou: 'IT',
      description: 'Information technology',
      code: 'IT-01',
      manager: api.ldap.adminDn,
      parent_dn: BASE,
    });
    expect(res.headers.Location ?? res.headers.location).toBe(path(`ou=IT,${BASE}`));
    const entry = await api.ldap.client.get(`ou=IT,${BASE}`, ['objectClass', 'apibibindDepartmentCode']);
    expect(attrValues(entry!, 'objectClass')).toEqual(['organizationalUnit', 'apibibindDepartment']);
    expect(await api.ldap.client.get(`ou=people,ou=IT,${BASE}`)).not.toBeNull();
    expect(await api.ldap.client.get(`ou=groups,ou=IT,${BASE}`)).not.toBeNull();
    const [event] = await api.audit('department.create');
    expect(event).toMatchObject({ target: `ou=IT,${BASE}`, actor: api.ldap.adminDn });
    expect(event!.changes).toEqual(
      expect.arrayContaining([
        { attribute: 'ou', old: null, new: 'IT' },
        { attribute: 'code', old: null, new: 'IT-01' },
        { attribute: 'containers', old: null, new: [`ou=people,ou=IT,${BASE}`, `ou=groups,ou=IT,${BASE}`] },
      ]),
    );
  });

  it('creates sub-departments under parent_dn and serves list (paginated, filtered), tree and one department', async () => {
    for (const body of [
      { ou: 'HR' },
      { ou: 'Dev', parent_dn: `ou=IT,${BASE}` },
      { ou: 'Ops', parent_dn: `ou=IT,${BASE}`, description: 'Operations' },
      { ou: 'Backend', parent_dn: `ou=Dev,ou=IT,${BASE}` },
    ])
      expect((await call('POST', '/api/v1/departments', { body })).status).toBe(201);
    const list = await call('GET', '/api/v1/departments?limit=2&offset=1');
    expect(list.status).toBe(200);
    expect(list.body.pagination).toEqual({ total: 5, limit: 2, offset: 1, has_more: true });
    expect(list.body.data.map((d: { ou: string }) => d.ou)).toEqual(['Dev', 'HR']);
    const filtered = await call('GET', '/api/v1/departments?filter=description:contains:oper');
    expect(filtered.body.data.map((d: { dn: string }) => d.dn)).toEqual([`ou=Ops,ou=IT,${BASE}`]);
    const tree = await call('GET', '/api/v1/departments/tree');
    expect(tree.status).toBe(200);
    expect(tree.body.data).toEqual([
      { dn: `ou=HR,${BASE}`, ou: 'HR', description: null, children: [] },
      {
        dn: `ou=IT,${BASE}`,
        ou: 'IT',
        description: 'Information technology',
        children: [
          {
            dn: `ou=Dev,ou=IT,${BASE}`,
            ou: 'Dev',
            description: null,
            children: [{ dn: `ou=Backend,ou=Dev,ou=IT,${BASE}`, ou: 'Backend', description: null, children: [] }],
          },
          { dn: `ou=Ops,ou=IT,${BASE}`, ou: 'Ops', description: 'Operations', children: [] },
        ],
      },
    ]);
    // Any RFC 4514 spelling of the DN finds it.
    const one = await call('GET', path(`OU=dev, ou=it,DC=Example,dc=com`));
    expect([one.status, one.body.dn, one.body.parent_dn]).toEqual([200, `ou=Dev,ou=IT,${BASE}`, `ou=IT,${BASE}`]);
  });

  it('validates the path DN: malformed, not an ou, outside the base (400 path.dn); 404 for a missing or non-department ou', async () => {
    for (const dn of ['not a dn', 'ou=x,,dc=example', `cn=admins,ou=groups,${BASE}`, 'ou=IT,dc=other,dc=org', BASE]) {
      const res = await call('GET', path(dn));
      expect([dn, res.status, res.body.error.details.fields[0].field]).toEqual([dn, 400, 'path.dn']);
    }
    const missing = await call('GET', path(`ou=Nope,${BASE}`));
    expect([missing.status, missing.body.error.code]).toEqual([404, 'DEPARTMENT_NOT_FOUND']);
    const container = await call('GET', path(`ou=people,${BASE}`));
    expect(container.status).toBe(404);
  });

  it('refuses bad creations: duplicate 409, reserved or invalid ou 400, unknown parent or manager 422, parent outside the base 400', async () => {
    const dup = await call('POST', '/api/v1/departments', { body: { ou: 'it' } });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'DEPARTMENT_EXISTS']);
    for (const ou of ['people', 'a,b=c', '', ' lead']) {
      const res = await call('POST', '/api/v1/departments', { body: { ou } });
      expect([ou, res.status, res.body.error.details.fields[0].field]).toEqual([ou, 400, 'body.ou']);
    }
    const parent = await call('POST', '/api/v1/departments', { body: { ou: 'X', parent_dn: `ou=people,${BASE}` } });
    expect([parent.status, parent.body.error.code, parent.body.error.details.field]).toEqual([422, 'INVALID_PARENT', 'parent_dn']);
    const outside = await call('POST', '/api/v1/departments', { body: { ou: 'X', parent_dn: 'ou=a,dc=other,dc=org' } });
    expect([outside.status, outside.body.error.details.fields[0].field]).toEqual([400, 'body.parent_dn']);
    const manager = await call('POST', '/api/v1/departments', { body: { ou: 'X', manager: `uid=ghost,ou=people,${BASE}` } });
    expect([manager.status, manager.body.error.code, manager.body.error.details.field]).toEqual([422, 'MANAGER_NOT_FOUND', 'manager']);
    expect(await api.ldap.client.get(`ou=X,${BASE}`)).toBeNull();
  });

  it('updates description, manager and code (null removes), audited attribute by attribute', async () => {
    const res = await call('PUT', path(`ou=HR,${BASE}`), {
      body: { description: 'Human resources', code: 'HR', manager: api.ldap.adminDn },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ description: 'Human resources', code: 'HR', manager: api.ldap.adminDn });
    const cleared = await call('PUT', path(`ou=HR,${BASE}`), { body: { code: null, manager: null } });
    expect(cleared.body).toEqual({ dn: `ou=HR,${BASE}`, ou: 'HR', description: 'Human resources', parent_dn: BASE });
    const events = await api.audit('department.update');
    expect(events.map((e) => e.changes)).toContainEqual(
      expect.arrayContaining([
        { attribute: 'code', old: 'HR', new: null },
        { attribute: 'manager', old: api.ldap.adminDn, new: null },
      ]),
    );
  });

  it('renames and moves a department with its subtree; refuses a move inside itself (422) or onto an existing name (409)', async () => {
    const renamed = await call('PUT', path(`ou=Ops,ou=IT,${BASE}`), { body: { ou: 'Operations' } });
    expect([renamed.status, renamed.body.dn]).toEqual([200, `ou=Operations,ou=IT,${BASE}`]);
    const moved = await call('PUT', path(`ou=Dev,ou=IT,${BASE}`), { body: { parent_dn: `ou=HR,${BASE}` } });
    expect([moved.status, moved.body.dn, moved.body.parent_dn]).toEqual([200, `ou=Dev,ou=HR,${BASE}`, `ou=HR,${BASE}`]);
    expect(await api.ldap.client.get(`ou=Backend,ou=Dev,ou=HR,${BASE}`)).not.toBeNull();
    expect(await api.ldap.client.get(`ou=people,ou=Dev,ou=HR,${BASE}`)).not.toBeNull();
    expect((await api.audit('department.move')).map((e) => e.changes)).toContainEqual(
      expect.arrayContaining([{ attribute: 'dn', old: `ou=Dev,ou=IT,${BASE}`, new: `ou=Dev,ou=HR,${BASE}` }]),
    );
    const inside = await call('PUT', path(`ou=HR,${BASE}`), { body: { parent_dn: `ou=Backend,ou=Dev,ou=HR,${BASE}` } });
    expect([inside.status, inside.body.error.code]).toEqual([422, 'INVALID_PARENT']);
    const clash = await call('PUT', path(`ou=Operations,ou=IT,${BASE}`), { body: { parent_dn: BASE, ou: 'HR' } });
    expect([clash.status, clash.body.error.code]).toEqual([409, 'DEPARTMENT_EXISTS']);
  });

  it('deletes an empty department (its empty containers go with it); 409 DEPARTMENT_NOT_EMPTY with children unless recursive', async () => {
    expect((await call('DELETE', path(`ou=Operations,ou=IT,${BASE}`))).status).toBe(204);
    expect(await api.ldap.client.get(`ou=Operations,ou=IT,${BASE}`)).toBeNull();
    await api.ldap.client.add(`uid=hrperson,ou=people,ou=HR,${BASE}`, {
      objectClass: ['inetOrgPerson'],
      uid: 'hrperson',
      cn: 'H',
      sn: 'H',
    });
    const refused = await call('DELETE', path(`ou=HR,${BASE}`));
    expect([refused.status, refused.body.error.code]).toEqual([409, 'DEPARTMENT_NOT_EMPTY']);
    expect(refused.body.error.details.children).toBeGreaterThanOrEqual(2);
    const badQuery = await call('DELETE', path(`ou=HR,${BASE}`, '?recursive=yes'));
    expect([badQuery.status, badQuery.body.error.details.fields[0].field]).toEqual([400, 'query.recursive']);
    const done = await call('DELETE', path(`ou=HR,${BASE}`, '?recursive=true'));
    expect(done.status).toBe(204);
    expect(await api.ldap.client.get(`ou=HR,${BASE}`)).toBeNull();
    const [event] = await api.audit('department.delete_recursive');
    expect(event!.target).toBe(`ou=HR,${BASE}`);
    const entries = event!.changes.find((c: { attribute: string }) => c.attribute === 'entries').old as string[];
    expect(entries).toContain(`uid=hrperson,ou=people,ou=HR,${BASE}`);
    expect(entries).toContain(`ou=Backend,ou=Dev,ou=HR,${BASE}`);
    expect(entries.indexOf(`ou=Backend,ou=Dev,ou=HR,${BASE}`)).toBeLessThan(entries.indexOf(`ou=Dev,ou=HR,${BASE}`));
    expect((await call('DELETE', path(`ou=HR,${BASE}`))).status).toBe(404);
  });

  it('ACL: 403 to a guest (before 404); a subtree assignment on a department scopes a delegate to it', async () => {
    for (const [method, p, body] of [
      ['GET', '/api/v1/departments', undefined],
      ['GET', '/api/v1/departments/tree', undefined],
      ['GET', path(`ou=Nope,${BASE}`), undefined],
      ['POST', '/api/v1/departments', { ou: 'G' }],
      ['PUT', path(`ou=IT,${BASE}`), { description: 'x' }],
      ['DELETE', path(`ou=IT,${BASE}`), undefined],
    ] as const) {
      const res = await call(method, p, { token: api.guestToken, body });
      expect([method, p, res.status]).toEqual([method, p, 403]);
    }
    const delegate = `uid=itadmin,ou=people,${BASE}`;
    await api.grant(delegate, ['department:crwd'], { dn: `ou=IT,${BASE}`, type: 'subtree' });
    const token = await api.tokenFor(delegate);
    expect((await call('GET', path(`ou=IT,${BASE}`), { token })).status).toBe(200);
    const sub = await call('POST', '/api/v1/departments', { token, body: { ou: 'Support', parent_dn: `ou=IT,${BASE}` } });
    expect(sub.status).toBe(201);
    expect((await call('POST', '/api/v1/departments', { token, body: { ou: 'Finance' } })).status).toBe(403);
    // Rename needs `m`, which the delegate lacks.
    expect((await call('PUT', path(`ou=Support,ou=IT,${BASE}`), { token, body: { ou: 'Helpdesk' } })).status).toBe(403);
    expect((await call('PUT', path(`ou=Support,ou=IT,${BASE}`), { token, body: { description: 'Desk' } })).status).toBe(200);
    expect((await call('DELETE', path(`ou=Support,ou=IT,${BASE}`), { token })).status).toBe(204);
    expect((await call('GET', '/api/v1/departments', { token })).status).toBe(403);
  });

  it('answers 404 PLUGIN_DISABLED while the departments plugin is disabled', async () => {
    const { setPluginEnabled } = await import('../../lib/plugins/state.js');
    await setPluginEnabled(api.dyn.db, 'departments', false, api.ldap.adminDn);
    const res = await call('GET', '/api/v1/departments');
    expect([res.status, res.body.error.code]).toEqual([404, 'PLUGIN_DISABLED']);
    await setPluginEnabled(api.dyn.db, 'departments', true, api.ldap.adminDn);
    expect((await call('GET', '/api/v1/departments')).status).toBe(200);
  });
});
