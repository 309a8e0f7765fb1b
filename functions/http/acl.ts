import { route, httpFunction } from '../../lib/http/http-function.js';
import { created, noContent, ok } from '../../lib/http/respond.js';
import { page } from '../../lib/http/pagination.js';
import type { RequestContext } from '../../lib/http/types.js';
import { platform } from '../../lib/platform.js';
import { identity } from '../../lib/identity/identity-platform.js';
import { auditMutation as writeMutation } from '../../lib/identity/audit-mutation.js';
import type { AttributeChange } from '../../lib/audit/audit.js';
import { attrFirst, attrValues, dnEquals } from '../../lib/providers/ldap/index.js';
import { createRole, deleteRole, getRole, listRoles, updateRole, type AclAdminDeps } from '../../lib/acl-admin/roles.js';
import { assignmentDn, createAssignment, deleteAssignment, listAssignments, type SubjectLookup } from '../../lib/acl-admin/assignments.js';
import { checkAccess } from '../../lib/acl-admin/check.js';
import * as specs from './specs/acl.js';

/**
 * The ACL administration (Heracles §8). Roles and assignments live in the table (partition `ACL`), where
 * the ACL source of every function reads them on each request: a change applies to the next request.
 */
async function deps(): Promise<AclAdminDeps> {
  const p = await platform();
  const baseDn = p.cfg.LDAP_BASE_DN;
  return { db: p.db, baseDn, bootstrapAdminDn: `uid=admin,ou=people,${baseDn}`, now: () => new Date() };
}

const auditMutation = async (ctx: RequestContext<any, any, any>, action: string, target: string, changes: AttributeChange[]) =>
  writeMutation((await platform()).db, ctx, action, target, changes);

const entryOf = async (dn: string) => {
  const { d } = await identity();
  return d.ldap.get(dn, ['objectClass', 'uid']);
};

const subjectLookup: SubjectLookup = async (dn) => {
  const entry = await entryOf(dn);
  return entry && { objectClass: attrValues(entry, 'objectClass') };
};

export const listRolesRoute = route(specs.listRoles).handler(async (ctx) => {
  const all = await listRoles(await deps());
  return ok(page(all.slice(ctx.query.offset, ctx.query.offset + ctx.query.limit), all.length, ctx.query));
});

export const getRoleRoute = route(specs.getRole).handler(async (ctx) => ok(await getRole(await deps(), ctx.params.id)));

export const createRoleRoute = route(specs.createRole).handler(async (ctx) => {
  const { role, changes } = await createRole(await deps(), ctx.body, ctx.actor!.dn);
  await auditMutation(ctx, 'acl.role.create', role.dn, changes);
  return created(role, `/api/v1/acl/roles/${encodeURIComponent(role.id)}`);
});

export const updateRoleRoute = route(specs.updateRole).handler(async (ctx) => {
  const { role, changes } = await updateRole(await deps(), ctx.params.id, ctx.body);
  await auditMutation(ctx, 'acl.role.update', role.dn, changes);
  return ok(role);
});

export const deleteRoleRoute = route(specs.deleteRole).handler(async (ctx) => {
  const { dn, changes } = await deleteRole(await deps(), ctx.params.id, ctx.query.version);
  await auditMutation(ctx, 'acl.role.delete', dn, changes);
  return noContent();
});

export const listAssignmentsRoute = route(specs.listAssignments).handler(async (ctx) => {
  const all = await listAssignments(await deps(), { role: ctx.query.role, subject: ctx.query.subject });
  return ok(page(all.slice(ctx.query.offset, ctx.query.offset + ctx.query.limit), all.length, ctx.query));
});

export const createAssignmentRoute = route(specs.createAssignment).handler(async (ctx) => {
  const d = await deps();
  const { assignment, changes } = await createAssignment(d, subjectLookup, ctx.body, ctx.actor!.dn);
  await auditMutation(ctx, 'acl.assignment.create', assignmentDn(assignment.id, d.baseDn), changes);
  return created(assignment, `/api/v1/acl/assignments/${encodeURIComponent(assignment.id)}`);
});

export const deleteAssignmentRoute = route(specs.deleteAssignment).handler(async (ctx) => {
  const { dn, changes } = await deleteAssignment(await deps(), ctx.params.id, ctx.query.version);
  await auditMutation(ctx, 'acl.assignment.delete', dn, changes);
  return noContent();
});

/**
 * Any authenticated caller may check its own access; checking another subject needs `acl:r` (it discloses
 * that subject's rights). The decision comes from the engine and ACL source that guard every endpoint.
 */
export const checkAccessRoute = route(specs.checkAccess).handler(async (ctx) => {
  const p = await platform();
  const actor = ctx.actor!;
  const self = ctx.body.subject === undefined || dnEquals(ctx.body.subject, actor.dn);
  if (!self) await ctx.authorize({ action: 'read', objectType: 'acl' });
  const result = await checkAccess(
    {
      acl: p.aclOf(actor),
      authorize: p.authorize,
      findSubject: async (dn) => {
        const entry = await entryOf(dn);
        return entry && { dn: entry.dn, uid: attrFirst(entry, 'uid') };
      },
      groupsOf: (dn, uid) => p.directory.groupsOf(dn, uid),
    },
    actor,
    ctx.body,
    self,
  );
  return ok(result);
});

export const routes = [
  listRolesRoute,
  getRoleRoute,
  createRoleRoute,
  updateRoleRoute,
  deleteRoleRoute,
  listAssignmentsRoute,
  createAssignmentRoute,
  deleteAssignmentRoute,
  checkAccessRoute,
];
export const handler = httpFunction(routes, async () => (await platform()).http);
