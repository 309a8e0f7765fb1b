/**
 * DHCP configuration objects on LDAP (Heracles §13), in the ISC DHCP LDAP layout dhcpd's LDAP backend reads:
 * services at the top of `ou=dhcp,<base>` (created on first use), every other object `cn=<cn>,<parent DN>`
 * under the parent the schema's containment allows (types.ts). One generic set of use cases serves the
 * eleven types; type-specific checks (subnet network vs mask, ranges inside their subnet, MAC addresses,
 * fixed addresses, overlapping subnets, duplicate MACs in a service) run on create and on update.
 */
import { diffChanges, type AttributeChange } from '../../audit/audit.js';
import { ConflictError, NotFoundError, UnprocessableError, ValidationError, type FieldIssue } from '../../core/errors.js';
import { canonicalRdns, isDnWithin, parseDn } from '../../core/dn.js';
import { and, attrFirst, attrValues, eq, escapeDnValue, type LdapChange, type LdapEntry } from '../../providers/ldap/index.js';
import { withDirectory, type IdentityDeps } from '../deps.js';
import { RequiredAttributeError } from '../errors.js';
import { searchPage } from '../vlv.js';
import { ensureOu } from '../dns/zones.js';
import { normalizeFqdn, normalizeZoneName } from '../dns/records.js';
import {
  contains,
  FIXED_ADDRESS,
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
import { DHCP_TYPE_SPECS, typeOfClasses, type DhcpType } from './types.js';

export type DhcpFields = Record<string, unknown>;
export type DhcpView = Record<string, unknown> & { dn: string; type: DhcpType; cn: string; parent: string; service: string | null };

export const dhcpBase = (d: IdentityDeps) => `ou=dhcp,${d.baseDn}`;
export const serviceDn = (d: IdentityDeps, cn: string) => `cn=${escapeDnValue(cn)},${dhcpBase(d)}`;
export const childDn = (cn: string, parentDn: string) => `cn=${escapeDnValue(cn)},${parentDn}`;

const rdnString = (rdn: ReturnType<typeof parseDn>[number]) => rdn.map((a) => `${a.type}=${escapeDnValue(a.value)}`).join('+');
const joinRdns = (rdns: ReturnType<typeof parseDn>) => rdns.map(rdnString).join(',');

export const parentOf = (dn: string): string => joinRdns(parseDn(dn).slice(1));

/** The cn of the service an object under ou=dhcp belongs to (null for anything else). */
export function serviceCnOf(d: IdentityDeps, dn: string): string | null {
  const base = parseDn(dhcpBase(d)).length;
  const rdns = parseDn(dn);
  if (rdns.length <= base || !isDnWithin(dn, dhcpBase(d), 'subtree')) return null;
  return rdns[rdns.length - base - 1]![0]!.value;
}

const serviceDnOf = (d: IdentityDeps, dn: string): string | null => {
  const cn = serviceCnOf(d, dn);
  return cn === null ? null : serviceDn(d, cn);
};

const ENTRY_ATTRS = ['objectClass', 'cn', ...new Set(Object.values(DHCP_TYPE_SPECS).flatMap((s) => s.fields.map((f) => f.attribute)))];

// ---------------------------------------------------------------------------------------------------------
// Fields ↔ attributes

/** The API fields of an entry (the secret included: views drop it). */
export function fieldsOf(type: DhcpType, entry: LdapEntry): DhcpFields {
  const out: DhcpFields = {};
  for (const f of DHCP_TYPE_SPECS[type].fields) {
    const values = attrValues(entry, f.attribute);
    if (!values.length) continue;
    if (f.kind === 'strings') out[f.key] = values;
    else if (f.kind === 'int') out[f.key] = Number(values[0]);
    else out[f.key] = values[0];
  }
  if (type === 'host' && Array.isArray(out.statements)) {
    const all = out.statements as string[];
    const fixed = all.find((s) => FIXED_ADDRESS.test(s));
    if (fixed) out.fixed_address = FIXED_ADDRESS.exec(fixed)![1];
    const rest = all.filter((s) => s !== fixed);
    if (rest.length) out.statements = rest;
    else delete out.statements;
  }
  return out;
}

/** Attribute values of the fields (every attribute of the type, [] when absent): what is written and audited. */
export function attributesOf(type: DhcpType, fields: DhcpFields): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of DHCP_TYPE_SPECS[type].fields) {
    const v = fields[f.key];
    if (v === undefined || v === null) out[f.attribute] = [];
    else if (Array.isArray(v)) out[f.attribute] = v.map(String);
    else out[f.attribute] = [String(v)];
  }
  if (type === 'host' && typeof fields.fixed_address === 'string') {
    out.dhcpStatements = [`fixed-address ${fields.fixed_address}`, ...(out.dhcpStatements ?? [])];
  }
  return out;
}

