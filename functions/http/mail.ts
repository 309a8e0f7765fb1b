import { route, httpFunction } from '../../lib/http/http-function.js';
import { created, noContent, ok } from '../../lib/http/respond.js';
import type { RequestContext } from '../../lib/http/types.js';
import { auditMutation } from '../../lib/identity/audit-mutation.js';
import { identity } from '../../lib/identity/identity-platform.js';
import { deactivateMailAccount, getMailAccount, saveMailAccount } from '../../lib/identity/mail/mail.js';
import { locateUser, targetDn } from '../../lib/identity/read-users.js';
import { platform } from '../../lib/platform.js';
import * as specs from './specs/mail.js';

/** `mail:<action>` on the user's DN (the entry's when it exists, else where it would be): 403 before 404. */
async function authorizeMail(ctx: RequestContext<any, any, { uid: string }>, action: 'read' | 'write' | 'delete') {
  const { p, d } = await identity('mail');
  const entry = await locateUser(d, ctx.params.uid, ['uid']);
  await ctx.authorize({ action, objectType: 'mail', objectDn: targetDn(d, ctx.params.uid, entry) });
  return { p, d };
}

export const getMailAccountRoute = route(specs.getMailAccount).handler(async (ctx) => {
  const { d } = await authorizeMail(ctx, 'read');
  return ok(await getMailAccount(d, ctx.params.uid));
});

export const saveMailAccountRoute = route(specs.saveMailAccount).handler(async (ctx) => {
  const { p, d } = await authorizeMail(ctx, 'write');
  const { account, changes, activated } = await saveMailAccount(d, ctx.params.uid, ctx.body);
  await auditMutation(p.db, ctx, activated ? 'mail.activate' : 'mail.update', account.dn, changes);
  return activated ? created(account, `/api/v1/mail/users/${encodeURIComponent(account.uid)}`) : ok(account);
});

export const deactivateMailAccountRoute = route(specs.deactivateMailAccount).handler(async (ctx) => {
  const { p, d } = await authorizeMail(ctx, 'delete');
  const { dn, changes } = await deactivateMailAccount(d, ctx.params.uid);
  await auditMutation(p.db, ctx, 'mail.deactivate', dn, changes);
  return noContent();
});

export const routes = [getMailAccountRoute, saveMailAccountRoute, deactivateMailAccountRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
