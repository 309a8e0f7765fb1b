import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSlapd } from '../helpers/slapd.js';
import type { TestDynalite } from '../helpers/dynalite.js';
import { startInProcessApi, type Handler, type InProcessApi } from '../helpers/in-process-api.js';
import { attrValues } from '../../lib/providers/ldap/index.js';

/**
 * The sudo rule endpoints in-process (the Lambda handler, its whole middy stack), against a real slapd with
 * the sudo schema and dynalite (sessions, ACL, audit).
 */
let api: InProcessApi;
let ldap: TestSlapd;
let dyn: TestDynalite;
let handler: Handler;
let queryAudit: typeof import('../../lib/audit/audit.js').queryAudit;
const tokens: Record<'admin' | 'guest', string> = { admin: '', guest: '' };
const BASE = 'dc=example,dc=com';
const SUDOERS = `ou=sudoers,${BASE}`;

async function call(method: string, path: string, opts: { body?: unknown; as?: 'admin' | 'guest' | null } = {}) {
  const as = opts.as === undefined ? 'admin' : opts.as;
  return api.call(handler, method, path, { body: opts.body, token: as ? tokens[as] : undefined });
}

const audit = async (action: string, target: string) => (await queryAudit(dyn.db, { action, target, limit: 10, offset: 0 })).data;

beforeAll(async () => {
  api = await startInProcessApi();
  ({ ldap, dyn } = api);
  ({ handler } = (await import('../../functions/http/sudo.js')) as unknown as { handler: typeof handler });
  ({ queryAudit } = await import('../../lib/audit/audit.js'));
  tokens.admin = await api.tokenFor(`uid=admin,ou=people,${BASE}`, { cn: 'admin' });
  tokens.guest = await api.tokenFor(`uid=guest1,ou=people,${BASE}`, { cn: 'guest1' });
});

afterAll(async () => {
  await api?.stop();
});

const example = {
  cn: 'webapp-deploy',
  sudoUser: ['%deployers', 'jdoe'],
  sudoHost: ['srv-web-*'],
  sudoCommand: ['/usr/local/bin/deploy.sh'],
  sudoOption: ['!authenticate'],
};

