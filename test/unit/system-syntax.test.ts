import { describe, expect, it } from 'vitest';
import * as z from '../../lib/http/zod.js';
import { normalizeIp, normalizeMac, systemTypeOf } from '../../lib/identity/systems/syntax.js';
import { CreateSystemBody, SystemListQuery, UpdateSystemBody } from '../../lib/identity/systems/schemas.js';

const fields = (r: { error?: { issues: { path: PropertyKey[] }[] } }) => (r.error?.issues ?? []).map((i) => i.path.map(String).join('.'));

describe('system value syntaxes', () => {
  it('normalises IPv4 and IPv6 addresses (RFC 5952) and refuses the rest', () => {
    expect(normalizeIp('192.168.1.10')).toBe('192.168.1.10');
    expect(normalizeIp(' 10.0.0.1 ')).toBe('10.0.0.1');
    expect(normalizeIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normalizeIp('2001:db8:0000:1::0001')).toBe('2001:db8:0:1::1');
    expect(normalizeIp('::1')).toBe('::1');
    for (const v of ['192.168.001.010', '256.1.1.1', '1.2.3', '1.2.3.4/24', 'fe80::1%eth0', 'example.com', '', '::g'])
      expect(normalizeIp(v), v).toBeNull();
  });

  it('normalises MAC addresses to lower-case colon form from :, -, . and bare forms', () => {
    for (const v of ['00:11:22:33:44:AA', '00-11-22-33-44-aa', '0011.2233.44aa', '0011223344AA'])
      expect(normalizeMac(v), v).toBe('00:11:22:33:44:aa');
    for (const v of ['00:11:22:33:44', '00:11-22:33:44:55', '0:1:2:3:4:5', '00112233445g', '0011.2233.445', ''])
      expect(normalizeMac(v), v).toBeNull();
  });

  it('reads the type from the structural class', () => {
    expect(systemTypeOf(['top', 'hrcPrinter', 'ieee802Device'])).toBe('printer');
    expect(systemTypeOf(['HRCSERVER'])).toBe('server');
    expect(systemTypeOf(['device'])).toBeNull();
  });
});

describe('system request schemas', () => {
  it('accepts the spec example and normalises the addresses', () => {
    const r = z.safeParse(CreateSystemBody, {
      cn: 'srv-web-01',
      type: 'server',
      description: 'Web server #1',
      ipHostNumber: '192.168.1.10',
      macAddress: '00-11-22-33-44-55',
    });
    expect(r.data).toEqual({
      cn: 'srv-web-01',
      type: 'server',
      description: 'Web server #1',
      ipHostNumber: '192.168.1.10',
      macAddress: '00:11:22:33:44:55',
    });
  });

  it('names each bad field', () => {
    const r = z.safeParse(CreateSystemBody, {
      cn: '-x',
      type: 'toaster',
      ipHostNumber: '300.1.1.1',
      macAddress: 'zz',
      serialNumber: 'é',
      owner: 'not a dn',
    });
    expect(fields(r).sort()).toEqual(['cn', 'ipHostNumber', 'macAddress', 'owner', 'serialNumber', 'type']);
    expect(fields(z.safeParse(CreateSystemBody, { cn: 'x' }))).toEqual(['type']);
  });

  it('update: null removes, cn read-only; list: type validated', () => {
    expect(z.safeParse(UpdateSystemBody, { ipHostNumber: null, macAddress: '0011.2233.4455' }).data).toEqual({
      ipHostNumber: null,
      macAddress: '00:11:22:33:44:55',
    });
    expect(fields(z.safeParse(UpdateSystemBody, { cn: 'y' }))).toEqual(['cn']);
    expect(z.safeParse(SystemListQuery, { type: 'phone' }).data).toMatchObject({ type: 'phone', limit: 50, offset: 0 });
    expect(fields(z.safeParse(SystemListQuery, { type: 'fridge' }))).toEqual(['type']);
  });
});
