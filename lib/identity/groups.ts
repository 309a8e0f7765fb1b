import { diffChanges, type AttributeChange } from '../audit/audit.js';
import type { FilterClause } from '../http/filter.js';
import {
  and,
  attrFirst,
  attrValues,
  eq,
  escapeDnValue,
  or,
  type LdapAttributes,
  type LdapChange,
  type LdapEntry,
} from '../providers/ldap/index.js';
import { withDirectory, type IdentityDeps } from './deps.js';
import { departmentContainer, listScope } from './departments/containers.js';
import { addEntry, fieldChange } from './directory-writes.js';
import { GroupAmbiguousError, GroupExistsError, GroupNotFoundError, RequiredAttributeError } from './errors.js';
import { membershipChanges, POSIX_GROUP_CLASS, realMembers, resolveMembers } from './group-members.js';
import { clausesToLdap } from './list-filter.js';
import { allocateNumber } from './numbers.js';
import { assertPosixFieldsAllowed, POSIX_GROUP_FIELDS } from './posix-plugin.js';
import type { CreateGroupBody, UpdateGroupBody } from './schemas.js';
import { listPage } from './vlv.js';

const GROUP = or(eq('objectClass', 'groupOfNames'), eq('objectClass', 'posixGroup'));
const GROUP_ATTRIBUTES = ['objectClass', 'cn', 'description', 'gidNumber', 'member', 'memberUid'];

export const groupDn = (cn: string, groupsDn: string) => `cn=${escapeDnValue(cn)},${groupsDn}`;

export type GroupView = Record<string, unknown> & { dn: string; cn: string };

export function toGroupView(entry: LdapEntry): GroupView {
  const view: GroupView = { dn: entry.dn, cn: attrFirst(entry, 'cn') ?? '', objectClass: attrValues(entry, 'objectClass') };
  const description = attrFirst(entry, 'description');
  if (description !== undefined) view.description = description;
  const gid = attrFirst(entry, 'gidNumber');
  if (gid !== undefined) view.gidNumber = Number(gid);
  const members = realMembers(entry);
  view.memberCount = members.length || attrValues(entry, 'memberUid').length;
  return view;
}

/**
 * The group with this cn anywhere below the base (the base's groups and every department's), or null; 409
 * GROUP_AMBIGUOUS when several groups carry it (the API keeps group names unique; other tools may not).
 */
export async function findGroup(d: IdentityDeps, cn: string): Promise<LdapEntry | null> {
  const found = await d.ldap.search(d.baseDn, {
    scope: 'sub',
    filter: and(GROUP, eq('cn', cn)),
    attributes: GROUP_ATTRIBUTES,
    sizeLimit: 2,
  });
  const dns = found.map((e) => e.dn);
  if (dns.length > 1) throw new GroupAmbiguousError(cn, dns);
  return found[0] ?? null;
}

/** `findGroup` for the ACL check that comes first: ambiguous reads as not found (the 409 comes after the check). */
export async function locateGroup(d: IdentityDeps, cn: string): Promise<LdapEntry | null> {
  try {
    return await findGroup(d, cn);
  } catch (e) {
    if (e instanceof GroupAmbiguousError) return null;
    throw e;
  }
}

/** The DN the ACL checks for the group `cn`: the entry's when it exists, else where it would be created. */
export const groupTargetDn = (d: IdentityDeps, cn: string, entry: LdapEntry | null) => entry?.dn ?? groupDn(cn, d.groupsDn);

export async function requireGroup(d: IdentityDeps, cn: string): Promise<LdapEntry> {
  const g = await findGroup(d, cn);
  if (!g) throw new GroupNotFoundError(cn, d.baseDn);
  return g;
}

/** One page of the groups below the base (or a department), sorted by cn, cut by the directory (SSS + VLV), with the total. */
export async function listGroups(
  d: IdentityDeps,
  q: { limit: number; offset: number; filter: FilterClause[]; department_dn?: string },
): Promise<{ data: GroupView[]; total: number }> {
  const filter = clausesToLdap(GROUP, q.filter);
  const { entries, total } = await listPage(d.ldap, {
    base: await listScope(d, q.department_dn, 'query.department_dn'),
    scope: 'sub',
    filter,
    attributes: GROUP_ATTRIBUTES,
    sortBy: 'cn',
    limit: q.limit,
    offset: q.offset,
  });
  return { data: entries.map(toGroupView), total };
}

/** The group with its members as `{uid, cn, dn}` (one search per 100 members, by entryDN, on one connection). */
export async function groupDetail(d: IdentityDeps, entry: LdapEntry): Promise<GroupView> {
  const { memberCount: _c, ...view } = toGroupView(entry);
  const dns = realMembers(entry);
  const members = dns.length ? await withDirectory(d, (d) => memberViews(d, dns)) : [];
  // posixGroup-only groups list their members by uid.
  if (!dns.length) for (const uid of attrValues(entry, 'memberUid')) members.push({ dn: '', uid });
  return { ...view, members };
}

async function memberViews(d: IdentityDeps, dns: string[]): Promise<{ dn: string; uid?: string; cn?: string }[]> {
  const members: { dn: string; uid?: string; cn?: string }[] = [];
  for (let i = 0; i < dns.length; i += 100) {
    const chunk = dns.slice(i, i + 100);
    const found = await d.ldap.search(d.baseDn, {
      scope: 'sub',
      filter: or(...chunk.map((m) => eq('entryDN', m))),
      attributes: ['uid', 'cn'],
    });
    for (const m of chunk) {
      const e = found.find((f) => f.dn.toLowerCase() === m.toLowerCase());
      members.push({
        dn: m,
        ...(e && attrFirst(e, 'uid') ? { uid: attrFirst(e, 'uid') } : {}),
        ...(e && attrFirst(e, 'cn') ? { cn: attrFirst(e, 'cn') } : {}),
      });
    }
  }
  return members;
}

