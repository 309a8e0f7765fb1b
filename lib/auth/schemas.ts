import { z } from 'zod';

export const LoginBody = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});
export const RefreshBody = z.object({ refresh_token: z.string().min(10).max(8192) });
export const TokenPair = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int(),
});
export const LoginResponse = TokenPair.extend({
  user: z.object({ dn: z.string(), uid: z.string(), cn: z.string() }),
});
export const MeResponse = z.object({
  dn: z.string(),
  uid: z.string(),
  cn: z.string().optional(),
  mail: z.string().optional(),
  groups: z.array(z.string()),
  permissions: z.array(z.string()),
});
export const AuthenticateBody = z.object({
  key: z.string().min(1).max(64),
  secret: z.string().min(1).max(256),
});
export const AuthenticateResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int(),
  scopes: z.array(z.string()),
});
export const PERMISSION_STRING = /^([a-z][a-z0-9-]*|\*):[crwdms]+$/;
export const CreateApiKeyBody = z.object({
  name: z.string().min(1).max(100),
  scopes: z.array(z.string().regex(PERMISSION_STRING, 'expected objectType:letters, e.g. instance:r')).max(50).optional(),
  expires_at: z.iso.datetime({ offset: true }).refine((s) => Date.parse(s) > Date.now(), 'must be in the future').optional(),
});
export const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  owner: z.string(),
  owner_uid: z.string(),
  scopes: z.array(z.string()).optional(),
  created_at: z.string(),
  expires_at: z.string().optional(),
  revoked_at: z.string().optional(),
  last_used_at: z.string().optional(),
});
export const CreatedApiKey = ApiKeyView.extend({ key: z.string(), secret: z.string() });
export const ApiKeyIdParams = z.object({ id: z.string().regex(/^ak_[0-9a-f]{24}$/, 'not an API key id') });
export const TokenValidation = z.object({
  active: z.boolean(),
  sub: z.string().optional(),
  uid: z.string().optional(),
  kind: z.enum(['user', 'api-key']).optional(),
  exp: z.number().int().optional(),
  scopes: z.array(z.string()).optional(),
  permissions: z.array(z.string()).optional(),
});
