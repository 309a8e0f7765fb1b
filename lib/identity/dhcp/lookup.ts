/**
 * Finding DHCP objects (by type and cn in a scope, one page of a type) and placing new ones: the DN a new
 * object gets and the resolution and containment check of its parent.
 */
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../../core/errors.js';
import { canonicalRdns, isDnWithin } from '../../core/dn.js';
import { and, attrValues, eq, type LdapEntry } from '../../providers/ldap/index.js';
import type { IdentityDeps } from '../deps.js';
import { listPage } from '../vlv.js';
import { ensureContainer } from '../directory-writes.js';
import { childDn, dhcpBase, ENTRY_ATTRS, serviceDn, toView, type DhcpView } from './layout.js';
import { DHCP_TYPE_SPECS, typeOfClasses, type DhcpType } from './types.js';

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
    const { entries, total } = await listPage(d.ldap, {
      base,
      scope: type === 'service' || q.parent ? 'one' : 'sub',
      filter: eq('objectClass', DHCP_TYPE_SPECS[type].objectClass),
      attributes: ENTRY_ATTRS,
      sortBy: 'cn',
      limit: q.limit,
      offset: q.offset,
    });
    return { data: entries.map((e) => toView(d, type, e)), total };
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    if (base === dhcpBase(d)) return { data: [], total: 0 };
    throw new NotFoundError('DHCP_PARENT_NOT_FOUND', `No DHCP object at ${base}`, { field: q.parent ? 'parent' : 'service', parent: base });
  }
}

/** The DN a new object of `type` gets (no directory read): for ACL checks before anything else. */
export function targetDn(d: IdentityDeps, type: DhcpType, body: { cn: string; parent?: string; service?: string }): string {
  if (type === 'service') return serviceDn(d, body.cn);
  const parent = body.parent ?? (body.service ? serviceDn(d, body.service) : undefined);
  return parent && canonicalRdns(parent) ? childDn(body.cn, parent) : dhcpBase(d);
}

const invalidParent = (message: string, details: Record<string, unknown>) =>
  new UnprocessableError('DHCP_INVALID_PARENT', message, { field: 'parent', ...details });

/** Resolves and checks the parent of a new object: 422 DHCP_PARENT_NOT_FOUND / DHCP_INVALID_PARENT naming `parent`. */
export async function resolveParent(d: IdentityDeps, type: DhcpType, body: { parent?: string; service?: string }): Promise<string> {
  const spec = DHCP_TYPE_SPECS[type];
  if (type === 'service') return ensureContainer(d, 'dhcp');
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