export function toView(d: IdentityDeps, type: DhcpType, entry: LdapEntry): DhcpView {
  const { secret: _secret, ...fields } = fieldsOf(type, entry);
  return {
    dn: entry.dn,
    type,
    cn: attrFirst(entry, 'cn') ?? '',
    parent: parentOf(entry.dn),
    service: serviceCnOf(d, entry.dn),
    ...fields,
  };
}

const auditState = (attrs: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(attrs).flatMap(([k, v]) => (v.length ? [[k, v.length === 1 ? v[0] : v]] : [])));

// ---------------------------------------------------------------------------------------------------------
// Validation

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

// ---------------------------------------------------------------------------------------------------------
// Reads

export class DhcpObjectNotFoundError extends NotFoundError {
  constructor(type: DhcpType, cn: string, searchBase: string) {
    super('DHCP_OBJECT_NOT_FOUND', `DHCP ${type} '${cn}' not found`, { type, cn, search_base: searchBase });
    this.name = 'DhcpObjectNotFoundError';
  }
}

/** Where a lookup or list of `type` searches: under `parent`, else the service `service`, else all of ou=dhcp. */
export function scopeOf(d: IdentityDeps, type: DhcpType, q: { parent?: string; service?: string }): string {
  if (type === 'service') return dhcpBase(d);
  if (q.parent) return q.parent;
  if (q.service) return serviceDn(d, q.service);
  return dhcpBase(d);
}

/** The entries of `type` named `cn` in the scope (several when the cn repeats under different parents). */
export async function findObjects(
  d: IdentityDeps,
  type: DhcpType,
  cn: string,
  q: { parent?: string; service?: string },
): Promise<LdapEntry[]> {
  const base = scopeOf(d, type, q);
  if (!isDnWithin(base, dhcpBase(d), 'subtree')) return [];
  try {
    return await d.ldap.search(base, {
      scope: type === 'service' || q.parent ? 'one' : 'sub',
      filter: and(eq('objectClass', DHCP_TYPE_SPECS[type].objectClass), eq('cn', cn)),
      attributes: ENTRY_ATTRS,
      sizeLimit: 50,
    });
  } catch (e) {
    if (e instanceof NotFoundError) return [];
    throw e;
  }
}

/** Exactly one entry: 404 DHCP_OBJECT_NOT_FOUND, 409 DHCP_AMBIGUOUS (details.candidates; narrow with parent). */
export function single(type: DhcpType, cn: string, base: string, found: LdapEntry[]): LdapEntry {
  if (!found.length) throw new DhcpObjectNotFoundError(type, cn, base);
  if (found.length > 1) {
    throw new ConflictError('DHCP_AMBIGUOUS', `Several DHCP ${type} objects are named '${cn}': give parent (a DN)`, {
      type,
      cn,
      field: 'parent',
      candidates: found.map((e) => e.dn),
    });
  }
  return found[0]!;
}

