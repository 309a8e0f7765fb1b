import { randomUUID } from 'node:crypto';
import { UnauthorizedError, InvalidCredentialsError } from '../core/errors.js';
import { writeAudit, type NewAuditEvent } from '../audit/audit.js';
import type { Db, TableKey } from '../store/dynamo.js';
import type { Actor } from '../http/types.js';
import type { KeyRing } from './keys.js';
import { getSession, getSessionAnd, putSession, revokeSession, rotateRefresh, type Session } from './sessions.js';
import { assertNotThrottled, clearFailures, recordFailure, type ThrottleSettings } from './throttle.js';
import { signToken, verifyToken, type TokenSettings } from './tokens.js';
import { verifyApiKey } from './api-keys.js';

/** The directory as authentication needs it (LDAP in every deployment). */
export interface Directory {
  /** Binds as the user; InvalidCredentialsError when the user is unknown or the password wrong. */
  authenticate(username: string, password: string): Promise<{ dn: string; uid: string; cn?: string; mail?: string }>;
  /** DNs of the groups the user belongs to. */
  groupsOf(dn: string, uid: string): Promise<string[]>;
}

export interface AuthDeps {
  db: Db;
  ring: KeyRing;
  tokens: TokenSettings;
  throttle: ThrottleSettings;
  directory: Directory;
}

export interface RequestInfo {
  sourceIp: string;
  requestId: string;
}

/** An authentication event in the security log, stamped with the request's source IP and id. */
const securityEvent = (deps: AuthDeps, req: RequestInfo, e: Omit<NewAuditEvent, 'category' | 'source_ip' | 'request_id'>) =>
  writeAudit(deps.db, { category: 'authentication', ...e, source_ip: req.sourceIp, request_id: req.requestId });

export async function login(deps: AuthDeps, username: string, password: string, req: RequestInfo) {
  const subjects = [`user#${username.toLowerCase()}`, `ip#${req.sourceIp}`];
  try {
    await assertNotThrottled(deps.db, subjects, deps.throttle);
  } catch (e) {
    await securityEvent(deps, req, {
      action: 'login',
      actor: username,
      result: 'denied',
      details: { reason: 'throttled' },
    });
    throw e;
  }
  let user: Awaited<ReturnType<Directory['authenticate']>>;
  try {
    user = await deps.directory.authenticate(username, password);
  } catch (e) {
    if (e instanceof InvalidCredentialsError) {
      await recordFailure(deps.db, subjects, deps.throttle);
      await securityEvent(deps, req, {
        action: 'login',
        actor: username,
        result: 'failure',
        details: { reason: 'invalid_credentials' },
      });
    }
    throw e;
  }
  await clearFailures(deps.db, subjects[0]!);
  const groups = await deps.directory.groupsOf(user.dn, user.uid);
  const sid = randomUUID();
  const access = await signToken(deps.ring, deps.tokens, { sub: user.dn, sid, typ: 'access', kind: 'user', uid: user.uid });
  const refresh = await signToken(deps.ring, deps.tokens, { sub: user.dn, sid, typ: 'refresh', kind: 'user', uid: user.uid });
  await putSession(deps.db, {
    sid,
    kind: 'user',
    dn: user.dn,
    uid: user.uid,
    cn: user.cn,
    mail: user.mail,
    groups,
    status: 'active',
    refreshJti: refresh.jti,
    createdAt: new Date().toISOString(),
    expiresAt: refresh.exp,
  });
  await securityEvent(deps, req, {
    action: 'login',
    actor: user.dn,
    target: user.dn,
    result: 'success',
    details: { session: sid },
  });
  return {
    access_token: access.token,
    refresh_token: refresh.token,
    token_type: 'bearer' as const,
    expires_in: deps.tokens.accessTtl,
    user: { dn: user.dn, uid: user.uid, cn: user.cn ?? user.uid },
  };
}

/**
 * Single-use rotation. Presenting a refresh token that was already spent means it leaked: the whole
 * session family is revoked, so every token issued from it stops working at once.
 */
