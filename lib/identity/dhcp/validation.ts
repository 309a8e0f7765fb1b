/**
 * Checks of DHCP object fields: the field-level ones (subnet network vs mask, ranges inside their subnet,
 * MAC and fixed addresses, zone and server names, DNs) and the ones that need the directory (ranges and
 * fixed addresses inside the enclosing subnet, overlapping subnets, duplicate MACs in a service).
 */
import { ConflictError, UnprocessableError, ValidationError, type FieldIssue } from '../../core/errors.js';
import { canonicalRdns, isDnWithin } from '../../core/dn.js';
import { and, attrFirst, attrValues, eq } from '../../providers/ldap/index.js';
import type { IdentityDeps } from '../deps.js';
import { normalizeFqdn, normalizeZoneName } from '../dns/records.js';
import {
  contains,
  formatRange,
  isNetworkAddress,
  isStrictIPv4,
  networkOf,
  networkRange,
  normalizeFixedAddress,
  normalizeHwAddress,
  overlaps,
  parseRange,
  type Network,
} from './net.js';
import { dhcpBase, parentOf, serviceDnOf, type DhcpFields } from './layout.js';
import { typeOfClasses, type DhcpType } from './types.js';

const asList = (v: unknown): string[] | undefined =>
  v === undefined || v === null ? undefined : Array.isArray(v) ? v.map(String) : [String(v)];

/** Normalizes the fields of `type` (400 VALIDATION_ERROR naming each bad `body.<field>`). */
export function normalizeFields(type: DhcpType, cn: string, input: DhcpFields): DhcpFields {
  const issues: FieldIssue[] = [];
  const bad = (field: string, message: string, code = 'invalid_value') => issues.push({ field: `body.${field}`, code, message });
  const f: DhcpFields = { ...input };
  for (const key of ['range', 'statements', 'options', 'permit_list']) {
    const list = asList(f[key]);
    if (list) f[key] = list;
  }
  if (Array.isArray(f.range)) {
    f.range = (f.range as string[]).map((r, i) => {
      const p = parseRange(r);
      if (!p)
        bad(
          `range${(f.range as string[]).length > 1 ? `.${i}` : ''}`,
          'a range is "<first IPv4> <last IPv4>" (first ≤ last), optionally after dynamic-bootp',
        );
      return p ? formatRange(p) : r;
    });
  }
  if (type === 'subnet') {
    const mask = Number(f.netmask);
    if (!isStrictIPv4(cn)) bad('cn', 'cn must be an IPv4 network address');
    else if (!isNetworkAddress(cn, mask)) {
      bad('cn', `${cn} is not the network address of a /${mask} (that is ${networkOf(cn, mask)})`, 'network_mismatch');
    } else if (Array.isArray(f.range)) {
      const net = networkRange(cn, mask);
      (f.range as string[]).forEach((r, i) => {
        const p = parseRange(r);
        if (p && (!contains(net, p.first) || !contains(net, p.last))) {
          bad(`range${(f.range as string[]).length > 1 ? `.${i}` : ''}`, `the range ${r} is not inside ${cn}/${mask}`, 'out_of_subnet');
        }
      });
    }
  }
  if (type === 'host') {
    if (typeof f.hwaddress === 'string') {
      const hw = normalizeHwAddress(f.hwaddress);
      if (!hw) bad('hwaddress', 'hwaddress is "ethernet|token-ring|fddi <unicast MAC 00:11:22:33:44:55>"');
      else f.hwaddress = hw;
    }
    if (typeof f.fixed_address === 'string') {
      const fa = normalizeFixedAddress(f.fixed_address);
      if (!fa) bad('fixed_address', 'fixed_address is an IPv4 address or a host name');
      else f.fixed_address = fa;
    }
  }
  if (type === 'dns_zone' && normalizeZoneName(cn) === null) bad('cn', 'cn must be a DNS zone name');
  for (const key of ['dns_server', 'primary_server', 'secondary_server']) {
    const v = f[key];
    if (typeof v === 'string' && !isStrictIPv4(v) && !normalizeFqdn(v)) bad(key, `${key} must be an IPv4 address or a host name`);
  }
  for (const key of ['primary_dn', 'key_dn']) {
    const v = f[key];
    if (typeof v === 'string' && canonicalRdns(v) === null) bad(key, `${key} must be a DN`);
  }
  if (issues.length) throw new ValidationError(issues);
  return f;
}