const auditState = (v: GroupView | undefined) => {
  if (!v) return undefined;
  const { dn: _d, memberCount: _c, members, ...rest } = v;
  return { ...rest, members: (members as { dn: string }[] | undefined)?.map((m) => m.dn) ?? [] };
};

export async function createGroup(d: IdentityDeps, body: CreateGroupBody): Promise<{ group: GroupView; changes: AttributeChange[] }> {
  await assertPosixFieldsAllowed(d.db, body, POSIX_GROUP_FIELDS);
  return withDirectory(d, (d) => createGroupOn(d, body));
}

async function createGroupOn(d: IdentityDeps, body: CreateGroupBody): Promise<{ group: GroupView; changes: AttributeChange[] }> {
  const dn = groupDn(body.cn, await departmentContainer(d, 'groups', body.department_dn));
  const existing = await findGroup(d, body.cn);
  if (existing) throw new GroupExistsError(body.cn, existing.dn);
  const members = await resolveMembers(d, body.members ?? []);
  const posix = body.gidNumber !== undefined;
  const attrs: LdapAttributes = {
    objectClass: posix ? ['groupOfNames', POSIX_GROUP_CLASS] : ['groupOfNames'],
    cn: body.cn,
    member: members.length ? members.map((m) => m.dn) : [dn],
  };
  if (body.description) attrs.description = body.description;
  if (posix) {
    attrs.gidNumber = String(body.gidNumber ?? (await allocateNumber(d, 'gidNumber')));
    const uids = members.map((m) => m.uid).filter((u): u is string => !!u);
    if (uids.length) attrs.memberUid = uids;
  }
  await addEntry(d, dn, attrs, () => new GroupExistsError(body.cn, dn));
  const group = await groupDetail(d, await requireGroup(d, body.cn));
  return { group, changes: diffChanges(undefined, auditState(group)) };
}

/** Changes the given fields; `members` replaces the whole list; `null` removes description. */
export async function updateGroup(
  d: IdentityDeps,
  cn: string,
  body: UpdateGroupBody,
): Promise<{ group: GroupView; changes: AttributeChange[] }> {
  await assertPosixFieldsAllowed(d.db, body, POSIX_GROUP_FIELDS);
  return withDirectory(d, (d) => updateGroupOn(d, cn, body));
}

async function updateGroupOn(
  d: IdentityDeps,
  cn: string,
  body: UpdateGroupBody,
): Promise<{ group: GroupView; changes: AttributeChange[] }> {
  const entry = await requireGroup(d, cn);
  const before = await groupDetail(d, entry);
  const posix = attrValues(entry, 'objectClass').some((c) => c.toLowerCase() === POSIX_GROUP_CLASS.toLowerCase());
  const mods: LdapChange[] = [];
  const description = fieldChange('description', body.description, before.description !== undefined);
  if (description) mods.push(description);
  if (body.gidNumber === null && posix) throw new RequiredAttributeError('gidNumber');
  if (typeof body.gidNumber === 'number') {
    if (!posix) mods.push({ operation: 'add', attribute: 'objectClass', values: [POSIX_GROUP_CLASS] });
    mods.push({ operation: 'replace', attribute: 'gidNumber', values: [String(body.gidNumber)] });
  }
  let groupForMembers = entry;
  if (body.members !== undefined) {
    const wanted = await resolveMembers(d, body.members);
    const current = await resolveCurrent(d, entry);
    if (!posix && typeof body.gidNumber === 'number') {
      // Newly POSIX: memberUid starts from the current members, then follows the change.
      const uids = current.map((m) => m.uid).filter((u): u is string => !!u);
      if (uids.length) mods.push({ operation: 'add', attribute: 'memberUid', values: uids });
      groupForMembers = {
        ...entry,
        attrs: { ...entry.attrs, objectClass: [...attrValues(entry, 'objectClass'), POSIX_GROUP_CLASS], memberUid: uids },
      };
    }
    mods.push(
      ...membershipChanges(
        groupForMembers,
        wanted,
        current.filter((c) => !wanted.some((w) => w.dn.toLowerCase() === c.dn.toLowerCase())),
      ),
    );
  }
  if (mods.length) await d.ldap.modify(entry.dn, mods);
  const group = await groupDetail(d, await requireGroup(d, cn));
  return { group, changes: diffChanges(auditState(before), auditState(group)) };
}

async function resolveCurrent(d: IdentityDeps, entry: LdapEntry) {
  const detail = await groupDetail(d, entry);
  return ((detail.members as { dn: string; uid?: string }[]) ?? []).filter((m) => m.dn);
}

export async function deleteGroup(d: IdentityDeps, cn: string): Promise<{ dn: string; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const entry = await requireGroup(d, cn);
    const before = await groupDetail(d, entry);
    await d.ldap.del(entry.dn);
    return { dn: entry.dn, changes: diffChanges(auditState(before), undefined) };
  });
}

/** Adds (`op: 'add'`) or removes members given as uids or DNs; unknown ones → 400 naming them. */
export async function changeMembers(
  d: IdentityDeps,
  cn: string,
  op: 'add' | 'remove',
  members: string[],
): Promise<{ group: GroupView; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const entry = await requireGroup(d, cn);
    const before = await groupDetail(d, entry);
    const resolved = await resolveMembers(d, members);
    const mods = op === 'add' ? membershipChanges(entry, resolved, []) : membershipChanges(entry, [], resolved);
    if (mods.length) await d.ldap.modify(entry.dn, mods);
    const group = await groupDetail(d, await requireGroup(d, cn));
    return { group, changes: diffChanges(auditState(before), auditState(group)) };
  });
}
