/**
 * Systems (Heracles §5): entries under `ou=systems,<base>` (created on the first system, idempotent), one
 * STRUCTURAL class per type (`hrcServer`, … from local/slapd/schema/40-systems.ldif, derived from `device`)
 * + nis.schema's AUXILIARY `ipHost` (only while the system has an address: it requires one) and
 * `ieee802Device` (only while it has a MAC address). cn is unique across types (a host name).
 *
 * The type is immutable: it is the structural class, which slapd does not let a modify change; moving
 * between classes would need delete + add (new entryUUID, lost timestamps, a window where the host is gone).
 */
import { diffChanges, type AttributeChange } from '../../audit/audit.js';
import type { FilterClause } from '../../http/filter.js';
import {
  attrFirst,
  attrValues,
  eq,
  escapeDnValue,
  or,
  type LdapAttributes,
  type LdapChange,
  type LdapEntry,
} from '../../providers/ldap/index.js';
import { withDirectory, type IdentityDeps } from '../deps.js';
import { addEntry, ensureContainer, fieldChange } from '../directory-writes.js';
import { assertSubstringFilters, clausesToLdap } from '../list-filter.js';
import { listPage } from '../vlv.js';
import { SystemExistsError, SystemNotFoundError, SystemTypeImmutableError } from './errors.js';
import { SYSTEM_SUBSTRING_ATTRIBUTES, type CreateSystemBody, type SystemView, type UpdateSystemBody } from './schemas.js';
import { normalizeIp, normalizeMac, SYSTEM_CLASSES, SYSTEM_TYPES, systemTypeOf, type SystemType } from './syntax.js';

const IP_HOST = 'ipHost';
const IEEE802 = 'ieee802Device';
const SYSTEM_ATTRIBUTES = ['objectClass', 'cn', 'description', 'ipHostNumber', 'macAddress', 'l', 'serialNumber', 'owner'];
const ANY_SYSTEM = or(...SYSTEM_TYPES.map((t) => eq('objectClass', SYSTEM_CLASSES[t])));

export const systemsDn = (d: IdentityDeps) => `ou=systems,${d.baseDn}`;
export const systemDn = (d: IdentityDeps, cn: string) => `cn=${escapeDnValue(cn)},${systemsDn(d)}`;

const hasClass = (entry: LdapEntry, cls: string) => attrValues(entry, 'objectClass').some((c) => c.toLowerCase() === cls.toLowerCase());

export function toSystemView(entry: LdapEntry): SystemView {
  const objectClass = attrValues(entry, 'objectClass');
  const view: SystemView = {
    dn: entry.dn,
    cn: attrFirst(entry, 'cn') ?? '',
    type: systemTypeOf(objectClass) ?? 'server',
    objectClass,
  };
  for (const a of ['description', 'ipHostNumber', 'macAddress', 'l', 'serialNumber', 'owner'] as const) {
    const v = attrFirst(entry, a);
    if (v !== undefined) view[a] = v;
  }
  return view;
}

export async function findSystem(d: IdentityDeps, cn: string): Promise<LdapEntry | null> {
  const entry = await d.ldap.get(systemDn(d, cn), SYSTEM_ATTRIBUTES);
  return entry && systemTypeOf(attrValues(entry, 'objectClass')) ? entry : null;
}

export async function requireSystem(d: IdentityDeps, cn: string): Promise<LdapEntry> {
  const entry = await findSystem(d, cn);
  if (!entry) throw new SystemNotFoundError(cn, systemsDn(d));
  return entry;
}

/**
 * Substring operators only where the schema has a SUBSTR rule; eq values of ipHostNumber / macAddress are
 * normalised like the stored ones (`00-11-22-33-44-55` finds `00:11:22:33:44:55`).
 */
function prepareFilter(clauses: FilterClause[]): FilterClause[] {
  assertSubstringFilters(clauses, SYSTEM_SUBSTRING_ATTRIBUTES);
  return clauses.map((c) => {
    if (c.op !== 'eq') return c;
    const norm = c.attr === 'ipHostNumber' ? normalizeIp(c.value) : c.attr === 'macAddress' ? normalizeMac(c.value) : null;
    return norm ? { ...c, value: norm } : c;
  });
}