/** The nearest subnet at or above `dn` (inside its service), as a network, or null. */
async function enclosingSubnet(d: IdentityDeps, dn: string): Promise<{ dn: string; net: Network; cidr: string } | null> {
  let current = dn;
  while (isDnWithin(current, dhcpBase(d), 'subtree') && !isDnWithin(current, dhcpBase(d), 'base')) {
    const e = await d.ldap.get(current, ['objectClass', 'cn', 'dhcpNetMask']);
    if (e && typeOfClasses(attrValues(e, 'objectClass')) === 'subnet') {
      const cn = attrFirst(e, 'cn') ?? '';
      const mask = Number(attrFirst(e, 'dhcpNetMask'));
      if (isStrictIPv4(cn) && mask >= 0 && mask <= 32) return { dn: e.dn, net: networkRange(cn, mask), cidr: `${cn}/${mask}` };
      return null;
    }
    current = parentOf(current);
  }
  return null;
}

/** Checks that need the directory: ranges and fixed addresses inside their subnet, subnet overlaps, duplicate MACs. */
export async function checkPlacement(
  d: IdentityDeps,
  type: DhcpType,
  cn: string,
  dn: string,
  parent: string,
  f: DhcpFields,
): Promise<void> {
  const service = serviceDnOf(d, dn);
  if (type === 'pool' || (type === 'host' && typeof f.fixed_address === 'string' && isStrictIPv4(f.fixed_address))) {
    const subnet = await enclosingSubnet(d, parent);
    if (subnet && type === 'pool') {
      for (const r of (f.range as string[] | undefined) ?? []) {
        const p = parseRange(r);
        if (p && (!contains(subnet.net, p.first) || !contains(subnet.net, p.last))) {
          throw new UnprocessableError('DHCP_RANGE_OUTSIDE_SUBNET', `The range ${r} is not inside the subnet ${subnet.cidr}`, {
            field: 'range',
            attribute: 'dhcpRange',
            subnet: subnet.dn,
          });
        }
      }
    }
    if (subnet && type === 'host' && !contains(subnet.net, f.fixed_address as string)) {
      throw new UnprocessableError('DHCP_ADDRESS_OUTSIDE_SUBNET', `${f.fixed_address} is not inside the subnet ${subnet.cidr}`, {
        field: 'fixed_address',
        attribute: 'dhcpStatements',
        subnet: subnet.dn,
      });
    }
  }
  if (type === 'subnet' && service) {
    const mine = networkRange(cn, Number(f.netmask));
    const others = await d.ldap.search(service, {
      scope: 'sub',
      filter: eq('objectClass', 'dhcpSubnet'),
      attributes: ['cn', 'dhcpNetMask'],
    });
    for (const o of others) {
      if (canonicalRdns(o.dn)?.join(',') === canonicalRdns(dn)?.join(',')) continue;
      const ocn = attrFirst(o, 'cn') ?? '';
      const omask = Number(attrFirst(o, 'dhcpNetMask'));
      if (isStrictIPv4(ocn) && overlaps(mine, networkRange(ocn, omask))) {
        throw new ConflictError('DHCP_SUBNET_OVERLAP', `${cn}/${f.netmask} overlaps the subnet ${ocn}/${omask} of this service`, {
          field: 'cn',
          subnet: o.dn,
        });
      }
    }
  }
  if (type === 'host' && typeof f.hwaddress === 'string' && service) {
    const same = await d.ldap.search(service, {
      scope: 'sub',
      filter: and(eq('objectClass', 'dhcpHost'), eq('dhcpHWAddress', f.hwaddress)),
      attributes: ['cn'],
    });
    const other = same.find((o) => canonicalRdns(o.dn)?.join(',') !== canonicalRdns(dn)?.join(','));
    if (other) {
      throw new ConflictError('DHCP_HWADDRESS_EXISTS', `The hardware address ${f.hwaddress} is already the host ${other.dn}'s`, {
        field: 'hwaddress',
        host: other.dn,
      });
    }
  }
}
