import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/core/errors.js';
import {
  bumpSoa,
  canonicalIPv6,
  emailFromRname,
  formatSoa,
  initialSerial,
  nextSerial,
  normalizeFqdn,
  normalizeOwnerName,
  normalizeZoneName,
  parseRecord,
  parseRecordId,
  parseSoa,
  parseTxt,
  recordId,
  rnameFromEmail,
  type RecordInput,
} from '../../lib/identity/dns/records.js';

const Z = 'example.com';
const fieldsOf = (input: RecordInput): string[] => {
  try {
    parseRecord(input, Z);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return ((e as ValidationError).details!.fields as { field: string }[]).map((f) => f.field);
  }
  throw new Error('expected a validation error');
};

describe('names', () => {
  it('normalizes zone names and refuses bad ones', () => {
    expect(normalizeZoneName('Example.COM.')).toBe('example.com');
    expect(normalizeZoneName('1.168.192.in-addr.arpa')).toBe('1.168.192.in-addr.arpa');
    for (const bad of ['', '.', 'a..b', '-a.com', 'a-.com', 'under_score.com', 'example.123', `${'a'.repeat(64)}.com`]) {
      expect([bad, normalizeZoneName(bad)]).toEqual([bad, null]);
    }
  });

  it('makes owner names relative to the zone', () => {
    expect(normalizeOwnerName('@', Z)).toBe('@');
    expect(normalizeOwnerName('WWW', Z)).toBe('www');
    expect(normalizeOwnerName('www.example.com.', Z)).toBe('www');
    expect(normalizeOwnerName('example.com.', Z)).toBe('@');
    expect(normalizeOwnerName('*.dev', Z)).toBe('*.dev');
    expect(normalizeOwnerName('_sip._tcp', Z)).toBe('_sip._tcp');
    for (const bad of ['www.other.org.', 'a b', 'dev.*', 'a..b', '-x']) expect([bad, normalizeOwnerName(bad, Z)]).toEqual([bad, null]);
  });

  it('answers FQDNs with their trailing dot', () => {
    expect(normalizeFqdn('Mail.Example.com')).toBe('mail.example.com.');
    expect(normalizeFqdn('mail.example.com.')).toBe('mail.example.com.');
    for (const bad of ['localhost', 'a..b', 'a.b.123', 'spa ce.com', '']) expect([bad, normalizeFqdn(bad)]).toEqual([bad, null]);
  });

  it('converts the SOA admin address both ways, escaping dots of the local part', () => {
    expect(rnameFromEmail('hostmaster@example.com')).toBe('hostmaster.example.com.');
    expect(rnameFromEmail('dns.admin@example.com')).toBe('dns\\.admin.example.com.');
    expect(rnameFromEmail('hostmaster.example.com')).toBe('hostmaster.example.com.');
    expect(rnameFromEmail('nope@')).toBeNull();
    expect(emailFromRname('dns\\.admin.example.com.')).toBe('dns.admin@example.com');
    expect(emailFromRname('hostmaster.example.com.')).toBe('hostmaster@example.com');
  });

  it('writes IPv6 addresses in RFC 5952 form', () => {
    expect(canonicalIPv6('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIPv6('::ffff:192.0.2.1')).toBe('::ffff:c000:201');
    expect(canonicalIPv6('192.0.2.1')).toBeNull();
    expect(canonicalIPv6('fe80::1%eth0')).toBeNull();
  });
});

describe('records', () => {
  it('stores each type as zone-file RDATA', () => {
    const v = (input: Omit<RecordInput, 'name'> & { name?: string }) => parseRecord({ name: 'x', ...input } as RecordInput, Z).value;
    expect(v({ type: 'A', value: ' 192.0.2.1 ' })).toBe('192.0.2.1');
    expect(v({ type: 'AAAA', value: '2001:db8::0:1' })).toBe('2001:db8::1');
    expect(v({ type: 'MX', value: '10 mail.example.com' })).toBe('10 mail.example.com.');
    expect(v({ type: 'MX', preference: 0, host: 'mx.example.net.' })).toBe('0 mx.example.net.');
    expect(v({ type: 'NS', value: 'ns1.example.com' })).toBe('ns1.example.com.');
    expect(v({ type: 'PTR', value: 'host.example.com.' })).toBe('host.example.com.');
    expect(v({ type: 'TXT', value: 'hello world' })).toBe('"hello world"');
    expect(v({ type: 'TXT', value: '"already" "quoted"' })).toBe('"already" "quoted"');
    expect(v({ type: 'TXT', strings: ['a"b', 'c\\d'] })).toBe('"a\\"b" "c\\\\d"');
    expect(v({ name: '_ldap._tcp', type: 'SRV', priority: 0, weight: 5, port: 389, target: 'ldap.example.com' })).toBe(
      '0 5 389 ldap.example.com.',
    );
    expect(v({ name: '_x._udp', type: 'SRV', value: '0 0 0 .' })).toBe('0 0 0 .');
  });

  it('parses fields back for views', () => {
    expect(parseRecord({ name: '@', type: 'MX', value: '5 mx.example.com.' }, Z).fields).toEqual({
      preference: 5,
      host: 'mx.example.com.',
    });
    expect(parseTxt('"a \\"q\\"" b')).toEqual(['a "q"', 'b']);
  });

  it('refuses invalid values naming the field', () => {
    expect(fieldsOf({ name: 'x', type: 'A', value: '010.0.0.1' })).toEqual(['body.value']);
    expect(fieldsOf({ name: 'x', type: 'A', value: '1.2.3' })).toEqual(['body.value']);
    expect(fieldsOf({ name: 'x', type: 'A' })).toEqual(['body.value']);
    expect(fieldsOf({ name: 'x', type: 'AAAA', value: '2001:db8::g' })).toEqual(['body.value']);
    expect(fieldsOf({ name: 'x', type: 'MX', value: 'mail.example.com' })).toEqual(['body.value']);
    expect(fieldsOf({ name: 'x', type: 'MX', preference: 70000, host: 'bad' })).toEqual(['body.preference', 'body.host']);
    expect(fieldsOf({ name: 'x', type: 'CNAME', value: '192.0.2.1' })).toEqual(['body.value']);
    expect(fieldsOf({ name: 'x', type: 'TXT', strings: [] })).toEqual(['body.strings']);
    expect(fieldsOf({ name: 'x', type: 'TXT', strings: ['ok', 'x'.repeat(256)] })).toEqual(['body.strings.1']);
    expect(fieldsOf({ name: 'x', type: 'TXT', value: 'tab\there' })).toEqual(['body.value']);
    expect(fieldsOf({ name: 'srv', type: 'SRV', value: '1 2 3 t.example.com' })).toEqual(['body.name']);
    expect(fieldsOf({ name: '_a._tcp', type: 'SRV', priority: 1, weight: 1, port: 1 })).toEqual(['body.target']);
    expect(fieldsOf({ name: 'a b', type: 'NS', value: 'nope' })).toEqual(['body.name', 'body.value']);
  });

  it('gives records stable, reversible ids', () => {
    const id = recordId('TXT', '@', '"v=spf1 -all"');
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(parseRecordId(id)).toEqual({ type: 'TXT', name: '@', value: '"v=spf1 -all"' });
    expect(parseRecordId('!!')).toBeNull();
    expect(parseRecordId(Buffer.from('SOA:@:x').toString('base64url'))).toBeNull();
  });
});

describe('SOA', () => {
  const now = new Date('2026-02-04T10:00:00Z');

  it('starts serials at YYYYMMDD01 and advances them', () => {
    expect(initialSerial(now)).toBe(2026020401);
    expect(nextSerial(2026020401, now)).toBe(2026020402);
    expect(nextSerial(2020010199, now)).toBe(2026020401);
    expect(nextSerial(2030010101, now)).toBe(2030010102);
    expect(nextSerial(4294967295, now)).toBe(0);
  });

  it('formats, parses and bumps the SOA text', () => {
    const text = formatSoa({
      primary_ns: 'ns1.example.com',
      admin_email: 'admin@example.com',
      serial: 2026020401,
      refresh: 3600,
      retry: 900,
      expire: 604800,
      minimum: 86400,
    });
    expect(text).toBe('ns1.example.com. admin.example.com. 2026020401 3600 900 604800 86400');
    expect(parseSoa(text)).toMatchObject({ primary_ns: 'ns1.example.com.', admin_email: 'admin@example.com', serial: 2026020401 });
    expect(bumpSoa(text, now)).toBe('ns1.example.com. admin.example.com. 2026020402 3600 900 604800 86400');
    expect(parseSoa('garbage')).toBeNull();
    expect(bumpSoa('garbage', now)).toBe('garbage');
  });
});