/** One page sorted by cn, cut by the directory (SSS + VLV), with the total; no container yet = no systems. */
export async function listSystems(
  d: IdentityDeps,
  q: { limit: number; offset: number; type?: string; filter: FilterClause[] },
): Promise<{ data: SystemView[]; total: number }> {
  const base = q.type ? eq('objectClass', SYSTEM_CLASSES[q.type as SystemType]) : ANY_SYSTEM;
  const filter = clausesToLdap(base, prepareFilter(q.filter));
  const { entries, total } = await listPage(
    d.ldap,
    { base: systemsDn(d), scope: 'one', filter, attributes: SYSTEM_ATTRIBUTES, sortBy: 'cn', limit: q.limit, offset: q.offset },
    { emptyWhenNoBase: true },
  );
  return { data: entries.map(toSystemView), total };
}

const auditState = (v: SystemView | undefined) => {
  if (!v) return undefined;
  const { dn: _dn, ...rest } = v;
  return rest;
};

export async function createSystem(d: IdentityDeps, body: CreateSystemBody): Promise<{ system: SystemView; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const dn = systemDn(d, body.cn);
    if (await d.ldap.get(dn, ['cn'])) throw new SystemExistsError(body.cn, dn);
    await ensureContainer(d, 'systems');
    const objectClass: string[] = [SYSTEM_CLASSES[body.type as SystemType]];
    const attrs: LdapAttributes = { objectClass, cn: body.cn };
    if (body.ipHostNumber !== undefined) {
      objectClass.push(IP_HOST);
      attrs.ipHostNumber = body.ipHostNumber;
    }
    if (body.macAddress !== undefined) {
      objectClass.push(IEEE802);
      attrs.macAddress = body.macAddress;
    }
    for (const a of ['description', 'l', 'serialNumber', 'owner'] as const) if (body[a] !== undefined) attrs[a] = body[a];
    await addEntry(d, dn, attrs, () => new SystemExistsError(body.cn, dn));
    const system = toSystemView(await requireSystem(d, body.cn));
    return { system, changes: diffChanges(undefined, auditState(system)) };
  });
}

/** Changes the given fields; `null` removes one (an address takes its auxiliary class with it). */
export async function updateSystem(
  d: IdentityDeps,
  cn: string,
  body: UpdateSystemBody,
): Promise<{ system: SystemView; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const entry = await requireSystem(d, cn);
    const before = toSystemView(entry);
    if (body.type !== undefined && body.type !== before.type) throw new SystemTypeImmutableError(before.cn, before.type, body.type);
    const mods: LdapChange[] = [];
    const present = (a: string) => attrValues(entry, a).length > 0;
    /** An attribute that comes with an auxiliary class: both are added together and removed together. */
    const withClass = (attribute: string, cls: string, value: string | null | undefined) => {
      if (value === undefined) return;
      if (value === null) {
        if (present(attribute)) mods.push({ operation: 'delete', attribute });
        if (hasClass(entry, cls)) mods.push({ operation: 'delete', attribute: 'objectClass', values: [cls] });
        return;
      }
      if (!hasClass(entry, cls)) mods.push({ operation: 'add', attribute: 'objectClass', values: [cls] });
      mods.push({ operation: 'replace', attribute, values: [value] });
    };
    withClass('ipHostNumber', IP_HOST, body.ipHostNumber);
    withClass('macAddress', IEEE802, body.macAddress);
    for (const a of ['description', 'l', 'serialNumber', 'owner'] as const) {
      const change = fieldChange(a, body[a], present(a));
      if (change) mods.push(change);
    }
    if (mods.length) await d.ldap.modify(entry.dn, mods);
    const system = toSystemView(await requireSystem(d, cn));
    return { system, changes: diffChanges(auditState(before), auditState(system)) };
  });
}

export async function deleteSystem(d: IdentityDeps, cn: string): Promise<{ dn: string; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const entry = await requireSystem(d, cn);
    await d.ldap.del(entry.dn);
    return { dn: entry.dn, changes: diffChanges(auditState(toSystemView(entry)), undefined) };
  });
}
