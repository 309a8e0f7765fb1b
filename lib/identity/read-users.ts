import { BadRequestError } from '../core/errors.js';
import type { FilterClause } from '../http/filter.js';
import { and, eq, type LdapEntry } from '../providers/ldap/index.js';
import type { IdentityDeps } from './deps.js';
import { listScope } from './departments/containers.js';
import { UserAmbiguousError, UserNotFoundError } from './errors.js';
import { clausesToLdap } from './list-filter.js';
import { USER_READ_ATTRIBUTES, USER_VIEW_FIELDS, selectFields, toUserView, userDn, type UserView } from './user-mapper.js';
import { listPage } from './vlv.js';

const PERSON = eq('objectClass', 'inetOrgPerson');

/**
 * The user entry with this uid anywhere below the base (the base's people and every department's), or null;
 * 409 USER_AMBIGUOUS when several entries carry it (the API keeps uids unique; other tools may not).
 */
export async function findUser(d: IdentityDeps, uid: string, attributes: string[] = USER_READ_ATTRIBUTES): Promise<LdapEntry | null> {
  const found = await d.ldap.search(d.baseDn, { scope: 'sub', filter: and(PERSON, eq('uid', uid)), attributes, sizeLimit: 2 });
  const dns = found.map((e) => e.dn);
  if (dns.length > 1) throw new UserAmbiguousError(uid, dns);
  return found[0] ?? null;
}

/**
 * `findUser` for the ACL check that comes before anything else: an ambiguous uid reads as "not found" here
 * (the check then falls on where the user would be created), so the 409 naming the DNs is only given to a
 * caller the ACL let through.
 */
export async function locateUser(d: IdentityDeps, uid: string, attributes?: string[]): Promise<LdapEntry | null> {
  try {
    return await findUser(d, uid, attributes);
  } catch (e) {
    if (e instanceof UserAmbiguousError) return null;
    throw e;
  }
}

/** The DN the ACL checks for `uid`: the entry's when it exists, else where it would be created. */
export const targetDn = (d: IdentityDeps, uid: string, entry: LdapEntry | null) => entry?.dn ?? userDn(uid, d.peopleDn);

export async function requireUser(d: IdentityDeps, uid: string, attributes?: string[]): Promise<LdapEntry> {
  const entry = await findUser(d, uid, attributes);
  if (!entry) throw new UserNotFoundError(uid, d.baseDn);
  return entry;
}

/** The full view, with the sudo tab (a sudoRole naming the user). */
export async function userView(d: IdentityDeps, entry: LdapEntry): Promise<UserView> {
  const uid = toUserView(entry).uid;
  const sudo = await d.ldap
    .search(d.baseDn, { scope: 'sub', filter: and(eq('objectClass', 'sudoRole'), eq('sudoUser', uid)), attributes: ['1.1'], sizeLimit: 1 })
    .then((r) => r.length > 0);
  return toUserView(entry, { sudo });
}

export interface ListUsersQuery {
  limit: number;
  offset: number;
  filter: FilterClause[];
  attributes?: string[];
  /** Only the users of this department (and its sub-departments). */
  department_dn?: string;
}

/** One page of the users below the base (or a department), sorted by uid, cut by the directory (SSS + VLV), with the total. */
export async function listUsers(d: IdentityDeps, q: ListUsersQuery): Promise<{ data: UserView[]; total: number }> {
  const unknown = (q.attributes ?? []).filter((a) => !USER_VIEW_FIELDS.includes(a) && a !== 'dn' && a !== 'uid');
  if (unknown.length) {
    throw new BadRequestError('INVALID_ATTRIBUTES', `Unknown attribute(s): ${unknown.join(', ')}`, {
      field: 'query.attributes',
      attributes: unknown,
      allowed: USER_VIEW_FIELDS,
    });
  }
  const filter = clausesToLdap(PERSON, q.filter);
  const base = await listScope(d, q.department_dn, 'query.department_dn');
  const { entries, total } = await listPage(d.ldap, {
    base,
    scope: 'sub',
    filter,
    attributes: USER_READ_ATTRIBUTES,
    sortBy: 'uid',
    limit: q.limit,
    offset: q.offset,
  });
  // The sudo tab needs one search per user: it is on the single-user read only.
  const data = entries.map((e) => {
    const { tabs: _tabs, ...view } = toUserView(e);
    return selectFields(view as UserView, q.attributes);
  });
  return { data, total };
}
