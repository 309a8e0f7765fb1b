/**
 * The eleven DHCP object types of Heracles §13 over the ISC DHCP LDAP schema (local/slapd/schema/61-dhcp.ldif):
 * their object class, path segment, the parents each may have and the API fields ↔ attributes.
 *
 * Containment (the schema's X-NDS_CONTAINMENT; slapd does not enforce it, the API does, 422 naming `parent`):
 * a service sits at the top (`ou=dhcp,<base>`); shared networks under a service; subnets under a service or
 * shared network; pools under a subnet or shared network; hosts under a service, subnet or group; groups
 * under a service, subnet or group (dhcpd nests groups); classes under a service or subnet; subclasses under
 * a class; TSIG keys, DNS zones and failover peers under a service, shared network or subnet.
 */
export const DHCP_TYPES = [
  'service',
  'shared_network',
  'subnet',
  'pool',
  'host',
  'group',
  'class',
  'subclass',
  'tsig_key',
  'dns_zone',
  'failover_peer',
] as const;
export type DhcpType = (typeof DHCP_TYPES)[number];

export type FieldKind = 'string' | 'strings' | 'int' | 'dn' | 'secret';

export interface FieldSpec {
  /** API name (snake_case). */
  key: string;
  attribute: string;
  kind: FieldKind;
  required?: boolean;
}

export interface DhcpTypeSpec {
  type: DhcpType;
  /** Path segment: /api/v1/dhcp/<plural>. */
  plural: string;
  objectClass: string;
  /** Allowed parent types; empty = the top (`ou=dhcp,<base>`). */
  parents: readonly DhcpType[];
  fields: readonly FieldSpec[];
}

const statements: FieldSpec = { key: 'statements', attribute: 'dhcpStatements', kind: 'strings' };
const options: FieldSpec = { key: 'options', attribute: 'dhcpOption', kind: 'strings' };
const comments: FieldSpec = { key: 'comments', attribute: 'dhcpComments', kind: 'string' };
const config = [statements, options, comments];

const spec = (type: DhcpType, plural: string, objectClass: string, parents: DhcpType[], fields: FieldSpec[]): DhcpTypeSpec =>
  Object.freeze({ type, plural, objectClass, parents: Object.freeze(parents), fields: Object.freeze(fields) });

export const DHCP_TYPE_SPECS: Readonly<Record<DhcpType, DhcpTypeSpec>> = Object.freeze({
  service: spec('service', 'services', 'dhcpService', [], [...config, { key: 'primary_dn', attribute: 'dhcpPrimaryDN', kind: 'dn' }]),
  shared_network: spec('shared_network', 'shared_networks', 'dhcpSharedNetwork', ['service'], config),
  subnet: spec(
    'subnet',
    'subnets',
    'dhcpSubnet',
    ['service', 'shared_network'],
    [
      { key: 'netmask', attribute: 'dhcpNetMask', kind: 'int', required: true },
      { key: 'range', attribute: 'dhcpRange', kind: 'strings' },
      ...config,
    ],
  ),
  pool: spec(
    'pool',
    'pools',
    'dhcpPool',
    ['subnet', 'shared_network'],
    [
      { key: 'range', attribute: 'dhcpRange', kind: 'strings', required: true },
      { key: 'permit_list', attribute: 'dhcpPermitList', kind: 'strings' },
      ...config,
    ],
  ),
  // fixed_address is the `fixed-address` statement of dhcpStatements (objects.ts splits and joins them).
  host: spec(
    'host',
    'hosts',
    'dhcpHost',
    ['service', 'subnet', 'group'],
    [{ key: 'hwaddress', attribute: 'dhcpHWAddress', kind: 'string' }, ...config],
  ),
  group: spec('group', 'groups', 'dhcpGroup', ['service', 'subnet', 'group'], config),
  class: spec('class', 'classes', 'dhcpClass', ['service', 'subnet'], config),
  subclass: spec(
    'subclass',
    'subclasses',
    'dhcpSubClass',
    ['class'],
    [{ key: 'class_data', attribute: 'dhcpClassData', kind: 'string' }, ...config],
  ),
  tsig_key: spec(
    'tsig_key',
    'tsig_keys',
    'dhcpTSigKey',
    ['service', 'shared_network', 'subnet'],
    [
      { key: 'algorithm', attribute: 'dhcpKeyAlgorithm', kind: 'string', required: true },
      { key: 'secret', attribute: 'dhcpKeySecret', kind: 'secret', required: true },
      comments,
    ],
  ),
  dns_zone: spec(
    'dns_zone',
    'dns_zones',
    'dhcpDnsZone',
    ['service', 'shared_network', 'subnet'],
    [
      { key: 'dns_server', attribute: 'dhcpDnsZoneServer', kind: 'string', required: true },
      { key: 'key_dn', attribute: 'dhcpKeyDN', kind: 'dn' },
      comments,
    ],
  ),
  failover_peer: spec(
    'failover_peer',
    'failover_peers',
    'dhcpFailOverPeer',
    ['service', 'shared_network', 'subnet'],
    [
      { key: 'primary_server', attribute: 'dhcpFailOverPrimaryServer', kind: 'string', required: true },
      { key: 'secondary_server', attribute: 'dhcpFailOverSecondaryServer', kind: 'string', required: true },
      { key: 'primary_port', attribute: 'dhcpFailOverPrimaryPort', kind: 'int', required: true },
      { key: 'secondary_port', attribute: 'dhcpFailOverSecondaryPort', kind: 'int', required: true },
      { key: 'response_delay', attribute: 'dhcpFailOverResponseDelay', kind: 'int' },
      { key: 'unacked_updates', attribute: 'dhcpFailOverUnackedUpdates', kind: 'int' },
      { key: 'max_client_lead_time', attribute: 'dhcpMaxClientLeadTime', kind: 'int' },
      { key: 'split', attribute: 'dhcpFailOverSplit', kind: 'int' },
      { key: 'load_balance_time', attribute: 'dhcpFailOverLoadBalanceTime', kind: 'int' },
      comments,
    ],
  ),
});

export const DHCP_PLURALS = DHCP_TYPES.map((t) => DHCP_TYPE_SPECS[t].plural) as [string, ...string[]];

export const typeOfPlural = (plural: string): DhcpType | undefined => DHCP_TYPES.find((t) => DHCP_TYPE_SPECS[t].plural === plural);

/** The API type of an entry from its object classes (undefined when none is a DHCP type's). */
export function typeOfClasses(classes: string[]): DhcpType | undefined {
  const lower = classes.map((c) => c.toLowerCase());
  return DHCP_TYPES.find((t) => lower.includes(DHCP_TYPE_SPECS[t].objectClass.toLowerCase()));
}
