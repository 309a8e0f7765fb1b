import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSlapd } from '../helpers/slapd.js';
import { startInProcessApi, type Handler, type InProcessApi } from '../helpers/in-process-api.js';
import { attrValues } from '../../lib/providers/ldap/index.js';

/** The DHCP routes (Heracles §13) in-process, against a real slapd (with the ISC DHCP schema) and dynalite. */
let api: InProcessApi;
let ldap: TestSlapd;
let handler: Handler;
let adminToken: string;
let guestToken: string;
const ADMIN = 'uid=admin,ou=people,dc=example,dc=com';
const BASE = 'ou=dhcp,dc=example,dc=com';
const SVC = `cn=main,${BASE}`;
const NET = `cn=10.0.0.0,${SVC}`;

async function call(method: string, path: string, body?: unknown, token = adminToken) {
  const res = await api.call(handler, method, path, { body, token });
  return { status: res.status, body: res.body };
}
const fields = (res: { body: { error: { details: { fields: { field: string }[] } } } }) =>
  res.body.error.details.fields.map((f) => f.field);

async function auditOf(action: string) {
  const { platform } = await import('../../lib/platform.js');
  const { queryAudit } = await import('../../lib/audit/audit.js');
  return (await queryAudit((await platform()).db, { action, categories: ['mutation'], limit: 100, offset: 0 })).data;
}

beforeAll(async () => {
  api = await startInProcessApi();
  ({ ldap } = api);
  ({ handler } = (await import('../../functions/http/dhcp.js')) as never);
  adminToken = await api.tokenFor(ADMIN, { cn: 'admin' });
  guestToken = await api.tokenFor('uid=guest1,ou=people,dc=example,dc=com', { cn: 'guest1' });
});

afterAll(async () => {
  await api?.stop();
});

