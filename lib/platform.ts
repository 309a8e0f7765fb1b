import { readFileSync } from 'node:fs';
import { config, type Config } from './core/config.js';
import { logger } from './core/logger.js';
import { writeAudit } from './audit/audit.js';
import { generatePrivateJwk, loadKeyRing, parsePrivateJwks, type KeyRing } from './auth/keys.js';
import { authenticateToken, type AuthDeps, type Directory } from './auth/service.js';
import type { TokenSettings } from './auth/tokens.js';
import type { ThrottleSettings } from './auth/throttle.js';
import { ACL_VERSION_KEY, aclFor, type AclSource, type CachedAclSource, createAclSource } from './acl/acl-source.js';
import type { HttpServices } from './http/http-function.js';
import type { Actor, AuthorizeRequest } from './http/types.js';
import { createDb, type Db } from './store/dynamo.js';
import { idempotencyStore } from './store/idempotency.js';
import { createWorkflows, type Workflows } from './tasks/workflows.js';
import type { LdapDirectory } from './identity/directory.js';
import { lazy } from './core/lazy.js';

/**
 * The composition root: every function builds its dependencies here once per container (cold start), from
 * the validated configuration. Nothing here connects or loads eagerly: the AWS SDK clients are required on
 * the first database / Step Functions call, the LDAP provider (ldapts) on the first directory call.
 */
export interface Platform extends AuthDeps {
  cfg: Config;
  db: Db;
  ring: KeyRing;
  tokens: TokenSettings;
  throttle: ThrottleSettings;
  directory: Directory & LdapDirectory;
  workflows: Workflows;
  acl: CachedAclSource;
  http: HttpServices;
  authorize(actor: Actor, req: AuthorizeRequest): Promise<{ allowed: boolean; reason: string }>;
  /** The ACL as read for this caller's request (started with its authentication). */
  aclOf(actor: Actor): AclSource;
}

async function keyRing(cfg: Config): Promise<KeyRing> {
  if (cfg.JWT_PRIVATE_JWKS) return loadKeyRing(parsePrivateJwks(cfg.JWT_PRIVATE_JWKS));
  try {
    return await loadKeyRing(parsePrivateJwks(readFileSync(cfg.JWT_KEY_FILE, 'utf8')));
  } catch {
    // Unit tests and one-off scripts: an ephemeral key (the offline stack always passes a persisted one).
    logger.warn('no JWT key configured: using an ephemeral signing key');
    return loadKeyRing([await generatePrivateJwk()]);
  }
}

/** The LDAP directory, loaded on first use: most functions and requests never reach the directory. */
function lazyDirectory(cfg: Config): Directory & LdapDirectory {
  const load = lazy(async () => (await import('./identity/directory.js')).createLdapDirectory(cfg));
  return {
    authenticate: async (username, password) => (await load()).authenticate(username, password),
    groupsOf: async (dn, uid) => (await load()).groupsOf(dn, uid),
    ping: async () => (await load()).ping(),
  };
}

let cached: Promise<Platform> | undefined;

export function platform(): Promise<Platform> {
  cached ??= buildPlatform(config()).catch((e) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

export async function buildPlatform(cfg: Config): Promise<Platform> {
  const db = createDb({ table: cfg.TABLE_NAME, endpoint: cfg.DYNAMODB_ENDPOINT, region: cfg.AWS_REGION });
  const ring = await keyRing(cfg);
  const tokens: TokenSettings = {
    issuer: cfg.JWT_ISSUER,
    audience: cfg.JWT_AUDIENCE,
    accessTtl: cfg.ACCESS_TOKEN_TTL_SECONDS,
    refreshTtl: cfg.REFRESH_TOKEN_TTL_SECONDS,
  };
  const throttle: ThrottleSettings = {
    max: cfg.LOGIN_MAX_FAILURES,
    ipMax: cfg.LOGIN_IP_MAX_FAILURES,
    windowSeconds: cfg.LOGIN_WINDOW_SECONDS,
  };
  const directory = lazyDirectory(cfg);
  const workflows = createWorkflows({ endpoint: cfg.SFN_ENDPOINT, region: cfg.AWS_REGION, arnPrefix: cfg.STATE_MACHINE_ARN_PREFIX });
  const acl = createAclSource(db, { bootstrapAdminDn: `uid=admin,ou=people,${cfg.LDAP_BASE_DN}` });
  // The ACL's version counter is read in the same round trip as the token's session; the container keeps
  // its copy of the ACL while the counter stays (`acl.at`), so a request reads the table once.
  const aclOfRequest = new WeakMap<Actor, AclSource>();
  const authorize = async (actor: Actor, req: AuthorizeRequest) => aclFor(aclOfRequest.get(actor) ?? acl, actor, req);
  const authenticate = async (token: string, _ctx?: unknown, onVerified?: () => void) => {
    const { actor, alongside } = await authenticateToken({ db, ring, tokens }, token, onVerified, ACL_VERSION_KEY);
    const loading = acl.at(Number(alongside?.v ?? 0));
    loading.catch(() => undefined); // awaited by authorize; never an unhandled rejection
    aclOfRequest.set(actor, { load: () => loading });
    return actor;
  };
  const p: Platform = {
    cfg,
    db,
    ring,
    tokens,
    throttle,
    directory,
    workflows,
    acl,
    authorize,
    aclOf: (actor) => aclOfRequest.get(actor) ?? acl,
    http: {
      authenticate,
      authorize,
      onDenied: async (actor, req, reason, ctx) => {
        await writeAudit(db, {
          category: 'authorization',
          action: `${req.objectType}:${req.action}`,
          actor: actor.dn,
          target: req.objectDn,
          result: 'denied',
          source_ip: ctx.sourceIp,
          request_id: ctx.requestId,
          details: { reason, route: ctx.route },
        });
      },
      idempotency: idempotencyStore(db),
    },
  };
  return p;
}
