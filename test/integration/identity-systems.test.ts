import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSlapd } from '../helpers/slapd.js';
import type { TestDynalite } from '../helpers/dynalite.js';
import { startInProcessApi, type Handler, type InProcessApi } from '../helpers/in-process-api.js';
import { attrValues } from '../../lib/providers/ldap/index.js';

/**
 * The system endpoints in-process (the Lambda handler, its whole middy stack), against a real slapd with the
 * project's systems schema (40-systems.ldif) and dynalite (sessions, ACL, audit).
 */
let api: InProcessApi;
let ldap: TestSlapd;
let dyn: TestDynalite;
let handler: Handler;
let queryAudit: typeof import('../../lib/audit/audit.js').queryAudit;
const tokens: Record<'admin' | 'guest', string> = { admin: '', guest: '' };
const BASE = 'dc=example,dc=com';
const SYSTEMS = `ou=systems,${BASE}`;
const ARC = '2.25.2859259996553236370498372253114493425.40';

async function call(method: string, path: string, opts: { body?: unknown; as?: 'admin' | 'guest' | null } = {}) {
  const as = opts.as === undefined ? 'admin' : opts.as;
  return api.call(handler, method, path, { body: opts.body, token: as ? tokens[as] : undefined });
}

const audit = async (action: string, target: string) => (await queryAudit(dyn.db, { action, target, limit: 10, offset: 0 })).data;
const fieldsOf = (body: { error: { details: { fields: { field: string }[] } } }) => body.error.details.fields.map((f) => f.field).sort();

beforeAll(async () => {
  api = await startInProcessApi();
  ({ ldap, dyn } = api);
  ({ handler } = (await import('../../functions/http/systems.js')) as unknown as { handler: typeof handler });
  ({ queryAudit } = await import('../../lib/audit/audit.js'));
  tokens.admin = await api.tokenFor(`uid=admin,ou=people,${BASE}`, { cn: 'admin' });
  tokens.guest = await api.tokenFor(`uid=guest1,ou=people,${BASE}`, { cn: 'guest1' });
});

afterAll(async () => {
  await api?.stop();
});

describe('systems schema', () => {
  it('defines the seven STRUCTURAL hrc classes under the project arc, derived from device', async () => {
    const [schema] = await ldap.client.search('cn=Subschema', { scope: 'base', attributes: ['objectClasses'] });
    const classes = attrValues(schema!, 'objectClasses');
    ['hrcServer', 'hrcWorkstation', 'hrcTerminal', 'hrcPrinter', 'hrcComponent', 'hrcPhone', 'hrcMobile'].forEach((name, i) => {
      expect(classes.find((c) => c.includes(`'${name}'`))).toMatch(
        new RegExp(`^\\( ${ARC.replace(/\./g, '\\.')}\\.1\\.${i + 1} .*SUP device STRUCTURAL`),
      );
    });
  });
});