describe('ISC DHCP schema', () => {
  it('is loaded with the upstream OIDs', async () => {
    const [schema] = await ldap.client.search('cn=Subschema', { scope: 'base', attributes: ['attributeTypes', 'objectClasses'] });
    expect(attrValues(schema!, 'objectClasses').find((a) => a.includes("'dhcpSubnet'"))).toMatch(
      /^\( 2\.16\.840\.1\.113719\.1\.203\.6\.3 /,
    );
    expect(attrValues(schema!, 'attributeTypes').find((a) => a.includes("'dhcpHWAddress'"))).toMatch(
      /^\( 2\.16\.840\.1\.113719\.1\.203\.4\.34 /,
    );
  });
});

describe('services, subnets, hosts (the spec routes)', () => {
  it('lists no services before the first one, creates one under ou=dhcp (created on demand); audited', async () => {
    expect((await call('GET', '/api/v1/dhcp/services')).body).toMatchObject({ data: [], pagination: { total: 0 } });
    const res = await call('POST', '/api/v1/dhcp/services', { cn: 'main', statements: ['default-lease-time 600', 'authoritative'] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      dn: SVC,
      type: 'service',
      cn: 'main',
      parent: BASE,
      service: 'main',
      statements: ['default-lease-time 600', 'authoritative'],
    });
    const entry = await ldap.client.get(SVC);
    expect(attrValues(entry!, 'objectClass')).toEqual(['dhcpService']);
    const [event] = await auditOf('dhcp.service.create');
    expect(event).toMatchObject({ actor: ADMIN, target: SVC });
    expect(event!.changes).toContainEqual({ attribute: 'dhcpStatements', old: null, new: ['default-lease-time 600', 'authoritative'] });
    const dup = await call('POST', '/api/v1/dhcp/services', { cn: 'main' });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'DHCP_OBJECT_EXISTS']);
    expect((await call('GET', '/api/v1/dhcp/services')).body.data.map((s: { cn: string }) => s.cn)).toEqual(['main']);
  });

  it('creates a subnet checked against its mask, ranges inside it', async () => {
    const res = await call('POST', '/api/v1/dhcp/subnets', {
      cn: '10.0.0.0',
      netmask: 24,
      service: 'main',
      range: '10.0.0.100-10.0.0.200',
      options: ['routers 10.0.0.1', 'domain-name "example.com"'],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ dn: NET, type: 'subnet', netmask: 24, range: ['10.0.0.100 10.0.0.200'], service: 'main' });
    const entry = await ldap.client.get(NET);
    expect([attrValues(entry!, 'dhcpNetMask'), attrValues(entry!, 'dhcpRange')]).toEqual([['24'], ['10.0.0.100 10.0.0.200']]);

    const mismatch = await call('POST', '/api/v1/dhcp/subnets', { cn: '10.1.0.1', netmask: 24, service: 'main' });
    expect([mismatch.status, fields(mismatch)]).toEqual([400, ['body.cn']]);
    expect(mismatch.body.error.details.fields[0].code).toBe('network_mismatch');
    const outside = await call('POST', '/api/v1/dhcp/subnets', {
      cn: '10.2.0.0',
      netmask: 24,
      service: 'main',
      range: ['10.2.0.10 10.2.1.10'],
    });
    expect([outside.status, fields(outside)]).toEqual([400, ['body.range']]);
    const badMask = await call('POST', '/api/v1/dhcp/subnets', { cn: '10.3.0.0', netmask: 33, service: 'main' });
    expect([badMask.status, fields(badMask)]).toEqual([400, ['body.netmask']]);
    const overlap = await call('POST', '/api/v1/dhcp/subnets', { cn: '10.0.0.128', netmask: 25, service: 'main' });
    expect([overlap.status, overlap.body.error.code, overlap.body.error.details.field]).toEqual([409, 'DHCP_SUBNET_OVERLAP', 'cn']);
    const noParent = await call('POST', '/api/v1/dhcp/subnets', { cn: '10.4.0.0', netmask: 24 });
    expect([noParent.status, fields(noParent)]).toEqual([400, ['body.parent']]);
    const noService = await call('POST', '/api/v1/dhcp/subnets', { cn: '10.4.0.0', netmask: 24, service: 'ghost' });
    expect([noService.status, noService.body.error.code, noService.body.error.details.field]).toEqual([
      422,
      'DHCP_PARENT_NOT_FOUND',
      'parent',
    ]);
  });

  it('creates hosts with a normalized MAC and a fixed address inside the subnet', async () => {
    const res = await call('POST', '/api/v1/dhcp/hosts', {
      cn: 'printer1',
      hwaddress: 'ethernet 00-11-22-AA-bb-CC',
      fixed_address: '10.0.0.50',
      parent: NET,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ hwaddress: 'ethernet 00:11:22:aa:bb:cc', fixed_address: '10.0.0.50', parent: NET, service: 'main' });
    const entry = await ldap.client.get(`cn=printer1,${NET}`);
    expect(attrValues(entry!, 'dhcpStatements')).toEqual(['fixed-address 10.0.0.50']);
    expect(attrValues(entry!, 'dhcpHWAddress')).toEqual(['ethernet 00:11:22:aa:bb:cc']);

    const inService = await call('POST', '/api/v1/dhcp/hosts', { cn: 'laptop', hwaddress: '001122334455', service: 'main' });
    expect([inService.status, inService.body.hwaddress]).toEqual([201, 'ethernet 00:11:22:33:44:55']);

    for (const hw of ['ethernet 01:00:5e:00:00:01', 'ethernet 00:11:22:33:44', 'wifi 00:11:22:33:44:66', 'ethernet zz:11:22:33:44:55']) {
      const bad = await call('POST', '/api/v1/dhcp/hosts', { cn: 'bad', hwaddress: hw, parent: NET });
      expect([hw, bad.status, fields(bad)]).toEqual([hw, 400, ['body.hwaddress']]);
    }
    const dupMac = await call('POST', '/api/v1/dhcp/hosts', { cn: 'clone', hwaddress: 'ethernet 00:11:22:aa:bb:cc', service: 'main' });
    expect([dupMac.status, dupMac.body.error.code, dupMac.body.error.details.field]).toEqual([409, 'DHCP_HWADDRESS_EXISTS', 'hwaddress']);
    const outside = await call('POST', '/api/v1/dhcp/hosts', {
      cn: 'far',
      hwaddress: 'ethernet 00:11:22:33:44:77',
      fixed_address: '10.9.0.1',
      parent: NET,
    });
    expect([outside.status, outside.body.error.code, outside.body.error.details.field]).toEqual([
      422,
      'DHCP_ADDRESS_OUTSIDE_SUBNET',
      'fixed_address',
    ]);
    const badFixed = await call('POST', '/api/v1/dhcp/hosts', {
      cn: 'far',
      hwaddress: 'ethernet 00:11:22:33:44:77',
      fixed_address: '10.0.0.300',
      parent: NET,
    });
    expect([badFixed.status, fields(badFixed)]).toEqual([400, ['body.fixed_address']]);

    const hosts = await call('GET', '/api/v1/dhcp/hosts');
    expect(hosts.body.data.map((h: { cn: string }) => h.cn)).toEqual(['laptop', 'printer1']);
    const inNet = await call('GET', `/api/v1/dhcp/hosts?parent=${encodeURIComponent(NET)}`);
    expect(inNet.body.data.map((h: { cn: string }) => h.cn)).toEqual(['printer1']);
  });
});

