import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSlapd } from '../helpers/slapd.js';
import { startInProcessApi, type Handler, type InProcessApi } from '../helpers/in-process-api.js';
import { attrValues } from '../../lib/providers/ldap/index.js';
import { recordId } from '../../lib/identity/dns/records.js';

/** The DNS routes (Heracles §12) in-process, against a real slapd (with the dnszone schema) and dynalite. */
let api: InProcessApi;
let ldap: TestSlapd;
let handler: Handler;
let adminToken: string;
let guestToken: string;
const ADMIN = 'uid=admin,ou=people,dc=example,dc=com';
const TODAY = Number(new Date().toISOString().slice(0, 10).replace(/-/g, ''));

async function call(method: string, path: string, body?: unknown, token = adminToken) {
  const res = await api.call(handler, method, path, { body, token });
  return { status: res.status, body: res.body };
}

async function auditOf(action: string) {
  const { platform } = await import('../../lib/platform.js');
  const { queryAudit } = await import('../../lib/audit/audit.js');
  return (await queryAudit((await platform()).db, { action, categories: ['mutation'], limit: 100, offset: 0 })).data;
}

const soa = {
  primary_ns: 'ns1.example.com',
  admin_email: 'hostmaster@example.com',
  refresh: 3600,
  retry: 900,
  expire: 604800,
  minimum: 86400,
};
const serialOf = async (zone: string) => (await call('GET', `/api/v1/dns/zones/${zone}`)).body.soaFields.serial as number;

beforeAll(async () => {
  api = await startInProcessApi();
  ({ ldap } = api);
  ({ handler } = (await import('../../functions/http/dns.js')) as never);
  adminToken = await api.tokenFor(ADMIN, { cn: 'admin' });
  guestToken = await api.tokenFor('uid=guest1,ou=people,dc=example,dc=com', { cn: 'guest1' });
});

afterAll(async () => {
  await api?.stop();
});