export async function listObjects(
  d: IdentityDeps,
  type: DhcpType,
  q: { limit: number; offset: number; parent?: string; service?: string },
): Promise<{ data: DhcpView[]; total: number }> {
  const base = scopeOf(d, type, q);
  if (!isDnWithin(base, dhcpBase(d), 'subtree')) return { data: [], total: 0 };
  try {
    const { entries, total } = await d.ldap.withServiceBind((conn) =>
      searchPage(conn, {
        base,
        scope: type === 'service' || q.parent ? 'one' : 'sub',
        filter: eq('objectClass', DHCP_TYPE_SPECS[type].objectClass),
        attributes: ENTRY_ATTRS,
        sortBy: 'cn',
        limit: q.limit,
        offset: q.offset,
      }),
    );
    return { data: entries.map((e) => toView(d, type, e)), total };
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    if (base === dhcpBase(d)) return { data: [], total: 0 };
    throw new NotFoundError('DHCP_PARENT_NOT_FOUND', `No DHCP object at ${base}`, { field: q.parent ? 'parent' : 'service', parent: base });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Placement and cross-object checks

/** The DN a new object of `type` gets (no directory read): for ACL checks before anything else. */
export function targetDn(d: IdentityDeps, type: DhcpType, body: { cn: string; parent?: string; service?: string }): string {
  if (type === 'service') return serviceDn(d, body.cn);
  const parent = body.parent ?? (body.service ? serviceDn(d, body.service) : undefined);
  return parent && canonicalRdns(parent) ? childDn(body.cn, parent) : dhcpBase(d);
}

const invalidParent = (message: string, details: Record<string, unknown>) =>
  new UnprocessableError('DHCP_INVALID_PARENT', message, { field: 'parent', ...details });

/** Resolves and checks the parent of a new object: 422 DHCP_PARENT_NOT_FOUND / DHCP_INVALID_PARENT naming `parent`. */
async function resolveParent(d: IdentityDeps, type: DhcpType, body: { parent?: string; service?: string }): Promise<string> {
  const spec = DHCP_TYPE_SPECS[type];
  if (type === 'service') return ensureOu(d, 'dhcp');
  if (body.parent && body.service) {
    throw new ValidationError([{ field: 'body.parent', code: 'conflict', message: 'give parent or service, not both' }]);
  }
  const parent = body.parent ?? (body.service ? serviceDn(d, body.service) : undefined);
  if (!parent) {
    throw new ValidationError([
      { field: 'body.parent', code: 'required', message: `a ${type} needs a parent (${spec.parents.join(', ')})` },
    ]);
  }
  if (canonicalRdns(parent) === null)
    throw new ValidationError([{ field: 'body.parent', code: 'invalid_dn', message: 'parent must be a DN' }]);
  if (!isDnWithin(parent, dhcpBase(d), 'subtree') || isDnWithin(parent, dhcpBase(d), 'base')) {
    throw invalidParent(`The parent of a ${type} is a DHCP object under ${dhcpBase(d)}`, { parent, allowed: spec.parents });
  }
  const entry = await d.ldap.get(parent, ['objectClass']);
  if (!entry) {
    throw new UnprocessableError('DHCP_PARENT_NOT_FOUND', `The parent ${parent} does not exist`, { field: 'parent', parent });
  }
  const parentType = typeOfClasses(attrValues(entry, 'objectClass'));
  if (!parentType || !spec.parents.includes(parentType)) {
    throw invalidParent(`A ${type} cannot be placed under a ${parentType ?? 'non-DHCP entry'} (allowed: ${spec.parents.join(', ')})`, {
      parent,
      parent_type: parentType ?? null,
      allowed: spec.parents,
    });
  }
  return entry.dn;
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
async function checkPlacement(d: IdentityDeps, type: DhcpType, cn: string, dn: string, parent: string, f: DhcpFields): Promise<void> {
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

// ---------------------------------------------------------------------------------------------------------
// Mutations

const FIELD_KEYS = new Set(['parent', 'service', 'cn']);
const bodyFields = (body: Record<string, unknown>): DhcpFields =>
  Object.fromEntries(Object.entries(body).filter(([k, v]) => !FIELD_KEYS.has(k) && v !== undefined));

export async function createObject(
  d: IdentityDeps,
  type: DhcpType,
  body: Record<string, unknown> & { cn: string; parent?: string; service?: string },
): Promise<{ object: DhcpView; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const fields = normalizeFields(type, body.cn, bodyFields(body));
    const parent = await resolveParent(d, type, body);
    const dn = childDn(body.cn, parent);
    await checkPlacement(d, type, body.cn, dn, parent, fields);
    const attrs = attributesOf(type, fields);
    const toWrite = Object.fromEntries(Object.entries(attrs).filter(([, v]) => v.length));
    try {
      await d.ldap.add(dn, { objectClass: [DHCP_TYPE_SPECS[type].objectClass], cn: body.cn, ...toWrite });
    } catch (e) {
      if (e instanceof ConflictError && e.code === 'LDAP_ENTRY_ALREADY_EXISTS') {
        throw new ConflictError('DHCP_OBJECT_EXISTS', `A DHCP object '${body.cn}' already exists under ${parent}`, {
          type,
          cn: body.cn,
          dn,
        });
      }
      throw e;
    }
    const entry = await d.ldap.get(dn, ENTRY_ATTRS);
    return {
      object: toView(d, type, entry!),
      changes: diffChanges(undefined, { objectClass: DHCP_TYPE_SPECS[type].objectClass, cn: body.cn, ...auditState(attrs) }),
    };
  });
}

/** Changes the given fields (null removes an optional one; 422 ATTRIBUTE_REQUIRED for a required one). */
export async function updateObject(
  d: IdentityDeps,
  type: DhcpType,
  entry: LdapEntry,
  body: Record<string, unknown>,
): Promise<{ object: DhcpView; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const spec = DHCP_TYPE_SPECS[type];
    const current = fieldsOf(type, entry);
    const merged: DhcpFields = { ...current };
    for (const [k, v] of Object.entries(bodyFields(body))) {
      if (v === null) {
        if (spec.fields.some((f) => f.key === k && f.required)) {
          throw new RequiredAttributeError(k);
        }
        delete merged[k];
      } else merged[k] = v;
    }
    const cn = attrFirst(entry, 'cn') ?? '';
    const fields = normalizeFields(type, cn, merged);
    const parent = parentOf(entry.dn);
    await checkPlacement(d, type, cn, entry.dn, parent, fields);
    const before = attributesOf(type, current);
    const after = attributesOf(type, fields);
    const mods: LdapChange[] = [];
    for (const attribute of Object.keys(after)) {
      const o = before[attribute] ?? [];
      const n = after[attribute]!;
      if (JSON.stringify(o) === JSON.stringify(n)) continue;
      mods.push({ operation: 'replace', attribute, values: n });
    }
    if (mods.length) await d.ldap.modify(entry.dn, mods);
    const fresh = await d.ldap.get(entry.dn, ENTRY_ATTRS);
    return { object: toView(d, type, fresh ?? entry), changes: diffChanges(auditState(before), auditState(after)) };
  });
}

