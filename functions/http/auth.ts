import type * as z from '../../lib/http/zod.js';
import { route, httpFunction } from '../../lib/http/http-function.js';
import { noContent, ok } from '../../lib/http/respond.js';
import { login, logout, refresh } from '../../lib/auth/service.js';
import type { MeResponse } from '../../lib/auth/schemas.js';
import { effectivePermissionsOf } from '../../lib/acl/acl-source.js';
import { platform } from '../../lib/platform.js';
import * as specs from './specs/auth.js';

export const loginRoute = route(specs.login).handler(async (ctx) =>
  ok(await login(await platform(), ctx.body.username, ctx.body.password, ctx)),
);

export const refreshRoute = route(specs.refresh).handler(async (ctx) => ok(await refresh(await platform(), ctx.body.refresh_token, ctx)));

export const logoutRoute = route(specs.logout).handler(async (ctx) => {
  await logout(await platform(), ctx.actor!, ctx);
  return noContent();
});

export const meRoute = route(specs.me).handler(async (ctx) => {
  const actor = ctx.actor!;
  const p = await platform();
  return ok({
    dn: actor.dn,
    uid: actor.uid,
    cn: actor.cn,
    mail: actor.mail,
    groups: actor.groups,
    permissions: await effectivePermissionsOf(p.aclOf(actor), actor),
  } satisfies z.infer<typeof MeResponse>);
});

export const routes = [loginRoute, refreshRoute, logoutRoute, meRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
