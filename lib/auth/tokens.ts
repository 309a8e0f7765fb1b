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
 * Tokens this container has verified (signature, `iss`, `aud`, type), per key ring, up to VERIFIED_MAX (the
 * oldest go first): a token presented again is only checked for expiry and for its key still being in the
 * ring. Only the cryptography is remembered — the session behind the token is still read on every request.
 */
const VERIFIED_MAX = 4096;
const verifiedTokens = new WeakMap<KeyRing, Map<string, { claims: TokenClaims; kid: string; key: unknown }>>();
function verifiedBy(ring: KeyRing) {
  let memo = verifiedTokens.get(ring);
  if (!memo) verifiedTokens.set(ring, (memo = new Map()));
  return memo;
}

/**
 * Verifies signature (the `kid` must be one of ours; `alg` pinned to ES256 — `none` and HS* are refused),
 * `iss`, `aud`, `exp` and the token type. Any failure is a 401 INVALID_TOKEN without the cause's details.
 */
export async function verifyToken(ring: KeyRing, s: TokenSettings, token: string, typ: TokenType): Promise<TokenClaims> {
  const memo = verifiedBy(ring);
  const memoKey = `${typ}\u0000${s.issuer}\u0000${s.audience}\u0000${token}`;
  const known = memo.get(memoKey);
  if (known && ring.verification.get(known.kid) === known.key) {
    if (known.claims.exp > Math.floor(Date.now() / 1000)) return known.claims;
    memo.delete(memoKey);
  }
  try {
    const header = decodeProtectedHeader(token);
    const key = header.kid ? ring.verification.get(header.kid) : undefined;
    if (!key) throw new UnauthorizedError('INVALID_TOKEN', 'The token is invalid or expired');
    const { payload } = await jwtVerify(token, key, { algorithms: [JWT_ALG], issuer: s.issuer, audience: s.audience });
    if (
      payload.typ !== typ ||
      typeof payload.sid !== 'string' ||
      typeof payload.sub !== 'string' ||
      typeof payload.jti !== 'string' ||
      typeof payload.exp !== 'number'
    ) {
      throw new UnauthorizedError('INVALID_TOKEN', 'The token is invalid or expired');
    }
    const claims = payload as unknown as TokenClaims;
    if (memo.size >= VERIFIED_MAX) memo.delete(memo.keys().next().value!);
    memo.set(memoKey, { claims, kid: header.kid!, key });
    return claims;
  } catch (e) {
    if (e instanceof UnauthorizedError) throw e;
    const expired = e instanceof joseErrors.JWTExpired;
    throw new UnauthorizedError('INVALID_TOKEN', 'The token is invalid or expired', expired ? { reason: 'expired' } : undefined);
  }
}
