import { route, httpFunction } from '../../lib/http/http-function.js';
import { created, noContent, ok } from '../../lib/http/respond.js';
import { authenticateApiKey } from '../../lib/auth/service.js';
import { createApiKey, getApiKey, listApiKeys, markRevoked } from '../../lib/auth/api-keys.js';
import { revokeSession, sessionsOfApiKey } from '../../lib/auth/sessions.js';
import { verifyToken } from '../../lib/auth/tokens.js';
import { getSession } from '../../lib/auth/sessions.js';
import { effectivePermissionsOf } from '../../lib/acl/acl-source.js';
import { writeAudit } from '../../lib/audit/audit.js';
import { NotFoundError, UnauthorizedError } from '../../lib/core/errors.js';
import { platform } from '../../lib/platform.js';
import * as specs from './specs/api-keys.js';

export const authenticateRoute = route(specs.authenticate).handler(async (ctx) =>
  ok(await authenticateApiKey(await platform(), ctx.body.key, ctx.body.secret, ctx)),
);

export const validateRoute = route(specs.validate).handler(async (ctx) => {
  const m = /^Bearer\s+(\S+)$/i.exec(ctx.headers.authorization ?? '');
  if (!m) throw new UnauthorizedError('UNAUTHORIZED', 'Authentication required');
  const p = await platform();
  try {
    const claims = await verifyToken(p.ring, p.tokens, m[1]!, 'access');
    const session = await getSession(p.db, claims.sid);
    if (!session || session.status !== 'active') return ok({ active: false });
    const permissions = await effectivePermissionsOf(p.acl, {
      dn: session.dn,
      uid: session.uid,
      groups: session.groups,
      scopes: session.scopes,
    });
    return ok({
      active: true,
      sub: claims.sub,
      uid: claims.uid,
      kind: claims.kind,
      exp: claims.exp,
      scopes: session.scopes ?? [],
      permissions,
    });
  } catch (e) {
    if (e instanceof UnauthorizedError) return ok({ active: false });
    throw e;
  }
});

export const createKeyRoute = route(specs.createKey).handler(async (ctx) => {
  const actor = ctx.actor!;
  await ctx.authorize({ action: 'create', objectType: 'api-key', ownerDn: actor.dn });
  const p = await platform();
  const { apiKey, secret } = await createApiKey(p.db, { ...ctx.body, owner: actor.dn, owner_uid: actor.uid });
  await writeAudit(p.db, {
    category: 'mutation',
    action: 'api-key.create',
    actor: actor.dn,
    target: apiKey.id,
    changes: [
      { attribute: 'name', old: null, new: apiKey.name },
      { attribute: 'scopes', old: null, new: apiKey.scopes ?? null },
      { attribute: 'secret', old: null, new: secret },
    ],
    result: 'success',
    source_ip: ctx.sourceIp,
    request_id: ctx.requestId,
  });
  return created({ ...apiKey, key: apiKey.id, secret }, `/api/v1/api-keys/${apiKey.id}`);
});

export const listKeysRoute = route(specs.listKeys).handler(async (ctx) => {
  await ctx.authorize({ action: 'read', objectType: 'api-key', ownerDn: ctx.actor!.dn });
  return ok({ data: await listApiKeys((await platform()).db, ctx.actor!.dn) });
});

export const revokeKeyRoute = route(specs.revokeKey).handler(async (ctx) => {
  const p = await platform();
  const existing = await getApiKey(p.db, ctx.params.id);
  // Someone else's key answers like a missing one unless the caller may delete it: no existence leak.
  if (!existing) throw new NotFoundError('API_KEY_NOT_FOUND', `API key ${ctx.params.id} not found`, { id: ctx.params.id });
  try {
    await ctx.authorize({ action: 'delete', objectType: 'api-key', ownerDn: existing.owner });
  } catch (e) {
    if (existing.owner !== ctx.actor!.dn)
      throw new NotFoundError('API_KEY_NOT_FOUND', `API key ${ctx.params.id} not found`, { id: ctx.params.id });
    throw e;
  }
  const revoked = await markRevoked(p.db, ctx.params.id);
  for (const sid of await sessionsOfApiKey(p.db, ctx.params.id)) await revokeSession(p.db, sid, 'api_key_revoked');
  await writeAudit(p.db, {
    category: 'mutation',
    action: 'api-key.revoke',
    actor: ctx.actor!.dn,
    target: ctx.params.id,
    changes: [{ attribute: 'revoked_at', old: existing.revoked_at ?? null, new: revoked.revoked_at ?? null }],
    result: 'success',
    source_ip: ctx.sourceIp,
    request_id: ctx.requestId,
  });
  return noContent();
});

export const routes = [authenticateRoute, validateRoute, createKeyRoute, listKeysRoute, revokeKeyRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