describe('dnszone schema', () => {
  it('is loaded with the upstream OIDs', async () => {
    const [schema] = await ldap.client.search('cn=Subschema', { scope: 'base', attributes: ['attributeTypes', 'objectClasses'] });
    expect(attrValues(schema!, 'objectClasses').find((a) => a.includes("'dNSZone'"))).toMatch(/^\( 1\.3\.6\.1\.4\.1\.2428\.20\.3 /);
    expect(attrValues(schema!, 'attributeTypes').find((a) => a.includes("'sRVRecord'"))).toMatch(/^\( 1\.3\.6\.1\.4\.1\.2428\.20\.1\.33 /);
  });
});

describe('zones', () => {
  it('lists nothing before the first zone (ou=dns is created on demand)', async () => {
    const res = await call('GET', '/api/v1/dns/zones');
    expect(res).toMatchObject({ status: 200, body: { data: [], pagination: { total: 0 } } });
  });

  it('creates a zone: apex with relativeDomainName=@, SOA with a YYYYMMDD01 serial, dNSTTL; audited', async () => {
    const res = await call('POST', '/api/v1/dns/zones', { zoneName: 'Example.COM.', soa });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      dn: 'zoneName=example.com,ou=dns,dc=example,dc=com',
      zoneName: 'example.com',
      soa: `ns1.example.com. hostmaster.example.com. ${TODAY * 100 + 1} 3600 900 604800 86400`,
      soaFields: { ...soa, primary_ns: 'ns1.example.com.', admin_email: 'hostmaster@example.com', serial: TODAY * 100 + 1 },
      ttl: 3600,
      recordCount: 0,
    });
    const apex = await ldap.client.get(res.body.dn);
    expect(attrValues(apex!, 'relativeDomainName')).toEqual(['@']);
    expect(attrValues(apex!, 'objectClass')).toEqual(['dNSZone']);
    const [event] = await auditOf('dns.zone.create');
    expect(event).toMatchObject({ actor: ADMIN, target: res.body.dn });
    expect(event!.changes).toContainEqual({ attribute: 'zoneName', old: null, new: 'example.com' });
  });

  it('takes a given serial and ttl, and answers 409 for an existing zone', async () => {
    const res = await call('POST', '/api/v1/dns/zones', {
      zoneName: '1.168.192.in-addr.arpa',
      soa: { ...soa, admin_email: 'dns.admin@example.com', serial: 2020010105 },
      ttl: 300,
    });
    expect(res.status).toBe(201);
    expect(res.body.soa).toBe('ns1.example.com. dns\\.admin.example.com. 2020010105 3600 900 604800 86400');
    expect(res.body.soaFields.admin_email).toBe('dns.admin@example.com');
    expect(res.body.ttl).toBe(300);
    const dup = await call('POST', '/api/v1/dns/zones', { zoneName: 'example.com', soa });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'DNS_ZONE_EXISTS']);
  });

  it('validates the zone payload naming the field (400)', async () => {
    const res = await call('POST', '/api/v1/dns/zones', {
      zoneName: 'bad_name..com',
      soa: { ...soa, primary_ns: 'x', admin_email: 'nope@' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'body.soa.admin_email',
      'body.soa.primary_ns',
      'body.zoneName',
    ]);
    const missing = await call('POST', '/api/v1/dns/zones', {
      zoneName: 'ok.example',
      soa: { primary_ns: 'ns.ok.example', admin_email: 'a@ok.example' },
    });
    expect(missing.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('body.soa.refresh');
  });

  it('lists zones sorted by name, with record counts; 404 for an unknown zone', async () => {
    const res = await call('GET', '/api/v1/dns/zones');
    expect(res.body.data.map((z: { zoneName: string }) => z.zoneName)).toEqual(['1.168.192.in-addr.arpa', 'example.com']);
    const missing = await call('GET', '/api/v1/dns/zones/nowhere.example');
    expect([missing.status, missing.body.error.code, missing.body.error.details.zone]).toEqual([
      404,
      'DNS_ZONE_NOT_FOUND',
      'nowhere.example',
    ]);
  });

  it('refuses guests (403 before 404, audited as a denial, nothing written)', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/v1/dns/zones'],
      ['GET', '/api/v1/dns/zones/nowhere.example'],
      ['POST', '/api/v1/dns/zones', { zoneName: 'guest.example', soa }],
      ['POST', '/api/v1/dns/zones/example.com/records', { name: 'g', type: 'A', value: '192.0.2.9' }],
      ['DELETE', '/api/v1/dns/zones/example.com?recursive=true'],
    ] as const) {
      const res = await call(method, path, body, guestToken);
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
    expect((await call('GET', '/api/v1/dns/zones/example.com')).status).toBe(200);
  });
});