describe('sudo schema', () => {
  it('is loaded with sudo-ldap OIDs (sudoRole 1.3.6.1.4.1.15953.9.2.1)', async () => {
    const [schema] = await ldap.client.search('cn=Subschema', { scope: 'base', attributes: ['attributeTypes', 'objectClasses'] });
    expect(attrValues(schema!, 'objectClasses').find((c) => c.includes("'sudoRole'"))).toMatch(
      /^\( 1\.3\.6\.1\.4\.1\.15953\.9\.2\.1 .*STRUCTURAL/,
    );
    expect(attrValues(schema!, 'attributeTypes').find((a) => a.includes("'sudoOrder'"))).toMatch(/^\( 1\.3\.6\.1\.4\.1\.15953\.9\.1\.10 /);
  });
});

describe('sudo rules over HTTP', () => {
  it('needs a token (401) and sudo rights (403 before 404, for a guest)', async () => {
    expect((await call('GET', '/api/v1/sudo/rules', { as: null })).status).toBe(401);
    for (const [m, p, body] of [
      ['GET', '/api/v1/sudo/rules'],
      ['GET', '/api/v1/sudo/rules/ghost'],
      ['POST', '/api/v1/sudo/rules', example],
      ['PUT', '/api/v1/sudo/rules/ghost', { sudoOrder: 1 }],
      ['DELETE', '/api/v1/sudo/rules/ghost'],
    ] as const) {
      const r = await call(m, p, { body, as: 'guest' });
      expect([m, p, r.status, r.body.error.code]).toEqual([m, p, 403, 'FORBIDDEN']);
    }
    expect(await ldap.client.get(`cn=webapp-deploy,${SUDOERS}`)).toBeNull();
  });

  it('lists nothing before the container exists', async () => {
    const r = await call('GET', '/api/v1/sudo/rules');
    expect([r.status, r.body]).toEqual([200, { data: [], pagination: { total: 0, limit: 50, offset: 0, has_more: false } }]);
  });

  it('creates the spec example (201 + Location) as a sudoRole sudo-ldap reads, creating ou=sudoers, and audits it', async () => {
    const r = await call('POST', '/api/v1/sudo/rules', {
      body: { ...example, sudoOrder: 10, sudoNotBefore: '2026-01-17T11:30:00+01:00', sudoNotAfter: '2027-01-01', description: 'Deploy' },
    });
    expect(r.status).toBe(201);
    expect(r.headers.Location ?? r.headers.location).toBe('/api/v1/sudo/rules/webapp-deploy');
    expect(r.body).toEqual({
      dn: `cn=webapp-deploy,${SUDOERS}`,
      ...example,
      description: 'Deploy',
      sudoOrder: 10,
      sudoNotBefore: '2026-01-17T10:30:00Z',
      sudoNotAfter: '2027-01-01T00:00:00Z',
    });
    const entry = (await ldap.client.get(`cn=webapp-deploy,${SUDOERS}`))!;
    expect(attrValues(entry, 'objectClass')).toEqual(['top', 'sudoRole']);
    expect(attrValues(entry, 'sudoNotBefore')).toEqual(['20260117103000Z']);
    expect(attrValues(entry, 'sudoUser')).toEqual(['%deployers', 'jdoe']);
    expect(await ldap.client.get(SUDOERS)).not.toBeNull();
    const [event] = await audit('sudo.create', `cn=webapp-deploy,${SUDOERS}`);
    expect(event).toMatchObject({ category: 'mutation', actor: `uid=admin,ou=people,${BASE}`, result: 'success' });
    expect(event!.changes).toContainEqual({ attribute: 'sudoUser', old: null, new: ['%deployers', 'jdoe'] });
  });

  it('refuses a duplicate (409), invalid values naming each field (400), and a rule without users/hosts/commands', async () => {
    const dup = await call('POST', '/api/v1/sudo/rules', { body: example });
    expect([dup.status, dup.body.error.code, dup.body.error.details]).toEqual([
      409,
      'SUDO_RULE_EXISTS',
      { cn: 'webapp-deploy', dn: `cn=webapp-deploy,${SUDOERS}` },
    ]);
    const bad = await call('POST', '/api/v1/sudo/rules', {
      body: {
        cn: 'bad',
        sudoUser: ['% x'],
        sudoHost: ['ALL'],
        sudoCommand: ['docker'],
        sudoOption: ['x y'],
        sudoNotBefore: '2026-01-01T00:00',
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'body.sudoCommand.0',
      'body.sudoNotBefore',
      'body.sudoOption.0',
      'body.sudoUser.0',
    ]);
    const missing = await call('POST', '/api/v1/sudo/rules', { body: { cn: 'nothing' } });
    expect(missing.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([
      'body.sudoUser',
      'body.sudoHost',
      'body.sudoCommand',
    ]);
  });

  it('creates cn=defaults with global options only', async () => {
    const r = await call('POST', '/api/v1/sudo/rules', { body: { cn: 'defaults', sudoOption: ['env_keep+=SSH_AUTH_SOCK'] } });
    expect([r.status, r.body]).toEqual([
      201,
      {
        dn: `cn=defaults,${SUDOERS}`,
        cn: 'defaults',
        sudoUser: [],
        sudoHost: [],
        sudoCommand: [],
        sudoOption: ['env_keep+=SSH_AUTH_SOCK'],
      },
    ]);
  });

  it('reads one rule, 404 naming the cn and search base otherwise', async () => {
    expect((await call('GET', '/api/v1/sudo/rules/webapp-deploy')).body.sudoHost).toEqual(['srv-web-*']);
    const r = await call('GET', '/api/v1/sudo/rules/ghost');
    expect([r.status, r.body.error.code, r.body.error.details]).toEqual([
      404,
      'SUDO_RULE_NOT_FOUND',
      { cn: 'ghost', search_base: SUDOERS },
    ]);
    expect((await call('GET', '/api/v1/sudo/rules/a,b')).status).toBe(400);
  });

  it('pages sorted by cn and filters with escaped values', async () => {
    for (let i = 0; i < 5; i++)
      expect(
        (
          await call('POST', '/api/v1/sudo/rules', {
            body: { cn: `ops-${i}`, sudoUser: ['%ops'], sudoHost: ['ALL'], sudoCommand: ['ALL'] },
          })
        ).status,
      ).toBe(201);
    const all = await call('GET', '/api/v1/sudo/rules');
    expect(all.body.data.map((r: { cn: string }) => r.cn)).toEqual([
      'defaults',
      'ops-0',
      'ops-1',
      'ops-2',
      'ops-3',
      'ops-4',
      'webapp-deploy',
    ]);
    const p = await call('GET', '/api/v1/sudo/rules?limit=2&offset=2&filter=sudoUser:eq:%25ops');
    expect([p.body.data.map((r: { cn: string }) => r.cn), p.body.pagination]).toEqual([
      ['ops-2', 'ops-3'],
      { total: 5, limit: 2, offset: 2, has_more: true },
    ]);
    expect((await call('GET', '/api/v1/sudo/rules?filter=cn:starts:webapp')).body.pagination.total).toBe(1);
    expect((await call('GET', '/api/v1/sudo/rules?filter=sudoUser:eq:*)(cn=*')).body.pagination.total).toBe(0);
    const sub = await call('GET', '/api/v1/sudo/rules?filter=sudoCommand:contains:deploy');
    expect([sub.status, sub.body.error.details.fields[0].field]).toEqual([400, 'query.filter']);
    expect((await call('GET', '/api/v1/sudo/rules?filter=password:eq:x')).status).toBe(400);
  });

  it('updates the given attributes, removes null ones, audits attribute-level changes', async () => {
    const r = await call('PUT', '/api/v1/sudo/rules/webapp-deploy', {
      body: {
        sudoCommand: ['/usr/bin/systemctl restart nginx', '!/usr/bin/su'],
        sudoOption: null,
        sudoOrder: 20,
        sudoRunAsUser: ['www-data'],
      },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      sudoCommand: ['/usr/bin/systemctl restart nginx', '!/usr/bin/su'],
      sudoOrder: 20,
      sudoRunAsUser: ['www-data'],
    });
    expect(r.body.sudoOption).toBeUndefined();
    const [event] = await audit('sudo.update', `cn=webapp-deploy,${SUDOERS}`);
    expect(event!.changes).toEqual([
      { attribute: 'sudoCommand', old: ['/usr/local/bin/deploy.sh'], new: ['/usr/bin/systemctl restart nginx', '!/usr/bin/su'] },
      { attribute: 'sudoOption', old: ['!authenticate'], new: null },
      { attribute: 'sudoOrder', old: 10, new: 20 },
      { attribute: 'sudoRunAsUser', old: null, new: ['www-data'] },
    ]);
  });

  it('refuses removing a required attribute (422), a window ending before the stored start (422), cn changes (400), unknown rules (404)', async () => {
    const req = await call('PUT', '/api/v1/sudo/rules/webapp-deploy', { body: { sudoUser: null } });
    expect([req.status, req.body.error.code, req.body.error.details.field]).toEqual([422, 'ATTRIBUTE_REQUIRED', 'sudoUser']);
    const win = await call('PUT', '/api/v1/sudo/rules/webapp-deploy', { body: { sudoNotAfter: '2025-12-31T00:00:00Z' } });
    expect([win.status, win.body.error.code]).toEqual([422, 'INVALID_VALIDITY_INTERVAL']);
    const cn = await call('PUT', '/api/v1/sudo/rules/webapp-deploy', { body: { cn: 'renamed' } });
    expect([cn.status, cn.body.error.details.fields[0].field]).toEqual([400, 'body.cn']);
    expect((await call('PUT', '/api/v1/sudo/rules/ghost', { body: { sudoOrder: 1 } })).status).toBe(404);
    // The defaults entry may lose its (absent) users.
    expect((await call('PUT', '/api/v1/sudo/rules/defaults', { body: { sudoUser: null } })).status).toBe(200);
  });

  it('deletes (204, audited), then 404', async () => {
    const r = await call('DELETE', '/api/v1/sudo/rules/webapp-deploy');
    expect(r.status).toBe(204);
    expect(await ldap.client.get(`cn=webapp-deploy,${SUDOERS}`)).toBeNull();
    const [event] = await audit('sudo.delete', `cn=webapp-deploy,${SUDOERS}`);
    expect(event!.changes).toContainEqual({ attribute: 'sudoUser', old: ['%deployers', 'jdoe'], new: null });
    const again = await call('DELETE', '/api/v1/sudo/rules/webapp-deploy');
    expect([again.status, again.body.error.code]).toEqual([404, 'SUDO_RULE_NOT_FOUND']);
  });
});