/** Deletes an object: 409 DHCP_HAS_CHILDREN while it holds objects, unless `recursive` (then with them). */
export async function deleteObject(
  d: IdentityDeps,
  type: DhcpType,
  entry: LdapEntry,
  recursive: boolean,
): Promise<{ dn: string; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const subtree = await d.ldap.search(entry.dn, { scope: 'sub', attributes: ['1.1'] });
    const children = subtree.filter((e) => canonicalRdns(e.dn)?.join(',') !== canonicalRdns(entry.dn)?.join(','));
    if (children.length && !recursive) {
      throw new ConflictError(
        'DHCP_HAS_CHILDREN',
        `The DHCP ${type} '${attrFirst(entry, 'cn')}' holds ${children.length} object(s); use recursive=true`,
        {
          type,
          dn: entry.dn,
          children: children.length,
        },
      );
    }
    const depth = (dn: string) => canonicalRdns(dn)?.length ?? 0;
    for (const c of children.sort((a, b) => depth(b.dn) - depth(a.dn))) await d.ldap.del(c.dn);
    await d.ldap.del(entry.dn);
    const before = {
      objectClass: DHCP_TYPE_SPECS[type].objectClass,
      cn: attrFirst(entry, 'cn'),
      ...auditState(attributesOf(type, fieldsOf(type, entry))),
    };
    const changes = diffChanges(before, undefined);
    if (children.length) changes.push({ attribute: 'children', old: children.map((c) => c.dn), new: null });
    return { dn: entry.dn, changes };
  });
}
