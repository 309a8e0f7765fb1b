import { route, httpFunction } from '../../lib/http/http-function.js';
import { created, noContent, ok } from '../../lib/http/respond.js';
import { page } from '../../lib/http/pagination.js';
import { auditMutation as writeMutation } from '../../lib/identity/audit-mutation.js';
import { ForbiddenError } from '../../lib/core/errors.js';
import type { RequestContext } from '../../lib/http/types.js';
import { dnEquals } from '../../lib/providers/ldap/index.js';
import { platform } from '../../lib/platform.js';
import { identity } from '../../lib/identity/identity-platform.js';
import { containerDn, scopeDn } from '../../lib/identity/departments/containers.js';
import { listUsers, locateUser, requireUser, targetDn, userView } from '../../lib/identity/read-users.js';
import { createUser } from '../../lib/identity/create-user.js';
import { updateUser } from '../../lib/identity/update-user.js';
import { deleteUser } from '../../lib/identity/delete-user.js';
import { changePassword } from '../../lib/identity/change-password.js';
import { setLocked } from '../../lib/identity/lock-user.js';
import type { AttributeChange } from '../../lib/audit/audit.js';
import * as specs from './specs/users.js';

const auditMutation = async (ctx: RequestContext<any, any, any>, action: string, target: string, changes: AttributeChange[]) =>
  writeMutation((await platform()).db, ctx, action, target, changes);

/** Checks the ACL on the user `uid` (its DN when it exists, else where it would be): 403 before 404. */
async function authorizeUser(ctx: RequestContext<any, any, { uid: string }>, action: 'read' | 'write' | 'delete') {
  const { d } = await identity();
  const entry = await locateUser(d, ctx.params.uid, ['uid']);
  await ctx.authorize({ action, objectType: 'user', objectDn: targetDn(d, ctx.params.uid, entry) });
  return { d, entry };
}

/** Lists cover the base's subtree (or a department's): `user:r` is checked there, 403 before any 422. */
// The directory search runs while the session is read (it depends only on the query); its result is used
// only after the ACL allowed the caller.
export const listUsersRoute = route(specs.listUsers)
  .prefetch(async ({ query }) => listUsers((await identity()).d, { ...query, filter: query.filter ?? [] }))
  .handler(async (ctx) => {
    const { d } = await identity();
    await ctx.authorize({ action: 'read', objectType: 'user', objectDn: scopeDn(d, ctx.query.department_dn, 'query.department_dn') });
    const { data, total } = await ctx.prefetched;
    return ok(page(data, total, ctx.query));
  });

export const getUserRoute = route(specs.getUser).handler(async (ctx) => {
  const { d } = await authorizeUser(ctx, 'read');
  return ok(await userView(d, await requireUser(d, ctx.params.uid)));
});

export const createUserRoute = route(specs.createUser).handler(async (ctx) => {
  const { d } = await identity();
  const container = containerDn(d, 'people', ctx.body.department_dn, 'body.department_dn');
  await ctx.authorize({ action: 'create', objectType: 'user', objectDn: container });
  const { user, changes } = await createUser(d, ctx.body);
  await auditMutation(ctx, 'user.create', user.dn, changes);
  return created(user, `/api/v1/users/${encodeURIComponent(user.uid)}`);
});

export const updateUserRoute = route(specs.updateUser).handler(async (ctx) => {
  const { d } = await authorizeUser(ctx, 'write');
  const { user, changes } = await updateUser(d, ctx.params.uid, ctx.body);
  await auditMutation(ctx, 'user.update', user.dn, changes);
  return ok(user);
});

export const deleteUserRoute = route(specs.deleteUser).handler(async (ctx) => {
  const { d } = await authorizeUser(ctx, 'delete');
  const { dn, changes, groups } = await deleteUser(d, ctx.params.uid);
  await auditMutation(ctx, 'user.delete', dn, [...changes, ...(groups.length ? [{ attribute: 'memberOf', old: groups, new: null }] : [])]);
  return noContent();
});

/**
 * Self-service (the caller's own entry, through the built-in `user:rs` grant) always needs the current
 * password; for anyone else the caller needs `user:w` on the user and then no current password.
 */
export const changePasswordRoute = route(specs.changePassword).handler(async (ctx) => {
  const { d } = await identity();
  const entry = await locateUser(d, ctx.params.uid, ['uid']);
  const dn = targetDn(d, ctx.params.uid, entry);
  const self = dnEquals(dn, ctx.actor!.dn);
  if (self) await ctx.authorize({ action: 'read', objectType: 'user', objectDn: dn });
  else await ctx.authorize({ action: 'write', objectType: 'user', objectDn: dn });
  const done = await changePassword(d, ctx.params.uid, ctx.body, { requireCurrent: self });
  await auditMutation(ctx, 'user.password', done.dn, [{ attribute: 'userPassword', old: '[REDACTED]', new: '[REDACTED]' }]);
  return ok({ message: 'Password changed successfully' });
});

const lockRoute = (locked: boolean) => async (ctx: RequestContext<unknown, unknown, { uid: string }>) => {
  const { d, entry } = await authorizeUser(ctx, 'write');
  if (locked && dnEquals(targetDn(d, ctx.params.uid, entry), ctx.actor!.dn))
    throw new ForbiddenError('You cannot lock your own account', { uid: ctx.params.uid });
  const { state, dn, changes } = await setLocked(d, ctx.params.uid, locked);
  await auditMutation(ctx, locked ? 'user.lock' : 'user.unlock', dn, changes);
  return ok(state);
};

export const lockUserRoute = route(specs.lockUser).handler(lockRoute(true));
export const unlockUserRoute = route(specs.unlockUser).handler(lockRoute(false));

export const routes = [
  listUsersRoute,
  getUserRoute,
  createUserRoute,
  updateUserRoute,
  deleteUserRoute,
  changePasswordRoute,
  lockUserRoute,
  unlockUserRoute,
];
export const handler = httpFunction(routes, async () => (await platform()).http);
