/**
 * ACL roles: the six built-in ones (lib/acl/builtin-roles.ts, read-only) and the custom ones of the table.
 * Every role answers with a `dn` (`cn=<id>,ou=aclroles,<base>`, the spec's shape): a stable identifier only,
 * the roles are stored in the table, not in the directory.
 */
import { diffChanges, type AttributeChange } from '../audit/audit.js';
import { BUILTIN_ROLES, getBuiltinRole } from '../acl/builtin-roles.js';
import type { Role } from '../acl/engine.js';
import { canonicalPermission } from '../acl/permissions.js';
import { escapeDnValue } from '../providers/ldap/escape.js';
import type { Db } from '../store/dynamo.js';
import { BuiltinReadOnlyError, RoleExistsError, RoleInUseError, RoleNotFoundError, VersionConflictError } from './errors.js';
import type { CreateRoleBody, RoleView, UpdateRoleBody } from './schemas.js';
import {
  getRoleRecord,
  insertRole,
  loadCustom,
  removeRole,
  replaceRole,
  repairRoleRefs,
  type AssignmentRecord,
  type RoleRecord,
} from './store.js';

export interface AclAdminDeps {
  db: Db;
  baseDn: string;
  /** The bootstrap admin (holds the built-in `admin` assignment). */
  bootstrapAdminDn: string;
  now: () => Date;
}

export const rolesDn = (baseDn: string) => `ou=aclroles,${baseDn}`;
export const roleDn = (id: string, baseDn: string) => `cn=${escapeDnValue(id)},${rolesDn(baseDn)}`;

/** Canonical letters (`user:wr` → `user:rw`), duplicates dropped, order kept. */
export const canonicalPermissions = (list: string[]): string[] => [...new Set(list.map(canonicalPermission))];

export function roleView(role: Role, baseDn: string, rec?: RoleRecord): RoleView {
  return {
    id: role.id,
    dn: roleDn(role.id, baseDn),
    cn: role.id,
    ...(role.description ? { description: role.description } : {}),
    permissions: [...role.permissions],
    builtin: role.builtin === true,
    ...(rec
      ? {
          version: rec.version,
          ...(rec.created_at ? { created_at: rec.created_at } : {}),
          ...(rec.created_by ? { created_by: rec.created_by } : {}),
          ...(rec.updated_at ? { updated_at: rec.updated_at } : {}),
        }
      : {}),
  };
}

/** What the audit records of a role. */
const auditState = (role: Role | undefined) => role && { description: role.description ?? null, permissions: role.permissions };

/** Built-in roles first (documentation order), then custom ones by id. */
export async function listRoles(d: AclAdminDeps): Promise<RoleView[]> {
  const { roles } = await loadCustom(d.db);
  const custom = roles.sort((a, b) => (a.role.id < b.role.id ? -1 : a.role.id > b.role.id ? 1 : 0));
  return [...BUILTIN_ROLES.map((r) => roleView(r, d.baseDn)), ...custom.map((r) => roleView(r.role, d.baseDn, r))];
}

/** A built-in role (by id or French alias) or a custom one. */
export async function findRole(d: AclAdminDeps, id: string): Promise<{ role: Role; rec?: RoleRecord } | undefined> {
  const builtin = getBuiltinRole(id);
  if (builtin) return { role: builtin };
  const rec = await getRoleRecord(d.db, id);
  return rec && { role: rec.role, rec };
}

export async function getRole(d: AclAdminDeps, id: string): Promise<RoleView> {
  const found = await findRole(d, id);
  if (!found) throw new RoleNotFoundError(id);
  return roleView(found.role, d.baseDn, found.rec);
}

export async function createRole(
  d: AclAdminDeps,
  body: CreateRoleBody,
  actorDn: string,
): Promise<{ role: RoleView; changes: AttributeChange[] }> {
  if (getBuiltinRole(body.cn)) throw new RoleExistsError(body.cn, true);
  const role: Role = {
    id: body.cn,
    name: body.cn,
    ...(body.description ? { description: body.description } : {}),
    permissions: canonicalPermissions(body.permissions),
    builtin: false,
  };
  const at = d.now().toISOString();
  const rec: RoleRecord = { role, version: 1, refs: 0, created_at: at, created_by: actorDn, updated_at: at };
  if (!(await insertRole(d.db, rec))) throw new RoleExistsError(body.cn, false);
  return { role: roleView(role, d.baseDn, rec), changes: diffChanges(undefined, auditState(role)) };
}

export async function updateRole(
  d: AclAdminDeps,
  id: string,
  body: UpdateRoleBody,
): Promise<{ role: RoleView; changes: AttributeChange[] }> {
  const builtin = getBuiltinRole(id);
  if (builtin) throw new BuiltinReadOnlyError('role', builtin.id);
  const rec = await getRoleRecord(d.db, id);
  if (!rec) throw new RoleNotFoundError(id);
  if (body.version !== undefined && body.version !== rec.version) throw new VersionConflictError(id, body.version, rec.version);
  const next: Role = { ...rec.role, permissions: body.permissions ? canonicalPermissions(body.permissions) : rec.role.permissions };
  if (body.description === null) delete next.description;
  else if (body.description !== undefined) next.description = body.description;
  const at = d.now().toISOString();
  if (!(await replaceRole(d.db, next, rec.version, at))) {
    const current = await getRoleRecord(d.db, id);
    if (!current) throw new RoleNotFoundError(id);
    throw new VersionConflictError(id, rec.version, current.version);
  }
  const updated: RoleRecord = { ...rec, role: next, version: rec.version + 1, updated_at: at };
  return { role: roleView(next, d.baseDn, updated), changes: diffChanges(auditState(rec.role), auditState(next)) };
}

const usedBy = (assignments: AssignmentRecord[], id: string) =>
  assignments.filter((a) => a.assignment.roleId === id).map((a) => ({ id: a.assignment.id, subject: a.assignment.subject }));

/** Refused for built-in roles (422) and for a role still assigned (409 ROLE_IN_USE listing the assignments). */
export async function deleteRole(d: AclAdminDeps, id: string, version?: number): Promise<{ dn: string; changes: AttributeChange[] }> {
  const builtin = getBuiltinRole(id);
  if (builtin) throw new BuiltinReadOnlyError('role', builtin.id);
  for (let attempt = 0; attempt < 3; attempt++) {
    const rec = await getRoleRecord(d.db, id);
    if (!rec) throw new RoleNotFoundError(id);
    if (version !== undefined && version !== rec.version) throw new VersionConflictError(id, version, rec.version);
    if (await removeRole(d.db, id, rec.version)) {
      return { dn: roleDn(id, d.baseDn), changes: diffChanges(auditState(rec.role), undefined) };
    }
    // Refused: changed meanwhile, or still referenced. Name the assignments; repair a stale count.
    const current = await getRoleRecord(d.db, id);
    if (!current) throw new RoleNotFoundError(id);
    if (current.refs > 0) {
      const users = usedBy((await loadCustom(d.db)).assignments, id);
      // No assignment found: one is being created right now (409 too), or a crash left the count stale.
      if (users.length > 0 || !(await repairRoleRefs(d.db, id, current.refs, 0, d.now()))) throw new RoleInUseError(id, users);
    }
  }
  throw new VersionConflictError(id, version, undefined);
}