export async function refresh(deps: AuthDeps, refreshToken: string, req: RequestInfo) {
  const claims = await verifyToken(deps.ring, deps.tokens, refreshToken, 'refresh');
  const session = await getSession(deps.db, claims.sid);
  if (!session || session.status !== 'active') {
    await securityEvent(deps, req, {
      action: 'refresh',
      actor: claims.sub,
      result: 'denied',
      details: { reason: 'session_revoked' },
    });
    throw new UnauthorizedError('TOKEN_REVOKED', 'The session was revoked');
  }
  const next = await signToken(deps.ring, deps.tokens, {
    sub: session.dn,
    sid: session.sid,
    typ: 'refresh',
    kind: 'user',
    uid: session.uid,
  });
  const groups = await deps.directory.groupsOf(session.dn, session.uid).catch(() => session.groups);
  if (!(await rotateRefresh(deps.db, session.sid, claims.jti, next.jti, groups))) {
    await revokeSession(deps.db, session.sid, 'refresh_token_reuse');
    await securityEvent(deps, req, {
      action: 'refresh_token_reuse',
      actor: session.dn,
      target: session.dn,
      result: 'denied',
      details: { session: session.sid },
    });
    throw new UnauthorizedError('REFRESH_TOKEN_REUSED', 'This refresh token was already used; the session has been revoked');
  }
  const access = await signToken(deps.ring, deps.tokens, {
    sub: session.dn,
    sid: session.sid,
    typ: 'access',
    kind: 'user',
    uid: session.uid,
  });
  await securityEvent(deps, req, {
    action: 'refresh',
    actor: session.dn,
    result: 'success',
    details: { session: session.sid },
  });
  return { access_token: access.token, refresh_token: next.token, token_type: 'bearer' as const, expires_in: deps.tokens.accessTtl };
}

/** Verifies an access token and that its session (or API key) still stands: logout takes effect at once. */
export async function authenticateToken(
  deps: Pick<AuthDeps, 'db' | 'ring' | 'tokens'>,
  token: string,
  /** Called once the signature and claims are verified, before the session read (a speculative read may start). */
  onVerified?: () => void,
  /** Another item to read in the same round trip as the session (answered as `alongside`). */
  alongside?: TableKey,
): Promise<{ actor: Actor; session: Session; alongside?: Record<string, any> }> {
  const claims = await verifyToken(deps.ring, deps.tokens, token, 'access');
  onVerified?.();
  const read = alongside ? await getSessionAnd(deps.db, claims.sid, alongside) : { session: await getSession(deps.db, claims.sid) };
  const session = read.session;
  if (!session || session.status !== 'active') throw new UnauthorizedError('TOKEN_REVOKED', 'The token was revoked');
  return {
    ...(alongside && { alongside: read.other }),
    session,
    actor: {
      dn: session.dn,
      uid: session.uid,
      cn: session.cn,
      mail: session.mail,
      groups: session.groups,
      sid: session.sid,
      jti: claims.jti,
      kind: session.kind,
      scopes: session.scopes,
      exp: claims.exp,
    },
  };
}

export async function logout(deps: AuthDeps, actor: Actor, req: RequestInfo): Promise<void> {
  await revokeSession(deps.db, actor.sid, 'logout');
  await securityEvent(deps, req, {
    action: 'logout',
    actor: actor.dn,
    target: actor.dn,
    result: 'success',
    details: { session: actor.sid },
  });
}

/** Machine clients: key + secret → an access token acting as the key's owner, limited to its scopes. */
export async function authenticateApiKey(deps: AuthDeps, keyId: string, secret: string, req: RequestInfo) {
  const subjects = [`apikey#${keyId}`, `ip#${req.sourceIp}`];
  await assertNotThrottled(deps.db, subjects, deps.throttle);
  const key = await verifyApiKey(deps.db, keyId, secret);
  if (!key) {
    await recordFailure(deps.db, subjects, deps.throttle);
    await securityEvent(deps, req, {
      action: 'authenticate',
      actor: keyId,
      result: 'failure',
      details: { reason: 'invalid_api_key' },
    });
    throw new UnauthorizedError('INVALID_CREDENTIALS', 'Invalid key or secret');
  }
  const groups = await deps.directory.groupsOf(key.owner, key.owner_uid);
  const sid = randomUUID();
  const access = await signToken(deps.ring, deps.tokens, {
    sub: key.owner,
    sid,
    typ: 'access',
    kind: 'api-key',
    uid: key.owner_uid,
    scopes: key.scopes,
  });
  await putSession(deps.db, {
    sid,
    kind: 'api-key',
    apiKeyId: key.id,
    dn: key.owner,
    uid: key.owner_uid,
    groups,
    scopes: key.scopes,
    status: 'active',
    createdAt: new Date().toISOString(),
    expiresAt: access.exp,
  });
  await securityEvent(deps, req, {
    action: 'authenticate',
    actor: key.owner,
    target: key.id,
    result: 'success',
    details: { api_key: key.id },
  });
  return { access_token: access.token, token_type: 'bearer' as const, expires_in: deps.tokens.accessTtl, scopes: key.scopes ?? [] };
}
