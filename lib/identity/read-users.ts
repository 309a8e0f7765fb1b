import { BadRequestError } from '../core/errors.js';
import type { FilterClause } from '../http/filter.js';
import { and, eq, type LdapEntry } from '../providers/ldap/index.js';
import type { IdentityDeps } from './deps.js';
import { UserNotFoundError } from './errors.js';
import { clausesToLdap } from './list-filter.js';
import { USER_READ_ATTRIBUTES, USER_VIEW_FIELDS, selectFields, toUserView, userDn, type UserView } from './user-mapper.js';
import { searchPage } from './vlv.js';

const PERSON = eq('objectClass', 'inetOrgPerson');

/** The user entry with this uid under ou=people (any depth), or null. */
export async function findUser(d: IdentityDeps, uid: string): Promise<LdapEntry | null> {
  const [entry] = await d.ldap.search(d.peopleDn, {
    scope: 'sub',
    filter: and(PERSON, eq('uid', uid)),
    attributes: USER_READ_ATTRIBUTES,
    sizeLimit: 1,
  });
  return entry ?? null;
}

/** The DN the ACL checks for `uid`: the entry's when it exists, else where it would be created. */
export const targetDn = (d: IdentityDeps, uid: string, entry: LdapEntry | null) => entry?.dn ?? userDn(uid, d.peopleDn);

export async function requireUser(d: IdentityDeps, uid: string): Promise<LdapEntry> {
  const entry = await findUser(d, uid);
  if (!entry) throw new UserNotFoundError(uid, d.peopleDn);
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
}

/** One page sorted by uid, cut by the directory (SSS + VLV), with the total. */
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
  const { entries, total } = await d.ldap.withServiceBind((conn) =>
    searchPage(conn, {
      base: d.peopleDn,
      scope: 'sub',
      filter,
      attributes: USER_READ_ATTRIBUTES,
      sortBy: 'uid',
      limit: q.limit,
      offset: q.offset,
    }),
  );
  // The sudo tab needs one search per user: it is on the single-user read only.
  const data = entries.map((e) => {
    const { tabs: _tabs, ...view } = toUserView(e);
    return selectFields(view as UserView, q.attributes);
  });
  return { data, total };
}
