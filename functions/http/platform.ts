import { route, httpFunction } from '../../lib/http/http-function.js';
import { ok } from '../../lib/http/respond.js';
import { health } from '../../lib/health.js';
import { gunzipSync } from 'node:zlib';
import { renderDocs } from '../../lib/http/openapi.js';
import { OPENAPI_GZIP_BASE64 } from './generated/openapi.js';
import { platform } from '../../lib/platform.js';
import { listPlugins } from '../../lib/plugins/state.js';
import * as specs from './specs/platform.js';

/** Surfaces this deployment serves; later areas add theirs. */
export const SURFACES = ['auth', 'acl', 'audit', 'tasks', 'identity'] as const;

export const healthRoute = route(specs.health).handler(async () => {
  const h = await health(await platform());
  return { status: h.status === 'healthy' ? 200 : 503, body: h };
});

export const infoRoute = route(specs.info).handler(async () => {
  const { cfg, db } = await platform();
  // The Heracles `plugins` list: the identity plugins enabled right now (GET /plugins has the details).
  const plugins = (await listPlugins(db)).filter((p) => p.enabled).map((p) => p.name);
  return ok({
    name: 'ApiBibind',
    version: cfg.APP_VERSION,
    api_version: cfg.API_VERSION,
    ldap_base: cfg.LDAP_BASE_DN,
    surfaces: [...SURFACES],
    plugins,
  });
});

export const jwksRoute = route(specs.jwks).handler(async () =>
  ok((await platform()).ring.publicJwks, { 'Cache-Control': 'public, max-age=300' }),
);

let parsed: Record<string, unknown> | undefined;

/** The OpenAPI document generated from the specs at build time (`npm run openapi`), parsed once. */
async function document() {
  const { cfg } = await platform();
  parsed ??= JSON.parse(gunzipSync(Buffer.from(OPENAPI_GZIP_BASE64, 'base64')).toString('utf8')) as Record<string, unknown>;
  return { ...parsed, info: { ...(parsed.info as object), version: cfg.APP_VERSION } };
}

export const openapiRoute = route(specs.openapi).handler(async () => ok(await document()));

export const docsRoute = route(specs.docs).handler(async () => ({
  status: 200,
  raw: { contentType: 'text/html; charset=utf-8', body: renderDocs(await document()) },
  headers: { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" },
}));

export const routes = [healthRoute, infoRoute, jwksRoute, openapiRoute, docsRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
