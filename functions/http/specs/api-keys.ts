// The contract of the API key routes (path, permission, schemas), apart from their handlers: the OpenAPI
// document and the 404/405 fallback read it without bundling what the handlers need.
import { routeSpec } from '../../../lib/http/http-function.js';
import * as z from '../../../lib/http/zod.js';
import {
  ApiKeyIdParams,
  ApiKeyView,
  AuthenticateBody,
  AuthenticateResponse,
  CreateApiKeyBody,
  CreatedApiKey,
  TokenValidation,
} from '../../../lib/auth/schemas.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';

export const authenticate = routeSpec({
  method: 'POST',
  path: '/api/v1/authenticate',
  summary: 'Exchange an API key and secret for an access token (machine clients)',
  tags: ['auth'],
  auth: 'public',
  body: AuthenticateBody,
  responses: {
    200: { description: 'An access token acting as the key owner, limited to the key scopes', schema: AuthenticateResponse },
    401: { description: 'INVALID_CREDENTIALS', schema: ErrorBody },
    429: { description: 'Throttled', schema: ErrorBody },
  },
});

export const validate = routeSpec({
  method: 'GET',
  path: '/api/v1/token/validate',
  summary: 'Introspect the presented bearer token (active, subject, expiry, scopes)',
  tags: ['auth'],
  auth: 'public',
  responses: {
    200: { description: 'Introspection result; `active: false` for an invalid, expired or revoked token', schema: TokenValidation },
    401: { description: 'No bearer token presented', schema: ErrorBody },
  },
});

export const createKey = routeSpec({
  method: 'POST',
  path: '/api/v1/api-keys',
  summary: 'Create an API key for yourself (the secret is shown once)',
  tags: ['auth'],
  permission: 'api-key:c',
  scoped: true,
  idempotent: true,
  body: CreateApiKeyBody,
  responses: {
    201: { description: 'The key with its secret', schema: CreatedApiKey },
    403: { description: 'FORBIDDEN', schema: ErrorBody },
  },
});

export const listKeys = routeSpec({
  method: 'GET',
  path: '/api/v1/api-keys',
  summary: 'List your API keys (never their secrets)',
  tags: ['auth'],
  permission: 'api-key:r',
  scoped: true,
  responses: { 200: { description: 'Your keys', schema: z.object({ data: z.array(ApiKeyView) }) } },
});

export const revokeKey = routeSpec({
  method: 'DELETE',
  path: '/api/v1/api-keys/{id}',
  summary: 'Revoke an API key; tokens obtained with it stop working at once',
  tags: ['auth'],
  permission: 'api-key:d',
  scoped: true,
  params: ApiKeyIdParams,
  responses: { 204: { description: 'Revoked' }, 404: { description: 'API_KEY_NOT_FOUND', schema: ErrorBody } },
});
