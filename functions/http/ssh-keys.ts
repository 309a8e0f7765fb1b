import { route, httpFunction } from '../../lib/http/http-function.js';
import { created, noContent, ok } from '../../lib/http/respond.js';
import { auditMutation } from '../../lib/identity/audit-mutation.js';
import type { RequestContext } from '../../lib/http/types.js';
import { platform } from '../../lib/platform.js';
import { identity } from '../../lib/identity/identity-platform.js';
import { locateUser, targetDn } from '../../lib/identity/read-users.js';
import { addSshKey, deleteSshKey, listSshKeys } from '../../lib/identity/ssh-keys/ssh-keys.js';
import * as specs from './specs/ssh-keys.js';

/**
 * Checks `ssh-key:<action>` on the key owner's DN (the entry's when it exists, else where it would be), so
 * that own-object grants (`ssh-key:crwds`) let a user manage their own keys only: 403 before 404.
 */
async function authorizeKeys(ctx: RequestContext<any, any, { uid: string }>, action: 'read' | 'create' | 'delete') {
  const { d } = await identity('ssh');
  const entry = await locateUser(d, ctx.params.uid, ['uid']);
  await ctx.authorize({ action, objectType: 'ssh-key', objectDn: targetDn(d, ctx.params.uid, entry) });
  return d;
}

export const listSshKeysRoute = route(specs.listSshKeys).handler(async (ctx) => {
  const d = await authorizeKeys(ctx, 'read');
  return ok({ keys: await listSshKeys(d, ctx.params.uid) });
});

export const addSshKeyRoute = route(specs.addSshKey).handler(async (ctx) => {
  const d = await authorizeKeys(ctx, 'create');
  const { key, dn, changes } = await addSshKey(d, ctx.params.uid, ctx.body.public_key, ctx.actor!.dn);
  await auditMutation((await platform()).db, ctx, 'ssh-key.create', dn, changes);
  return created(key, `/api/v1/users/${encodeURIComponent(ctx.params.uid)}/ssh-keys/${encodeURIComponent(key.id)}`);
});

export const deleteSshKeyRoute = route(specs.deleteSshKey).handler(async (ctx) => {
  const d = await authorizeKeys(ctx, 'delete');
  const { dn, changes } = await deleteSshKey(d, ctx.params.uid, ctx.params.id);
  await auditMutation((await platform()).db, ctx, 'ssh-key.delete', dn, changes);
  return noContent();
});

export const routes = [listSshKeysRoute, addSshKeyRoute, deleteSshKeyRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