describe('records', () => {
  const Z = '/api/v1/dns/zones/example.com';

  it('adds records of every type, in the attributes BIND reads, advancing the serial each time', async () => {
    let serial = await serialOf('example.com');
    const cases: [unknown, string, string][] = [
      [{ name: '@', type: 'NS', value: 'ns1.example.com' }, 'nSRecord', 'ns1.example.com.'],
      [{ name: '@', type: 'MX', preference: 10, host: 'mail.example.com.' }, 'mXRecord', '10 mail.example.com.'],
      [{ name: 'www', type: 'A', value: '192.0.2.10', ttl: 300 }, 'aRecord', '192.0.2.10'],
      [{ name: 'www', type: 'A', value: '192.0.2.11' }, 'aRecord', '192.0.2.11'],
      [{ name: 'www', type: 'AAAA', value: '2001:DB8:0:0:0:0:0:1' }, 'aAAARecord', '2001:db8::1'],
      [{ name: 'ftp', type: 'CNAME', value: 'www.example.com' }, 'cNAMERecord', 'www.example.com.'],
      [{ name: '@', type: 'TXT', value: 'v=spf1 mx -all' }, 'tXTRecord', '"v=spf1 mx -all"'],
      [{ name: 'multi', type: 'TXT', strings: ['a "quoted" part', 'b'] }, 'tXTRecord', '"a \\"quoted\\" part" "b"'],
      [{ name: '_sip._tcp', type: 'SRV', value: '10 60 5060 sip.example.com.' }, 'sRVRecord', '10 60 5060 sip.example.com.'],
      [{ name: 'www.example.com.', type: 'TXT', value: 'absolute name' }, 'tXTRecord', '"absolute name"'],
    ];
    for (const [body, attribute, stored] of cases) {
      const res = await call('POST', `${Z}/records`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.value).toBe(stored);
      expect(res.body.id).toBe(recordId(res.body.type, res.body.name, stored));
      const entry = await ldap.client.get(res.body.dn);
      expect(attrValues(entry!, attribute)).toContain(stored);
      const next = await serialOf('example.com');
      expect(next).toBe(serial + 1);
      serial = next;
    }
    const www = await ldap.client.get('relativeDomainName=www,zoneName=example.com,ou=dns,dc=example,dc=com');
    expect(attrValues(www!, 'dNSTTL')).toEqual(['300']);
    expect(attrValues(www!, 'zoneName')).toEqual(['example.com']);
    const [event] = await auditOf('dns.record.create');
    expect(event!.changes).toEqual(expect.arrayContaining([expect.objectContaining({ attribute: 'sOARecord' })]));
  });

  it('lists records filtered by type and name, with parsed fields; the zone counts them', async () => {
    const all = await call('GET', `${Z}/records?limit=100`);
    expect(all.body.pagination.total).toBe(10);
    expect(all.body.data[0].name).toBe('@');
    const a = await call('GET', `${Z}/records?type=A`);
    expect(a.body.data.map((r: { value: string }) => r.value)).toEqual(['192.0.2.10', '192.0.2.11']);
    expect(a.body.data[0]).toMatchObject({ name: 'www', fqdn: 'www.example.com.', ttl: 300, type: 'A' });
    const www = await call('GET', `${Z}/records?name=www`);
    expect(www.body.data.map((r: { type: string }) => r.type)).toEqual(['A', 'A', 'AAAA', 'TXT']);
    const srv = await call('GET', `${Z}/records?type=SRV`);
    expect(srv.body.data[0].fields).toEqual({ priority: 10, weight: 60, port: 5060, target: 'sip.example.com.' });
    const mx = await call('GET', `${Z}/records?type=MX&name=@`);
    expect(mx.body.data[0].fields).toEqual({ preference: 10, host: 'mail.example.com.' });
    expect((await call('GET', Z)).body.recordCount).toBe(10);
    const bad = await call('GET', `${Z}/records?type=SOA`);
    expect([bad.status, bad.body.error.details.fields[0].field]).toEqual([400, 'query.type']);
  });

  it('validates each type naming the field (400), nothing written', async () => {
    const before = await serialOf('example.com');
    const cases: [unknown, string][] = [
      [{ name: 'x', type: 'A', value: '300.1.1.1' }, 'body.value'],
      [{ name: 'x', type: 'A', value: '2001:db8::1' }, 'body.value'],
      [{ name: 'x', type: 'AAAA', value: '192.0.2.1' }, 'body.value'],
      [{ name: 'x', type: 'MX', host: 'mail.example.com' }, 'body.preference'],
      [{ name: 'x', type: 'MX', preference: 10, host: 'not a host' }, 'body.host'],
      [{ name: 'x', type: 'CNAME', value: 'nodots' }, 'body.value'],
      [{ name: 'x', type: 'TXT', value: 'x'.repeat(256) }, 'body.value'],
      [{ name: 'x', type: 'TXT', strings: ['ok', 'é'] }, 'body.strings.1'],
      [{ name: 'sip', type: 'SRV', priority: 1, weight: 1, port: 5060, target: 'sip.example.com' }, 'body.name'],
      [{ name: '_sip._tcp', type: 'SRV', priority: 1, weight: 1, port: 70000, target: 'sip.example.com' }, 'body.port'],
      [{ name: 'bad name', type: 'A', value: '192.0.2.1' }, 'body.name'],
      [{ name: 'host.other.org.', type: 'A', value: '192.0.2.1' }, 'body.name'],
      [{ name: 'x', type: 'SOA', value: 'x' }, 'body.type'],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', `${Z}/records`, body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    expect(await serialOf('example.com')).toBe(before);
  });

  it('answers 409 for a duplicate and for CNAME conflicts, 422 for a TTL conflict, 404 for an unknown zone', async () => {
    const dup = await call('POST', `${Z}/records`, { name: 'www', type: 'A', value: '192.0.2.10' });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'DNS_RECORD_EXISTS']);
    const cnameOverA = await call('POST', `${Z}/records`, { name: 'www', type: 'CNAME', value: 'other.example.net' });
    expect([cnameOverA.status, cnameOverA.body.error.code]).toEqual([409, 'DNS_CNAME_CONFLICT']);
    const aOverCname = await call('POST', `${Z}/records`, { name: 'ftp', type: 'A', value: '192.0.2.20' });
    expect([aOverCname.status, aOverCname.body.error.code]).toEqual([409, 'DNS_CNAME_CONFLICT']);
    const secondCname = await call('POST', `${Z}/records`, { name: 'ftp', type: 'CNAME', value: 'other.example.net' });
    expect([secondCname.status, secondCname.body.error.code]).toEqual([409, 'DNS_CNAME_CONFLICT']);
    const apexCname = await call('POST', `${Z}/records`, { name: '@', type: 'CNAME', value: 'other.example.net' });
    expect([apexCname.status, apexCname.body.error.code]).toEqual([409, 'DNS_CNAME_CONFLICT']);
    const ttl = await call('POST', `${Z}/records`, { name: 'www', type: 'A', value: '192.0.2.12', ttl: 60 });
    expect([ttl.status, ttl.body.error.code, ttl.body.error.details.field]).toEqual([422, 'DNS_TTL_CONFLICT', 'ttl']);
    const noZone = await call('POST', '/api/v1/dns/zones/nowhere.example/records', { name: 'a', type: 'A', value: '192.0.2.1' });
    expect([noZone.status, noZone.body.error.code]).toEqual([404, 'DNS_ZONE_NOT_FOUND']);
  });

  it('deletes records by id (the owner entry goes with its last one), advancing the serial; 404 for unknown ids', async () => {
    const ftp = (await call('GET', `${Z}/records?name=ftp`)).body.data[0];
    const serial = await serialOf('example.com');
    const del = await call('DELETE', `${Z}/records/${ftp.id}`);
    expect(del.status).toBe(204);
    expect(await ldap.client.get('relativeDomainName=ftp,zoneName=example.com,ou=dns,dc=example,dc=com')).toBeNull();
    expect(await serialOf('example.com')).toBe(serial + 1);
    const [event] = await auditOf('dns.record.delete');
    expect(event!.changes).toContainEqual({ attribute: 'cNAMERecord', old: 'www.example.com.', new: null });

    const a = (await call('GET', `${Z}/records?type=A`)).body.data[0];
    expect((await call('DELETE', `${Z}/records/${a.id}`)).status).toBe(204);
    expect(await ldap.client.get('relativeDomainName=www,zoneName=example.com,ou=dns,dc=example,dc=com')).not.toBeNull();

    for (const id of [ftp.id, 'not-an-id', recordId('A', 'nobody', '192.0.2.1')]) {
      const res = await call('DELETE', `${Z}/records/${id}`);
      expect([res.status, res.body.error.code]).toEqual([404, 'DNS_RECORD_NOT_FOUND']);
    }
  });

  it('keeps the SOA serial consistent under concurrent record changes', async () => {
    const serial = await serialOf('example.com');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call('POST', `${Z}/records`, { name: `par${i}`, type: 'A', value: `192.0.2.${100 + i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(await serialOf('example.com')).toBe(serial + 6);
  });
});

describe('zone deletion', () => {
  it('refuses a zone with records (409) unless recursive=true, then removes every entry; audited', async () => {
    const refused = await call('DELETE', '/api/v1/dns/zones/example.com');
    expect([refused.status, refused.body.error.code]).toEqual([409, 'DNS_ZONE_NOT_EMPTY']);
    const done = await call('DELETE', '/api/v1/dns/zones/example.com?recursive=true');
    expect(done.status).toBe(204);
    expect(await ldap.client.search('ou=dns,dc=example,dc=com', { filter: '(zoneName=example.com)' })).toEqual([]);
    const [event] = await auditOf('dns.zone.delete');
    expect(event!.changes).toContainEqual({ attribute: 'zoneName', old: 'example.com', new: null });
    const empty = await call('DELETE', '/api/v1/dns/zones/1.168.192.in-addr.arpa');
    expect(empty.status).toBe(204);
    expect((await call('DELETE', '/api/v1/dns/zones/example.com')).status).toBe(404);
  });
});
