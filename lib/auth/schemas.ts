import { API_KEY_ID } from './api-keys.js';
import * as z from '../http/zod.js';

export const LoginBody = z.object({
  username: z.text(1, 256),
  password: z.text(1, 1024),
});
export const RefreshBody = z.object({ refresh_token: z.text(10, 8192) });
export const TokenPair = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.integer(),
});
export const LoginResponse = z.extend(TokenPair, {
  user: z.object({ dn: z.string(), uid: z.string(), cn: z.string() }),
});
export const MeResponse = z.object({
  dn: z.string(),
  uid: z.string(),
  cn: z.optional(z.string()),
  mail: z.optional(z.string()),
  groups: z.array(z.string()),
  permissions: z.array(z.string()),
});
export const AuthenticateBody = z.object({
  key: z.string().check(z.regex(API_KEY_ID, 'expected an API key id (ak_ followed by 24 hex digits)')),
  secret: z.text(1, 256),
});
export const AuthenticateResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.integer(),
  scopes: z.array(z.string()),
});
export const PERMISSION_STRING = /^([a-z][a-z0-9-]*|\*):[crwdms]+$/;
export const CreateApiKeyBody = z.object({
  name: z.text(1, 100),
  scopes: z.optional(
    z.array(z.string().check(z.regex(PERMISSION_STRING, 'expected objectType:letters, e.g. instance:r'))).check(z.maxLength(50)),
  ),
  expires_at: z.optional(z.iso.datetime({ offset: true }).check(z.refine((s) => Date.parse(s) > Date.now(), 'must be in the future'))),
});
export const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  owner: z.string(),
  owner_uid: z.string(),
  scopes: z.optional(z.array(z.string())),
  created_at: z.string(),
  expires_at: z.optional(z.string()),
  revoked_at: z.optional(z.string()),
  last_used_at: z.optional(z.string()),
});
export const CreatedApiKey = z.extend(ApiKeyView, { key: z.string(), secret: z.string() });
export const ApiKeyIdParams = z.object({ id: z.string().check(z.regex(API_KEY_ID, 'not an API key id')) });
export const TokenValidation = z.object({
  active: z.boolean(),
  sub: z.optional(z.string()),
  uid: z.optional(z.string()),
  kind: z.optional(z.enum(['user', 'api-key'])),
  exp: z.optional(z.integer()),
  scopes: z.optional(z.array(z.string())),
  permissions: z.optional(z.array(z.string())),
});
