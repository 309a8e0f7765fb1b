import { z } from 'zod';
import { route, httpFunction } from '../../lib/http/http-function.js';
import { ok } from '../../lib/http/respond.js';
import { health } from '../../lib/health.js';
import { buildOpenApi, renderDocs } from '../../lib/http/openapi.js';
import { platform } from '../../lib/platform.js';

const CheckView = z.object({ status: z.enum(['up', 'down']), latency_ms: z.number(), error: z.string().optional() });
const HealthView = z.object({ status: z.enum(['healthy', 'unhealthy']), checks: z.record(z.string(), CheckView) });

/** Surfaces this deployment serves; later areas add theirs. */
export const SURFACES = ['auth', 'acl', 'audit', 'tasks'] as const;
export const PLUGINS = ['core'] as const;

export const healthRoute = route({
  method: 'GET',
  path: '/api/v1/health',
  summary: 'Health of the API and of each dependency (503 when one is down)',
  tags: ['platform'],
  auth: 'public',
  responses: { 200: { description: 'Healthy', schema: HealthView }, 503: { description: 'A dependency is down', schema: HealthView } },
}).handler(async () => {
  const h = await health(await platform());
  return { status: h.status === 'healthy' ? 200 : 503, body: h };
});

export const infoRoute = route({
  method: 'GET',
  path: '/api/v1/info',
  summary: 'Name, version, API version and enabled surfaces',
  tags: ['platform'],
  auth: 'public',
  responses: {
    200: {
      description: 'About this API',
      schema: z.object({ name: z.string(), version: z.string(), api_version: z.string(), ldap_base: z.string(), surfaces: z.array(z.string()), plugins: z.array(z.string()) }),
    },
  },
}).handler(async () => {
  const { cfg } = await platform();
  return ok({ name: 'ApiBibind', version: cfg.APP_VERSION, api_version: cfg.API_VERSION, ldap_base: cfg.LDAP_BASE_DN, surfaces: [...SURFACES], plugins: [...PLUGINS] });
});

export const jwksRoute = route({
  method: 'GET',
  path: '/.well-known/jwks.json',
  summary: 'Public keys that verify the platform tokens',
  tags: ['auth'],
  auth: 'public',
  responses: { 200: { description: 'JWKS', schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) } },
}).handler(async () => ok((await platform()).ring.publicJwks, { 'Cache-Control': 'public, max-age=300' }));

async function document() {
  const { cfg } = await platform();
  // Imported lazily: the registry pulls every area's routes, which only these two endpoints need.
  const { ALL_ROUTES } = await import('./registry.js');
  return buildOpenApi(ALL_ROUTES, { version: cfg.APP_VERSION });
}

export const openapiRoute = route({
  method: 'GET',
  path: '/api/v1/openapi.json',
  summary: 'The OpenAPI 3.1 document of this API',
  tags: ['platform'],
  auth: 'public',
  responses: { 200: { description: 'OpenAPI 3.1' } },
}).handler(async () => ok(await document()));

export const docsRoute = route({
  method: 'GET',
  path: '/api/v1/docs',
  summary: 'Rendered API reference',
  tags: ['platform'],
  auth: 'public',
  responses: { 200: { description: 'HTML' } },
}).handler(async () => ({
  status: 200,
  raw: { contentType: 'text/html; charset=utf-8', body: renderDocs(await document()) },
  headers: { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" },
}));

export const routes = [healthRoute, infoRoute, jwksRoute, openapiRoute, docsRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