describe('systems over HTTP', () => {
  const example = {
    cn: 'srv-web-01',
    type: 'server',
    description: 'Web server #1',
    ipHostNumber: '192.168.1.10',
    macAddress: '00-11-22-33-44-AA',
  };

  it('needs a token (401) and system rights (403 before 404, for a guest)', async () => {
    expect((await call('GET', '/api/v1/systems', { as: null })).status).toBe(401);
    for (const [m, p, body] of [
      ['GET', '/api/v1/systems'],
      ['GET', '/api/v1/systems/ghost'],
      ['POST', '/api/v1/systems', example],
      ['PUT', '/api/v1/systems/ghost', { description: 'x' }],
      ['DELETE', '/api/v1/systems/ghost'],
    ] as const) {
      const r = await call(m, p, { body, as: 'guest' });
      expect([m, p, r.status, r.body.error.code]).toEqual([m, p, 403, 'FORBIDDEN']);
    }
  });

  it('lists nothing before the container exists', async () => {
    const r = await call('GET', '/api/v1/systems?type=server');
    expect([r.status, r.body.pagination.total, r.body.data]).toEqual([200, 0, []]);
  });

  it('creates the spec example (201): hrcServer + ipHost + ieee802Device, MAC normalised, ou=systems created, audited', async () => {
    const r = await call('POST', '/api/v1/systems', { body: example });
    expect(r.status).toBe(201);
    expect(r.headers.Location ?? r.headers.location).toBe('/api/v1/systems/srv-web-01');
    expect(r.body).toEqual({
      dn: `cn=srv-web-01,${SYSTEMS}`,
      cn: 'srv-web-01',
      type: 'server',
      objectClass: ['hrcServer', 'ipHost', 'ieee802Device'],
      description: 'Web server #1',
      ipHostNumber: '192.168.1.10',
      macAddress: '00:11:22:33:44:aa',
    });
    const [event] = await audit('system.create', `cn=srv-web-01,${SYSTEMS}`);
    expect(event!.changes).toContainEqual({ attribute: 'macAddress', old: null, new: '00:11:22:33:44:aa' });
    expect(await ldap.client.get(SYSTEMS)).not.toBeNull();
  });

  it('creates a system without an address with neither ipHost nor ieee802Device; IPv6 normalised', async () => {
    const bare = await call('POST', '/api/v1/systems', { body: { cn: 'prn-1', type: 'printer', l: 'Floor 2', serialNumber: 'SN-42' } });
    expect([bare.status, bare.body.objectClass, bare.body.l, bare.body.serialNumber]).toEqual([201, ['hrcPrinter'], 'Floor 2', 'SN-42']);
    const v6 = await call('POST', '/api/v1/systems', {
      body: { cn: 'phone-1', type: 'phone', ipHostNumber: '2001:DB8:0:0::0001', owner: `uid=admin,ou=people,${BASE}` },
    });
    expect([v6.status, v6.body.ipHostNumber, v6.body.owner]).toEqual([201, '2001:db8::1', `uid=admin,ou=people,${BASE}`]);
  });

  it('refuses duplicates (409, across types), invalid fields (400 naming each), an unknown type', async () => {
    const dup = await call('POST', '/api/v1/systems', { body: { cn: 'srv-web-01', type: 'workstation' } });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'SYSTEM_EXISTS']);
    const bad = await call('POST', '/api/v1/systems', {
      body: { cn: 'x', type: 'toaster', ipHostNumber: '10.0.0.256', macAddress: '00:11' },
    });
    expect([bad.status, fieldsOf(bad.body)]).toEqual([400, ['body.ipHostNumber', 'body.macAddress', 'body.type']]);
  });

  it('reads one (404 naming cn and search base otherwise), filters by type and attributes', async () => {
    expect((await call('GET', '/api/v1/systems/srv-web-01')).body.type).toBe('server');
    const missing = await call('GET', '/api/v1/systems/ghost');
    expect([missing.status, missing.body.error.code, missing.body.error.details]).toEqual([
      404,
      'SYSTEM_NOT_FOUND',
      { cn: 'ghost', search_base: SYSTEMS },
    ]);
    const all = await call('GET', '/api/v1/systems');
    expect(all.body.data.map((s: { cn: string }) => s.cn)).toEqual(['phone-1', 'prn-1', 'srv-web-01']);
    const printers = await call('GET', '/api/v1/systems?type=printer');
    expect(printers.body.data.map((s: { cn: string }) => s.cn)).toEqual(['prn-1']);
    expect((await call('GET', '/api/v1/systems?type=fridge')).status).toBe(400);
    // eq values of addresses are normalised like stored ones.
    const byMac = await call('GET', '/api/v1/systems?filter=macAddress:eq:0011.2233.44AA');
    expect(byMac.body.data.map((s: { cn: string }) => s.cn)).toEqual(['srv-web-01']);
    const byIp = await call('GET', '/api/v1/systems?filter=ipHostNumber:eq:2001:db8:0::1');
    expect(byIp.body.data.map((s: { cn: string }) => s.cn)).toEqual(['phone-1']);
    expect((await call('GET', '/api/v1/systems?filter=ipHostNumber:contains:192')).status).toBe(400);
    const p = await call('GET', '/api/v1/systems?limit=1&offset=1');
    expect([p.body.data.length, p.body.pagination]).toEqual([1, { total: 3, limit: 1, offset: 1, has_more: true }]);
  });

  it('updates fields; null removes an address with its auxiliary class; a new address adds it; audited', async () => {
    const r = await call('PUT', '/api/v1/systems/srv-web-01', {
      body: { type: 'server', ipHostNumber: null, macAddress: '001122334455', l: 'DC1' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ objectClass: ['hrcServer', 'ieee802Device'], macAddress: '00:11:22:33:44:55', l: 'DC1' });
    expect(r.body.ipHostNumber).toBeUndefined();
    const [event] = await audit('system.update', `cn=srv-web-01,${SYSTEMS}`);
    expect(event!.changes).toEqual([
      { attribute: 'ipHostNumber', old: '192.168.1.10', new: null },
      { attribute: 'l', old: null, new: 'DC1' },
      { attribute: 'macAddress', old: '00:11:22:33:44:aa', new: '00:11:22:33:44:55' },
      { attribute: 'objectClass', old: ['hrcServer', 'ipHost', 'ieee802Device'], new: ['hrcServer', 'ieee802Device'] },
    ]);
    const back = await call('PUT', '/api/v1/systems/prn-1', { body: { ipHostNumber: '10.1.2.3', serialNumber: null } });
    expect([back.body.objectClass, back.body.ipHostNumber, back.body.serialNumber]).toEqual([
      ['hrcPrinter', 'ipHost'],
      '10.1.2.3',
      undefined,
    ]);
  });

  it('keeps the type immutable (422), cn read-only (400), unknown systems 404', async () => {
    const t = await call('PUT', '/api/v1/systems/srv-web-01', { body: { type: 'workstation' } });
    expect([t.status, t.body.error.code, t.body.error.details]).toEqual([
      422,
      'SYSTEM_TYPE_IMMUTABLE',
      { field: 'type', type: 'server', requested: 'workstation' },
    ]);
    const cn = await call('PUT', '/api/v1/systems/srv-web-01', { body: { cn: 'other' } });
    expect([cn.status, fieldsOf(cn.body)]).toEqual([400, ['body.cn']]);
    expect((await call('PUT', '/api/v1/systems/ghost', { body: { l: 'x' } })).status).toBe(404);
  });

  it('does not show a non-system entry under ou=systems', async () => {
    await ldap.client.add(`cn=plain,${SYSTEMS}`, { objectClass: ['device'], cn: 'plain' });
    expect((await call('GET', '/api/v1/systems/plain')).status).toBe(404);
    expect((await call('GET', '/api/v1/systems')).body.pagination.total).toBe(3);
  });

  it('deletes (204, audited), then 404', async () => {
    expect((await call('DELETE', '/api/v1/systems/srv-web-01')).status).toBe(204);
    expect(await ldap.client.get(`cn=srv-web-01,${SYSTEMS}`)).toBeNull();
    const [event] = await audit('system.delete', `cn=srv-web-01,${SYSTEMS}`);
    expect(event!.changes).toContainEqual({ attribute: 'type', old: 'server', new: null });
    const again = await call('DELETE', '/api/v1/systems/srv-web-01');
    expect([again.status, again.body.error.code]).toEqual([404, 'SYSTEM_NOT_FOUND']);
  });
});