describe('parent/child rules of the ISC schema', () => {
  it('places every type under an allowed parent', async () => {
    const ok: [string, Record<string, unknown>][] = [
      ['shared_networks', { cn: 'campus', service: 'main' }],
      ['subnets', { cn: '172.16.0.0', netmask: 24, parent: `cn=campus,${SVC}` }],
      ['pools', { cn: 'pool1', parent: NET, range: ['10.0.0.210 10.0.0.220'], permit_list: ['allow known-clients'] }],
      ['pools', { cn: 'pool2', parent: `cn=campus,${SVC}`, range: '172.16.0.10 172.16.0.20' }],
      ['groups', { cn: 'lab', parent: NET, statements: ['filename "pxelinux.0"'] }],
      ['groups', { cn: 'lab-sub', parent: `cn=lab,${NET}` }],
      ['hosts', { cn: 'pxe1', parent: `cn=lab,${NET}`, hwaddress: 'ethernet 00:aa:bb:cc:dd:01' }],
      ['classes', { cn: 'vendor-a', service: 'main', statements: ['match option vendor-class-identifier'] }],
      ['subclasses', { cn: 'ACME', parent: `cn=vendor-a,${SVC}`, class_data: '"ACME"' }],
      ['tsig_keys', { cn: 'ddns-key', service: 'main', algorithm: 'hmac-sha256', secret: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=' }],
      ['dns_zones', { cn: 'example.com', service: 'main', dns_server: 'ns1.example.com', key_dn: `cn=ddns-key,${SVC}` }],
      [
        'failover_peers',
        {
          cn: 'peer',
          service: 'main',
          primary_server: '10.0.0.2',
          secondary_server: '10.0.0.3',
          primary_port: 647,
          secondary_port: 847,
          split: 128,
        },
      ],
    ];
    for (const [type, body] of ok) {
      const res = await call('POST', `/api/v1/dhcp/${type}`, body);
      expect([type, body.cn, res.status, res.body.error]).toEqual([type, body.cn, 201, undefined]);
    }
    const key = await call('GET', '/api/v1/dhcp/tsig_keys/ddns-key');
    expect(key.body).toMatchObject({ algorithm: 'hmac-sha256', type: 'tsig_key' });
    expect(key.body.secret).toBeUndefined();
    const [event] = await auditOf('dhcp.tsig_key.create');
    expect(event!.changes).toContainEqual({ attribute: 'dhcpKeySecret', old: null, new: '[REDACTED]' });
    expect(JSON.stringify(event)).not.toContain('c2VjcmV0');
  });

  it('refuses a child under a parent the schema does not allow: 422 naming parent', async () => {
    const bad: [string, Record<string, unknown>, string][] = [
      ['pools', { cn: 'p', service: 'main', range: '10.0.0.1 10.0.0.2' }, 'service'],
      ['subclasses', { cn: 's', parent: NET }, 'subnet'],
      ['shared_networks', { cn: 'n', parent: NET }, 'subnet'],
      ['hosts', { cn: 'h', parent: `cn=pool1,${NET}`, hwaddress: 'ethernet 00:aa:bb:cc:dd:09' }, 'pool'],
      ['tsig_keys', { cn: 'k', parent: `cn=lab,${NET}`, algorithm: 'hmac-md5', secret: 'c2VjcmV0' }, 'group'],
      ['classes', { cn: 'c', parent: `cn=campus,${SVC}` }, 'shared_network'],
    ];
    for (const [type, body, parentType] of bad) {
      const res = await call('POST', `/api/v1/dhcp/${type}`, body);
      expect([type, res.status, res.body.error.code, res.body.error.details.field, res.body.error.details.parent_type]).toEqual([
        type,
        422,
        'DHCP_INVALID_PARENT',
        'parent',
        parentType,
      ]);
    }
    const outside = await call('POST', '/api/v1/dhcp/groups', { cn: 'g', parent: 'ou=people,dc=example,dc=com' });
    expect([outside.status, outside.body.error.code, outside.body.error.details.field]).toEqual([422, 'DHCP_INVALID_PARENT', 'parent']);
    const poolOutside = await call('POST', '/api/v1/dhcp/pools', { cn: 'p3', parent: NET, range: '10.0.1.1 10.0.1.5' });
    expect([poolOutside.status, poolOutside.body.error.code, poolOutside.body.error.details.field]).toEqual([
      422,
      'DHCP_RANGE_OUTSIDE_SUBNET',
      'range',
    ]);
  });

  it('validates generic bodies per type, naming body fields (400), and unknown types (400 path.type)', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['pools', { cn: 'p', parent: NET }, 'body.range'],
      ['tsig_keys', { cn: 'k', service: 'main', algorithm: 'rot13', secret: 'c2VjcmV0' }, 'body.algorithm'],
      [
        'failover_peers',
        { cn: 'f', service: 'main', primary_server: '10.0.0.2', secondary_server: '10.0.0.3', primary_port: 0, secondary_port: 847 },
        'body.primary_port',
      ],
      ['dns_zones', { cn: 'not a zone', service: 'main', dns_server: 'ns1.example.com' }, 'body.cn'],
      ['groups', { cn: 'g', service: 'main', statements: ['} host evil {'] }, 'body.statements.0'],
    ];
    for (const [type, body, field] of cases) {
      const res = await call('POST', `/api/v1/dhcp/${type}`, body);
      expect([type, res.status, fields(res)]).toEqual([type, 400, [field]]);
    }
    const unknown = await call('GET', '/api/v1/dhcp/leases');
    expect([unknown.status, fields(unknown)]).toEqual([400, ['path.type']]);
  });
});

