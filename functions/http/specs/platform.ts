// The contract of the platform routes (path, permission, schemas), apart from their handlers: the OpenAPI
// document and the 404/405 fallback read it without bundling what the handlers need.
import { routeSpec } from '../../../lib/http/http-function.js';
import * as z from '../../../lib/http/zod.js';

const CheckView = z.object({ status: z.enum(['up', 'down']), latency_ms: z.number(), error: z.optional(z.string()) });
const HealthView = z.object({ status: z.enum(['healthy', 'unhealthy']), checks: z.record(z.string(), CheckView) });

export const health = routeSpec({
  method: 'GET',
  path: '/api/v1/health',
  summary: 'Health of the API and of each dependency (503 when one is down)',
  tags: ['platform'],
  auth: 'public',
  responses: { 200: { description: 'Healthy', schema: HealthView }, 503: { description: 'A dependency is down', schema: HealthView } },
});

export const info = routeSpec({
  method: 'GET',
  path: '/api/v1/info',
  summary: 'Name, version, API version and enabled surfaces',
  tags: ['platform'],
  auth: 'public',
  responses: {
    200: {
      description: 'About this API',
      schema: z.object({
        name: z.string(),
        version: z.string(),
        api_version: z.string(),
        ldap_base: z.string(),
        surfaces: z.array(z.string()),
        plugins: z.array(z.string()),
      }),
    },
  },
});

export const jwks = routeSpec({
  method: 'GET',
  path: '/.well-known/jwks.json',
  summary: 'Public keys that verify the platform tokens',
  tags: ['auth'],
  auth: 'public',
  responses: { 200: { description: 'JWKS', schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) } },
});

export const openapi = routeSpec({
  method: 'GET',
  path: '/api/v1/openapi.json',
  summary: 'The OpenAPI 3.1 document of this API',
  tags: ['platform'],
  auth: 'public',
  responses: { 200: { description: 'OpenAPI 3.1' } },
});

export const docs = routeSpec({
  method: 'GET',
  path: '/api/v1/docs',
  summary: 'Rendered API reference',
  tags: ['platform'],
  auth: 'public',
  responses: { 200: { description: 'HTML' } },
});
