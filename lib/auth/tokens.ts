import { errors as joseErrors, jwtVerify, SignJWT, decodeProtectedHeader } from 'jose';
import { randomUUID } from 'node:crypto';
import { UnauthorizedError } from '../core/errors.js';
import { JWT_ALG, type KeyRing } from './keys.js';

export type TokenType = 'access' | 'refresh';

export interface TokenClaims {
  sub: string;
  sid: string;
  jti: string;
  typ: TokenType;
  kind: 'user' | 'api-key';
  uid: string;
  scopes?: string[];
  iat: number;
  exp: number;
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTtl: number;
  refreshTtl: number;
}

export async function signToken(
  ring: KeyRing,
  s: TokenSettings,
  c: { sub: string; sid: string; typ: TokenType; kind: 'user' | 'api-key'; uid: string; scopes?: string[]; jti?: string; ttl?: number },
): Promise<{ token: string; jti: string; exp: number }> {
  const jti = c.jti ?? randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const exp = now + (c.ttl ?? (c.typ === 'access' ? s.accessTtl : s.refreshTtl));
  const token = await new SignJWT({ sid: c.sid, typ: c.typ, kind: c.kind, uid: c.uid, ...(c.scopes ? { scopes: c.scopes } : {}) })
    .setProtectedHeader({ alg: JWT_ALG, kid: ring.signing.kid, typ: 'JWT' })
    .setSubject(c.sub)
    .setIssuer(s.issuer)
    .setAudience(s.audience)
    .setJti(jti)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(ring.signing.privateKey);
  return { token, jti, exp };
}

/**
 * Verifies signature (the `kid` must be one of ours; `alg` pinned to ES256 — `none` and HS* are refused),
 * `iss`, `aud`, `exp` and the token type. Any failure is a 401 INVALID_TOKEN without the cause's details.
 */
export async function verifyToken(ring: KeyRing, s: TokenSettings, token: string, typ: TokenType): Promise<TokenClaims> {
  try {
    const header = decodeProtectedHeader(token);
    const key = header.kid ? ring.verification.get(header.kid) : undefined;
    if (!key) throw new UnauthorizedError('INVALID_TOKEN', 'The token is invalid or expired');
    const { payload } = await jwtVerify(token, key, { algorithms: [JWT_ALG], issuer: s.issuer, audience: s.audience });
    if (payload.typ !== typ || typeof payload.sid !== 'string' || typeof payload.sub !== 'string' || typeof payload.jti !== 'string') {
      throw new UnauthorizedError('INVALID_TOKEN', 'The token is invalid or expired');
    }
    return payload as unknown as TokenClaims;
  } catch (e) {
    if (e instanceof UnauthorizedError) throw e;
    const expired = e instanceof joseErrors.JWTExpired;
    throw new UnauthorizedError('INVALID_TOKEN', 'The token is invalid or expired', expired ? { reason: 'expired' } : undefined);
  }
}