describe('generic read, update, delete', () => {
  it('reads by type and cn; 404 unknown; 409 ambiguous until narrowed by parent', async () => {
    const svc = await call('GET', '/api/v1/dhcp/services/main');
    expect([svc.status, svc.body.dn]).toEqual([200, SVC]);
    const missing = await call('GET', '/api/v1/dhcp/hosts/ghost');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'DHCP_OBJECT_NOT_FOUND']);
    await call('POST', '/api/v1/dhcp/hosts', {
      cn: 'printer1',
      hwaddress: 'ethernet 00:aa:bb:cc:dd:02',
      parent: `cn=172.16.0.0,cn=campus,${SVC}`,
    });
    const ambiguous = await call('GET', '/api/v1/dhcp/hosts/printer1');
    expect([ambiguous.status, ambiguous.body.error.code, ambiguous.body.error.details.candidates.length]).toEqual([
      409,
      'DHCP_AMBIGUOUS',
      2,
    ]);
    const narrowed = await call('GET', `/api/v1/dhcp/hosts/printer1?parent=${encodeURIComponent(NET)}`);
    expect([narrowed.status, narrowed.body.fixed_address]).toEqual([200, '10.0.0.50']);
  });

  it('updates given fields, removes nulls, refuses read-only and required ones; audited per attribute', async () => {
    const q = `?parent=${encodeURIComponent(NET)}`;
    const res = await call('PUT', `/api/v1/dhcp/hosts/printer1${q}`, { fixed_address: '10.0.0.51', options: ['host-name "printer1"'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      fixed_address: '10.0.0.51',
      options: ['host-name "printer1"'],
      hwaddress: 'ethernet 00:11:22:aa:bb:cc',
    });
    const [event] = await auditOf('dhcp.host.update');
    expect(event!.changes).toEqual([
      { attribute: 'dhcpOption', old: null, new: 'host-name "printer1"' },
      { attribute: 'dhcpStatements', old: 'fixed-address 10.0.0.50', new: 'fixed-address 10.0.0.51' },
    ]);
    const removed = await call('PUT', `/api/v1/dhcp/hosts/printer1${q}`, { fixed_address: null });
    expect(removed.body.fixed_address).toBeUndefined();
    expect(attrValues((await ldap.client.get(`cn=printer1,${NET}`))!, 'dhcpStatements')).toEqual([]);

    const outside = await call('PUT', `/api/v1/dhcp/hosts/printer1${q}`, { fixed_address: '192.0.2.1' });
    expect([outside.status, outside.body.error.code]).toEqual([422, 'DHCP_ADDRESS_OUTSIDE_SUBNET']);
    const ro = await call('PUT', `/api/v1/dhcp/hosts/printer1${q}`, { cn: 'renamed' });
    expect([ro.status, fields(ro)]).toEqual([400, ['body.cn']]);
    const required = await call('PUT', '/api/v1/dhcp/pools/pool1', { range: null });
    expect([required.status, required.body.error.code, required.body.error.details.field]).toEqual([422, 'ATTRIBUTE_REQUIRED', 'range']);
    const shrink = await call('PUT', '/api/v1/dhcp/subnets/10.0.0.0', { netmask: 25 });
    expect([shrink.status, fields(shrink)]).toEqual([400, ['body.range']]);
    const grow = await call('PUT', '/api/v1/dhcp/subnets/10.0.0.0', { netmask: 23 });
    expect([grow.status, grow.body.netmask]).toEqual([200, 23]);
    expect((await auditOf('dhcp.subnet.update'))[0]!.changes).toEqual([{ attribute: 'dhcpNetMask', old: '24', new: '23' }]);
    const overlap = await call('PUT', '/api/v1/dhcp/subnets/172.16.0.0', { netmask: 8 });
    expect([overlap.status, fields(overlap)]).toEqual([400, ['body.cn']]);
  });

  it('refuses guests everywhere (403 before 404)', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/v1/dhcp/services'],
      ['POST', '/api/v1/dhcp/services', { cn: 'guest' }],
      ['POST', '/api/v1/dhcp/hosts', { cn: 'g', hwaddress: 'ethernet 00:aa:bb:cc:dd:03', service: 'main' }],
      ['GET', '/api/v1/dhcp/pools/ghost'],
      ['PUT', '/api/v1/dhcp/pools/pool1', { comments: 'x' }],
      ['DELETE', '/api/v1/dhcp/services/main?recursive=true'],
    ] as const) {
      const res = await call(method, path, body, guestToken);
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
  });

  it('deletes leaves, refuses a parent with children (409) unless recursive=true', async () => {
    expect((await call('DELETE', '/api/v1/dhcp/subclasses/ACME')).status).toBe(204);
    expect(await ldap.client.get(`cn=ACME,cn=vendor-a,${SVC}`)).toBeNull();
    const refused = await call('DELETE', '/api/v1/dhcp/services/main');
    expect([refused.status, refused.body.error.code]).toEqual([409, 'DHCP_HAS_CHILDREN']);
    const done = await call('DELETE', '/api/v1/dhcp/services/main?recursive=true');
    expect(done.status).toBe(204);
    expect(await ldap.client.search(BASE, { scope: 'sub', filter: '(objectClass=dhcpHost)' })).toEqual([]);
    const [event] = await auditOf('dhcp.service.delete');
    expect(event!.changes).toContainEqual(expect.objectContaining({ attribute: 'children' }));
    expect((await call('GET', '/api/v1/dhcp/services')).body.pagination.total).toBe(0);
  });
});
