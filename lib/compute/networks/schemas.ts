import * as z from '../../http/zod.js';
import { cloudListQuery, cloudName, departmentDn, RecordFields } from '../schemas.js';
import { gatewayProblem, parseCidr, parseIp } from './addresses.js';

/** Neutron's default `max_dns_nameservers`. */
export const MAX_DNS_NAMESERVERS = 5;

const address = () => z.string().check(z.minLength(2), z.maxLength(64));

type Issues = { code: 'custom'; path: (string | number)[]; message: string; input: unknown }[];

const CreateShape = z.object({
  name: cloudName(),
  /** IPv4 or IPv6, without host bits (`10.0.0.5/24` is refused, naming `10.0.0.0/24`); normalised (`2001:DB8:0::/64` → `2001:db8::/64`). */
  cidr: z.string().check(z.minLength(3), z.maxLength(64)),
  /** Inside the cidr, not its network or broadcast address; `null`: no gateway (no router then); omitted: the first address. */
  gateway_ip: z.optional(z.nullable(address())),
  dns_nameservers: z.optional(z.array(address()).check(z.maxLength(MAX_DNS_NAMESERVERS))),
  enable_dhcp: z._default(z.boolean(), true),
  /** Create a router whose gateway is the external network (`CLOUD_EXTERNAL_NETWORK`, default `public`) and plug the subnet into it: floating IPs need it. */
  external_router: z._default(z.boolean(), false),
  description: z.optional(z.string().check(z.maxLength(255))),
  department_dn: departmentDn(),
});
type CreateShape = z.infer<typeof CreateShape>;

/** What Neutron would refuse later, named at the field that breaks it. */
function addressChecks(b: CreateShape, issues: Issues) {
  const issue = (path: (string | number)[], message: string) => issues.push({ code: 'custom', path, message, input: undefined });
  const parsed = parseCidr(b.cidr);
  if ('error' in parsed) issue(['cidr'], parsed.error);
  if (b.gateway_ip !== undefined && b.gateway_ip !== null) {
    const gw = parseIp(b.gateway_ip);
    if (!gw) issue(['gateway_ip'], `"${b.gateway_ip}" is not an IPv4 or IPv6 address`);
    else if ('cidr' in parsed) {
      const problem = gatewayProblem(parsed.cidr, gw);
      if (problem) issue(['gateway_ip'], problem);
    }
  }
  if (b.gateway_ip === null && b.external_router)
    issue(['gateway_ip'], 'a router needs the subnet to have a gateway: drop external_router or the null gateway');
  const seen = new Map<bigint, number>();
  (b.dns_nameservers ?? []).forEach((d, i) => {
    const ip = parseIp(d);
    if (!ip) return issue(['dns_nameservers', i], `"${d}" is not an IPv4 or IPv6 address`);
    const key = (BigInt(ip.version) << 128n) | ip.value;
    if (seen.has(key)) issue(['dns_nameservers', i], `the same nameserver as dns_nameservers.${seen.get(key)}`);
    else seen.set(key, i);
  });
}

export const CreateNetworkBody = CreateShape.check(z.superRefine((b, ctx) => addressChecks(b, ctx.issues as Issues)));
export type CreateNetworkBody = z.infer<typeof CreateNetworkBody>;

const SubnetView = z.object({
  id: z.nullable(z.string()),
  cidr: z.string(),
  ip_version: z.integer(),
  gateway_ip: z.nullable(z.string()),
  dns_nameservers: z.array(z.string()),
  enable_dhcp: z.boolean(),
  allocation_pools: z.optional(z.array(z.object({ start: z.string(), end: z.string() }))),
});

export const NetworkView = z.object({
  ...RecordFields,
  description: z.optional(z.string()),
  /** Neutron's status (ACTIVE, DOWN, BUILD, ERROR); BUILD while we create it, DELETED when gone from the cloud. */
  status: z.string(),
  openstack_id: z.nullable(z.string()),
  cidr: z.string(),
  subnet: SubnetView,
  /** The router to the external network, when asked for (`external_router`). */
  router: z.nullable(
    z.object({
      id: z.string(),
      status: z.optional(z.string()),
      external_network: z.nullable(z.object({ id: z.string(), name: z.nullable(z.string()) })),
      /** The router's address on the external network (its SNAT address). */
      external_gateway_ip: z.nullable(z.string()),
    }),
  ),
  /** Ports of instances, load balancers… (not the DHCP and router ports): the network cannot be deleted while any. */
  ports_in_use: z.integer(),
});
export type NetworkView = z.infer<typeof NetworkView>;

export const NETWORK_FILTERS = ['id', 'name', 'status', 'cidr', 'openstack_id', 'owner', 'department'] as const;
export const NetworkListQuery = cloudListQuery(NETWORK_FILTERS);

/** One port keeping a network in use, as listed in a 409 NETWORK_IN_USE. */
export interface PortInUse {
  port_id: string;
  device_id: string;
  device_owner: string;
  addresses: string[];
  /** Our record owning the device, when it is one of ours. */
  resource?: { kind: string; id: string };
}
