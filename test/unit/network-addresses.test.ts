import { describe, expect, it } from 'vitest';
import { firstHost, gatewayProblem, normalizeIp, parseCidr, parseIp } from '../../lib/compute/networks/addresses.js';

const cidr = (s: string) => {
  const out = parseCidr(s);
  if ('error' in out) throw new Error(out.error);
  return out.cidr;
};

describe('subnet addresses', () => {
  it('writes addresses canonically (RFC 5952 for IPv6, no leading zeros for IPv4)', () => {
    expect(normalizeIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normalizeIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(normalizeIp('0:0:0:0:0:0:0:0')).toBe('::');
    expect(normalizeIp('fe80:0:0:0:1:0:0:0')).toBe('fe80::1:0:0:0');
    expect(normalizeIp('fe80:0:0:1:0:0:0:0')).toBe('fe80:0:0:1::');
    expect(normalizeIp('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2:3:4:5:6');
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('::ffff:c000:201');
    expect(normalizeIp('192.168.0.1')).toBe('192.168.0.1');
    expect(normalizeIp('192.168.00.1')).toBeUndefined();
    expect(normalizeIp('fe80::1%eth0')).toBeUndefined();
    expect(normalizeIp('256.0.0.1')).toBeUndefined();
    expect(parseIp('10.0.0.1')).toEqual({ version: 4, value: 0x0a000001n });
  });

  it('accepts a network CIDR and normalises it; names the network when host bits are set', () => {
    expect(cidr('2001:DB8:0::/64').text).toBe('2001:db8::/64');
    expect(cidr('10.0.0.0/8').text).toBe('10.0.0.0/8');
    expect(parseCidr('10.0.0.5/24')).toEqual({ error: '10.0.0.5/24 has host bits set: the network is 10.0.0.0/24' });
    expect(parseCidr('2001:db8::1/64')).toEqual({ error: '2001:db8::1/64 has host bits set: the network is 2001:db8::/64' });
  });

  it('refuses subnets without room for a gateway and a host, /0, reserved ranges and non-CIDRs', () => {
    for (const bad of [
      '10.0.0.0/31',
      '10.0.0.0/32',
      '10.0.0.0/33',
      '2001:db8::/127',
      '0.0.0.0/0',
      '127.0.0.0/8',
      '169.254.0.0/16',
      '224.0.0.0/4',
      'ff00::/8',
      'fe80::/64',
      '10.0.0.0',
      '10.0.0.0/',
      'x/8',
    ])
      expect('error' in parseCidr(bad), bad).toBe(true);
    expect('cidr' in parseCidr('10.0.0.0/30')).toBe(true);
    expect('cidr' in parseCidr('2001:db8::/126')).toBe(true);
  });

  it('checks a gateway: same family, inside, not the network or the IPv4 broadcast address', () => {
    const v4 = cidr('192.168.10.0/24');
    expect(gatewayProblem(v4, parseIp('192.168.10.1')!)).toBeUndefined();
    expect(gatewayProblem(v4, parseIp('192.168.10.254')!)).toBeUndefined();
    expect(gatewayProblem(v4, parseIp('192.168.10.0')!)).toMatch(/network address/);
    expect(gatewayProblem(v4, parseIp('192.168.10.255')!)).toMatch(/broadcast/);
    expect(gatewayProblem(v4, parseIp('192.168.11.1')!)).toMatch(/not inside/);
    expect(gatewayProblem(v4, parseIp('2001:db8::1')!)).toMatch(/IPv4/);
    const v6 = cidr('2001:db8::/64');
    expect(gatewayProblem(v6, parseIp('2001:db8::ffff:ffff:ffff:ffff')!)).toBeUndefined();
    expect(firstHost(v4)).toBe('192.168.10.1');
    expect(firstHost(v6)).toBe('2001:db8::1');
  });
});
