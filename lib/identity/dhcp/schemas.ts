import * as z from '../../http/zod.js';
import { PageQuery } from '../../http/pagination.js';
import { DHCP_PLURALS, DHCP_TYPES, type DhcpType } from './types.js';

/**
 * One dhcpStatements / dhcpOption value: printable ASCII (the attributes are IA5), one statement without
 * braces or line breaks (a `}` would close the enclosing block of dhcpd's generated configuration).
 */
const statement = () =>
  z.string().check(z.minLength(1), z.maxLength(1024), z.regex(/^[\x20-\x7a\x7c\x7e]+$/, 'printable ASCII, without { } or line breaks'));
const statements = () => z.array(statement()).check(z.maxLength(200));
const cn = () => z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,63}$/, 'cn must match ^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,63}$'));
const dn = () => z.text(3, 1024);
const serviceCn = () => cn();
const port = () => z.integer().check(z.gte(1), z.lte(65535));
const seconds = () => z.integer().check(z.gte(0), z.lte(2_147_483_647));
const oneOrMany = <T extends z.Schema>(s: T) => z.union([s, z.array(s).check(z.minLength(1), z.maxLength(64))]);
const range = () => oneOrMany(z.text(1, 64));

const config = {
  statements: z.optional(statements()),
  options: z.optional(statements()),
  comments: z.optional(z.text(1, 1024)),
};
/** Where the object goes: `parent` (a DN under ou=dhcp) or, for objects that may sit in a service, `service` (its cn). */
const placement = { parent: z.optional(dn()), service: z.optional(serviceCn()) };

export const CREATE_BODIES = {
  service: z.object({ cn: cn(), ...config, primary_dn: z.optional(dn()) }),
  shared_network: z.object({ cn: cn(), ...placement, ...config }),
  subnet: z.object({
    cn: z.string().check(z.regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'cn must be the IPv4 network address')),
    netmask: z.integer().check(z.gte(1), z.lte(32)),
    ...placement,
    range: z.optional(range()),
    ...config,
  }),
  pool: z.object({ cn: cn(), ...placement, range: range(), permit_list: z.optional(statements()), ...config }),
  host: z.object({ cn: cn(), ...placement, hwaddress: z.text(1, 64), fixed_address: z.optional(z.text(1, 253)), ...config }),
  group: z.object({ cn: cn(), ...placement, ...config }),
  class: z.object({ cn: cn(), ...placement, ...config }),
  subclass: z.object({ cn: cn(), parent: dn(), class_data: z.optional(z.text(1, 1024)), ...config }),
  tsig_key: z.object({
    cn: cn(),
    ...placement,
    algorithm: z.enum(['hmac-md5', 'hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512']),
    secret: z.string().check(z.regex(/^[A-Za-z0-9+/]{4,1024}={0,2}$/, 'secret must be base64')),
    comments: z.optional(z.text(1, 1024)),
  }),
  dns_zone: z.object({
    cn: z.text(1, 253),
    ...placement,
    dns_server: z.text(1, 253),
    key_dn: z.optional(dn()),
    comments: z.optional(z.text(1, 1024)),
  }),
  failover_peer: z.object({
    cn: cn(),
    ...placement,
    primary_server: z.text(1, 253),
    secondary_server: z.text(1, 253),
    primary_port: port(),
    secondary_port: port(),
    response_delay: z.optional(seconds()),
    unacked_updates: z.optional(seconds()),
    max_client_lead_time: z.optional(seconds()),
    split: z.optional(z.integer().check(z.gte(0), z.lte(256))),
    load_balance_time: z.optional(seconds()),
    comments: z.optional(z.text(1, 1024)),
  }),
} satisfies Record<DhcpType, z.Schema>;

export type CreateBody = Record<string, unknown> & { cn: string; parent?: string; service?: string };

const readOnly = (field: string) => z.optional(z.unknown().check(z.refine(() => false, `${field} is read-only after creation`)));

/** The update body of a type: its create fields, each optional and nullable (null removes), cn/parent read-only. */
function updateBody(type: DhcpType) {
  const shape = CREATE_BODIES[type].shape as Record<string, z.Schema>;
  const out: Record<string, z.Schema> = { cn: readOnly('cn'), parent: readOnly('parent'), service: readOnly('service') };
  for (const [k, s] of Object.entries(shape)) {
    if (k in out) continue;
    const inner = (s as { _zod: { def: { type: string; innerType?: z.Schema } } })._zod.def;
    out[k] = z.optional(z.nullable(inner.type === 'optional' ? inner.innerType! : s));
  }
  return z.object(out);
}

export const UPDATE_BODIES = Object.fromEntries(DHCP_TYPES.map((t) => [t, updateBody(t)])) as unknown as Record<DhcpType, z.Schema>;

export const DhcpTypeParams = z.object({ type: z.enum(DHCP_PLURALS) });
export const DhcpObjectParams = z.object({ type: z.enum(DHCP_PLURALS), cn: z.text(1, 253) });

export const DhcpListQuery = z.extend(PageQuery, {
  service: z.optional(serviceCn()),
  parent: z.optional(dn()),
});

export const DhcpLookupQuery = z.object({ parent: z.optional(dn()), service: z.optional(serviceCn()) });

export const DhcpDeleteQuery = z.extend(DhcpLookupQuery, {
  recursive: z._default(
    z.pipe(
      z.enum(['true', 'false']),
      z.transform((v: 'true' | 'false') => v === 'true'),
    ),
    false,
  ),
});

/** Any object body (the generic routes validate it against the type's own schema, naming body.<field>). */
export const AnyDhcpBody = z.record(z.string(), z.unknown());

export const DhcpObjectView = z.looseObject({
  dn: z.string(),
  type: z.enum(DHCP_TYPES),
  cn: z.string(),
  parent: z.string(),
  service: z.nullable(z.string()),
});
