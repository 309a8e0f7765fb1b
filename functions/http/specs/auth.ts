// The contract of the auth routes (path, permission, schemas), apart from their handlers: the OpenAPI
// document and the 404/405 fallback read it without bundling what the handlers need.
import { routeSpec } from '../../../lib/http/http-function.js';
import { LoginBody, LoginResponse, MeResponse, RefreshBody, TokenPair } from '../../../lib/auth/schemas.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';

export const login = routeSpec({
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
});

export const refresh = routeSpec({
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
});

export const logout = routeSpec({
  method: 'POST',
  path: '/api/v1/auth/logout',
  summary: 'Revoke the current session; its tokens are refused from now on',
  tags: ['auth'],
  responses: { 204: { description: 'Logged out' } },
});

export const me = routeSpec({
  method: 'GET',
  path: '/api/v1/auth/me',
  summary: 'The current user and their permissions',
  tags: ['auth'],
  responses: { 200: { description: 'The caller', schema: MeResponse } },
});
