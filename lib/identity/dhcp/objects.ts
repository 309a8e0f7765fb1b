/**
 * DHCP configuration objects on LDAP (Heracles §13), in the ISC DHCP LDAP layout dhcpd's LDAP backend reads:
 * services at the top of `ou=dhcp,<base>` (created on first use), every other object `cn=<cn>,<parent DN>`
 * under the parent the schema's containment allows (types.ts). One generic set of use cases serves the
 * eleven types; type-specific checks (subnet network vs mask, ranges inside their subnet, MAC addresses,
 * fixed addresses, overlapping subnets, duplicate MACs in a service) run on create and on update.
 */
import { diffChanges, type AttributeChange } from '../../audit/audit.js';
import { ConflictError } from '../../core/errors.js';
import { canonicalRdns } from '../../core/dn.js';
import { attrFirst, type LdapChange, type LdapEntry } from '../../providers/ldap/index.js';
import { withDirectory, type IdentityDeps } from '../deps.js';
import { addEntry } from '../directory-writes.js';
import { RequiredAttributeError } from '../errors.js';
import { attributesOf, auditState, childDn, ENTRY_ATTRS, fieldsOf, parentOf, toView, type DhcpFields, type DhcpView } from './layout.js';
import { resolveParent } from './lookup.js';
import { checkPlacement, normalizeFields } from './validation.js';
import { DHCP_TYPE_SPECS, type DhcpType } from './types.js';

export {
  attributesOf,
  childDn,
  dhcpBase,
  fieldsOf,
  parentOf,
  serviceCnOf,
  serviceDn,
  toView,
  type DhcpFields,
  type DhcpView,
} from './layout.js';
export { DhcpObjectNotFoundError, findObjects, listObjects, scopeOf, single, targetDn } from './lookup.js';
export { normalizeFields } from './validation.js';

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
    await addEntry(
      d,
      dn,
      { objectClass: [DHCP_TYPE_SPECS[type].objectClass], cn: body.cn, ...toWrite },
      () => new ConflictError('DHCP_OBJECT_EXISTS', `A DHCP object '${body.cn}' already exists under ${parent}`, { type, cn: body.cn, dn }),
    );
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
