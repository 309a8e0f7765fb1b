import { describe, expect, it } from 'vitest';
import {
  contains,
  formatRange,
  isNetworkAddress,
  networkOf,
  networkRange,
  normalizeFixedAddress,
  normalizeHwAddress,
  overlaps,
  parseRange,
} from '../../lib/identity/dhcp/net.js';
import { DHCP_TYPE_SPECS, DHCP_TYPES, typeOfClasses, typeOfPlural } from '../../lib/identity/dhcp/types.js';
import { attributesOf } from '../../lib/identity/dhcp/objects.js';

describe('IPv4 networks', () => {
  it('checks network addresses against the prefix length', () => {
    expect(isNetworkAddress('10.0.0.0', 24)).toBe(true);
    expect(isNetworkAddress('10.0.0.1', 24)).toBe(false);
    expect(isNetworkAddress('10.0.0.128', 25)).toBe(true);
    expect(isNetworkAddress('10.0.0.128', 24)).toBe(false);
    expect(isNetworkAddress('192.168.1.7', 32)).toBe(true);
    expect(networkOf('172.16.5.9', 12)).toBe('172.16.0.0');
    expect(isNetworkAddress('10.0.0.00', 24)).toBe(false);
  });

  it('finds overlaps and containment', () => {
    const a = networkRange('10.0.0.0', 24);
    expect(overlaps(a, networkRange('10.0.0.128', 25))).toBe(true);
    expect(overlaps(a, networkRange('10.0.1.0', 24))).toBe(false);
    expect(overlaps(a, networkRange('10.0.0.0', 8))).toBe(true);
    expect(contains(a, '10.0.0.255')).toBe(true);
    expect(contains(a, '10.0.1.0')).toBe(false);
  });
});

describe('dhcpRange', () => {
  it('accepts "first last", "first-last", one address and dynamic-bootp', () => {
    expect(parseRange('10.0.0.10 10.0.0.20')).toEqual({ dynamicBootp: false, first: '10.0.0.10', last: '10.0.0.20' });
    expect(formatRange(parseRange(' 10.0.0.10 - 10.0.0.20 ')!)).toBe('10.0.0.10 10.0.0.20');
    expect(formatRange(parseRange('10.0.0.5')!)).toBe('10.0.0.5 10.0.0.5');
    expect(formatRange(parseRange('dynamic-bootp 10.0.0.10 10.0.0.20')!)).toBe('dynamic-bootp 10.0.0.10 10.0.0.20');
  });

  it('refuses reversed ranges and non-addresses', () => {
    for (const bad of ['10.0.0.20 10.0.0.10', '10.0.0.1 10.0.0.2 10.0.0.3', 'a b', '10.0.0.256', '']) {
      expect([bad, parseRange(bad)]).toEqual([bad, null]);
    }
  });
});

describe('hardware and fixed addresses', () => {
  it('normalizes unicast MACs with their hardware type', () => {
    expect(normalizeHwAddress('ethernet 00:11:22:AA:BB:CC')).toBe('ethernet 00:11:22:aa:bb:cc');
    expect(normalizeHwAddress('00-11-22-33-44-55')).toBe('ethernet 00:11:22:33:44:55');
    expect(normalizeHwAddress('001122334455')).toBe('ethernet 00:11:22:33:44:55');
    expect(normalizeHwAddress('token-ring 0:1:2:3:4:5')).toBe('token-ring 00:01:02:03:04:05');
    for (const bad of [
      'ethernet 01:00:5e:00:00:01',
      'ethernet ff:ff:ff:ff:ff:ff',
      '00:00:00:00:00:00',
      'ethernet 00:11:22:33:44',
      'wifi 00:11:22:33:44:55',
      '00:11-22:33:44:55',
    ]) {
      expect([bad, normalizeHwAddress(bad)]).toEqual([bad, null]);
    }
  });

  it('accepts IPv4 or host names as fixed addresses', () => {
    expect(normalizeFixedAddress('10.0.0.5')).toBe('10.0.0.5');
    expect(normalizeFixedAddress('Printer.Example.com')).toBe('printer.example.com');
    expect(normalizeFixedAddress('10.0.0.256')).toBeNull();
    expect(normalizeFixedAddress('not a host')).toBeNull();
  });
});

describe('DHCP types', () => {
  it('knows the eleven types, their classes and path segments', () => {
    expect(DHCP_TYPES).toHaveLength(11);
    expect(typeOfPlural('failover_peers')).toBe('failover_peer');
    expect(typeOfClasses(['top', 'DHCPSubnet'])).toBe('subnet');
    expect(typeOfClasses(['organizationalUnit'])).toBeUndefined();
    expect(DHCP_TYPE_SPECS.service.parents).toEqual([]);
    expect(DHCP_TYPE_SPECS.subclass.parents).toEqual(['class']);
  });

  it('keeps a host fixed address as the first fixed-address statement', () => {
    expect(
      attributesOf('host', { fixed_address: '10.0.0.5', statements: ['ddns-hostname "h"'], hwaddress: 'ethernet 00:11:22:33:44:55' }),
    ).toMatchObject({
      dhcpStatements: ['fixed-address 10.0.0.5', 'ddns-hostname "h"'],
      dhcpHWAddress: ['ethernet 00:11:22:33:44:55'],
      dhcpOption: [],
    });
  });
});
