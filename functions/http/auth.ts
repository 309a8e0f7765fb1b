import { z } from 'zod';
import { route, httpFunction } from '../../lib/http/http-function.js';
import { noContent, ok } from '../../lib/http/respond.js';
import { login, logout, refresh } from '../../lib/auth/service.js';
import { LoginBody, LoginResponse, MeResponse, RefreshBody, TokenPair } from '../../lib/auth/schemas.js';
import { effectivePermissionsOf } from '../../lib/acl/acl-source.js';
import { ErrorBody } from '../../lib/http/openapi-schemas.js';
import { platform } from '../../lib/platform.js';

export const loginRoute = route({
  method: 'POST',
  path: '/api/v1/auth/login',
  summary: 'Log in with a directory username and password',
  tags: ['auth'],
  auth: 'public',
  body: LoginBody,
  responses: {
    200: { description: 'Tokens and the user', schema: LoginResponse },
    401: { description: 'INVALID_CREDENTIALS', schema: ErrorBody },
    429: { description: 'Too many failures for this user or address (Retry-After)', schema: ErrorBody },
  },
}).handler(async (ctx) => ok(await login(await platform(), ctx.body.username, ctx.body.password, ctx)));

export const refreshRoute = route({
  method: 'POST',
  path: '/api/v1/auth/refresh',
  summary: 'Rotate a refresh token (single use; reuse revokes the session)',
  tags: ['auth'],
  auth: 'public',
  body: RefreshBody,
  responses: {
    200: { description: 'A new token pair', schema: TokenPair },
    401: { description: 'INVALID_TOKEN, TOKEN_REVOKED or REFRESH_TOKEN_REUSED', schema: ErrorBody },
  },
}).handler(async (ctx) => ok(await refresh(await platform(), ctx.body.refresh_token, ctx)));

export const logoutRoute = route({
  method: 'POST',
  path: '/api/v1/auth/logout',
  summary: 'Revoke the current session; its tokens are refused from now on',
  tags: ['auth'],
  responses: { 204: { description: 'Logged out' } },
}).handler(async (ctx) => {
  await logout(await platform(), ctx.actor!, ctx);
  return noContent();
});

export const meRoute = route({
  method: 'GET',
  path: '/api/v1/auth/me',
  summary: 'The current user and their permissions',
  tags: ['auth'],
  responses: { 200: { description: 'The caller', schema: MeResponse } },
}).handler(async (ctx) => {
  const actor = ctx.actor!;
  const p = await platform();
  return ok({
    dn: actor.dn,
    uid: actor.uid,
    cn: actor.cn,
    mail: actor.mail,
    groups: actor.groups,
    permissions: await effectivePermissionsOf(p.acl, actor),
  } satisfies z.infer<typeof MeResponse>);
});

export const routes = [loginRoute, refreshRoute, logoutRoute, meRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
