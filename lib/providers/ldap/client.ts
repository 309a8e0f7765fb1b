/**
 * Typed LDAP provider over ldapts. No domain knowledge: connections, binds, CRUD, search with plain entries,
 * error mapping to ApiErrors (errors.ts), filter parsing (filter.ts) and password authentication of a user
 * (a person anywhere below the base, unless `peopleDn` narrows it).
 *
 * Each top-level operation runs on a connection bound as the service account (LDAP_BIND_DN), taken from a
 * small per-client pool (pool.ts: kept between requests, never one bound as anyone else, never one holding a
 * VLV sort); `withServiceBind(fn)` runs several operations on one such connection, and `pinnedClient` makes a
 * client of that connection. Binds as a user always use a connection of their own. Searches take request
 * controls (controls.ts: SSS, VLV); extended operations go through `exop` (encoders in extended.ts), the
 * Password Modify one through `passwordModify`.
 */
import type { ConnectionOptions } from 'node:tls';
import { Attribute, Change, Client, PasswordPolicyControl, PasswordPolicyError, ResultCodeError } from 'ldapts';
import { ApiError, DependencyUnavailableError, InvalidCredentialsError, NotFoundError } from '../../core/errors.js';
import { logger } from '../../core/logger.js';
import { and, assertAttributeName, eq, or } from './escape.js';
import { AccountLockedError, PasswordExpiredError, mapLdapError } from './errors.js';
import { VLV_REQUEST_OID } from './controls.js';
import { PASSWORD_MODIFY_OID, passwordModifyValue } from './extended.js';
import { parseFilter } from './filter.js';
import { ldapConfigFromEnv, readCa } from './config.js';
import { attrFirst, toEntry, toLdaptsAttrs } from './entries.js';
import { createServicePool, type Lease } from './pool.js';
import type { AuthenticatedUser, LdapAttributes, LdapClient, LdapClientConfig, LdapConnection, LdapEntry } from './types.js';

export { AccountLockedError, PasswordExpiredError, mapLdapError } from './errors.js';
export { parseFilter } from './filter.js';
export { attrFirst, attrValues } from './entries.js';
export { ldapConfigFromEnv } from './config.js';
export type {
  AuthenticatedUser,
  LdapAttributes,
  LdapChange,
  LdapClient,
  LdapClientConfig,
  LdapConnection,
  LdapEntry,
  LdapExopResult,
  LdapScope,
  LdapSearchOptions,
} from './types.js';

// ---------------------------------------------------------------------------------------------------------
// Client

/**
 * The operations of one service-bound connection. `lease` (a pooled connection) learns whether the
 * connection now holds server-side state (a VLV sort) that forbids keeping it.
 */
function connectionApi(client: Client, lease?: Lease<Client>): LdapConnection {
  const wrap = async <T>(op: string, dn: string | undefined, fn: () => Promise<T>): Promise<T> => {
    // ldapts silently reconnects a dropped connection WITHOUT its bind: never run as anonymous.
    if (!client.isBound) throw new DependencyUnavailableError('ldap', new Error('LDAP connection lost (not bound)'));
    try {
      return await fn();
    } catch (e) {
      const mapped = mapLdapError(e, { dn, op });
      if (mapped.status >= 500) logger.warn('LDAP operation failed', { op, dn, error: (e as Error)?.message });
      throw mapped;
    }
  };
  const api: LdapConnection = {
    async search(base, opts = {}) {
      const filter = parseFilter(opts.filter ?? '(objectClass=*)');
      const attributes = opts.attributes?.map((a) => (a === '*' || a === '+' || a === '1.1' ? a : assertAttributeName(a)));
      if (lease && opts.controls?.some((c) => c.type === VLV_REQUEST_OID)) lease.retainsServerState = true;
      return wrap('search', base, async () => {
        const res = await client.search(
          base,
          {
            filter,
            scope: opts.scope ?? 'sub',
            attributes,
            sizeLimit: opts.sizeLimit,
            paged: opts.paged,
          },
          opts.controls,
        );
        const entries = res.searchEntries.map((e) => toEntry(e as unknown as Record<string, unknown> & { dn: string }));
        return opts.sizeLimit ? entries.slice(0, opts.sizeLimit) : entries;
      });
    },
    async get(dn, attributes) {
      try {
        const [entry] = await api.search(dn, { scope: 'base', attributes });
        return entry ?? null;
      } catch (e) {
        if (e instanceof NotFoundError) return null;
        throw e;
      }
    },
    add: (dn, attrs) => wrap('add', dn, () => client.add(dn, toLdaptsAttrs(attrs))),
    modify: (dn, changes) =>
      wrap('modify', dn, () =>
        client.modify(
          dn,
          (Array.isArray(changes) ? changes : [changes]).map(
            (c) =>
              new Change({
                operation: c.operation,
                modification: new Attribute({ type: assertAttributeName(c.attribute), values: c.values ?? [] }),
              }),
          ),
        ),
      ),
    del: (dn) => wrap('delete', dn, () => client.del(dn)),
    modifyDn: (dn, newDn) => wrap('modifyDn', dn, () => client.modifyDN(dn, newDn)),
    compare: (dn, attribute, value) => wrap('compare', dn, () => client.compare(dn, assertAttributeName(attribute), value)),
    exop: (oid, value, controls) => wrap('exop', undefined, () => client.exop(oid, value, controls)),
    passwordModify: (dn, newPassword) =>
      wrap('passwordModify', dn, async () => {
        await client.exop(PASSWORD_MODIFY_OID, passwordModifyValue(dn, newPassword));
      }),
  };
  return api;
}

/**
 * A client whose service-bound operations all run on `conn` (from `withServiceBind`): its `withServiceBind`
 * reuses `conn` instead of opening a connection, so code written against LdapClient can share one
 * connection. `bind`, `authenticate` and `ping` still use connections of their own (they bind as someone
 * else, or measure a fresh connection). Valid only while the `withServiceBind` that gave `conn` runs.
 */
export function pinnedClient(client: LdapClient, conn: LdapConnection): LdapClient {
  return {
    config: client.config,
    bind: (dn, password) => client.bind(dn, password),
    authenticate: (username, password) => client.authenticate(username, password),
    ping: () => client.ping(),
    drain: () => client.drain(),
    withServiceBind: (fn) => fn(conn),
    search: (base, opts) => conn.search(base, opts),
    get: (dn, attributes) => conn.get(dn, attributes),
    add: (dn, attrs) => conn.add(dn, attrs),
    modify: (dn, changes) => conn.modify(dn, changes),
    del: (dn) => conn.del(dn),
    modifyDn: (dn, newDn) => conn.modifyDn(dn, newDn),
    compare: (dn, attribute, value) => conn.compare(dn, attribute, value),
    exop: (oid, value, controls) => conn.exop(oid, value, controls),
    passwordModify: (dn, newPassword) => conn.passwordModify(dn, newPassword),
  };
}

export function createLdapClient(cfg: LdapClientConfig = ldapConfigFromEnv()): LdapClient {
  const timeout = cfg.timeoutMs ?? 5000;
  const secure = cfg.url.toLowerCase().startsWith('ldaps://');
  const host = (() => {
    try {
      return new URL(cfg.url).hostname;
    } catch {
      return undefined;
    }
  })();
  const tlsOptions = (): ConnectionOptions => ({
    ...(cfg.tlsCaFile ? { ca: readCa(cfg.tlsCaFile) } : {}),
    ...(host ? { servername: host } : {}),
  });
  // Users live in the base's ou=people and in every department's: login looks below the whole base.
  const usersBase = cfg.peopleDn ?? cfg.baseDn;
  const PERSON = or(eq('objectClass', 'inetOrgPerson'), eq('objectClass', 'posixAccount'));

  /** A connected (and StartTLS-upgraded when configured) ldapts client, not yet bound. */
  const open = async (): Promise<Client> => {
    const client = new Client({
      url: cfg.url,
      timeout,
      connectTimeout: timeout,
      ...(secure ? { tlsOptions: tlsOptions() } : {}),
    });
    if (cfg.startTls && !secure) {
      try {
        await client.startTLS(tlsOptions());
      } catch (e) {
        await client.unbind().catch(() => undefined);
        throw new DependencyUnavailableError('ldap', e);
      }
    }
    return client;
  };

  const close = (client: Client) => client.unbind().catch(() => undefined);

  /** Simple bind with the password policy control; maps the outcome. */
  const simpleBind = async (client: Client, dn: string, password: string): Promise<void> => {
    if (typeof password !== 'string' || password.length === 0) throw new InvalidCredentialsError();
    const ppolicy = new PasswordPolicyControl();
    try {
      await client.bind(dn, password, ppolicy);
    } catch (e) {
      const ppErr = ppolicy.value?.error;
      if (e instanceof ResultCodeError && e.code === 49) {
        if (ppErr === PasswordPolicyError.AccountLocked) throw new AccountLockedError();
        if (ppErr === PasswordPolicyError.PasswordExpired) throw new PasswordExpiredError();
        throw new InvalidCredentialsError();
      }
      throw mapLdapError(e, { op: 'bind' });
    }
  };

  const serviceBind = async (client: Client): Promise<void> => {
    if (!cfg.bindPassword) {
      throw new DependencyUnavailableError('ldap', new Error('LDAP_BIND_PASSWORD is not configured'));
    }
    try {
      await simpleBind(client, cfg.bindDn, cfg.bindPassword);
    } catch (e) {
      if (e instanceof InvalidCredentialsError || e instanceof AccountLockedError || e instanceof PasswordExpiredError) {
        // The service account's credentials are wrong: a configuration problem, not the caller's.
        logger.error('LDAP service bind refused', { bindDn: cfg.bindDn });
        throw new DependencyUnavailableError('ldap', new Error('LDAP service bind refused'));
      }
      throw e;
    }
  };

  /** A new connection bound as the service account (connect errors mapped: 503). */
  const openServiceBound = async (): Promise<Client> => {
    let client: Client;
    try {
      client = await open();
    } catch (e) {
      throw mapLdapError(e, { op: 'connect' });
    }
    try {
      await serviceBind(client);
    } catch (e) {
      await close(client);
      throw e;
    }
    return client;
  };
  const pool = createServicePool(openServiceBound, cfg.pool === false ? { maxIdle: 0 } : (cfg.pool ?? {}));

  const withServiceBind = async <T>(fn: (conn: LdapConnection) => Promise<T>): Promise<T> => {
    const lease = await pool.acquire();
    let reusable = false;
    try {
      const out = await fn(connectionApi(lease.client, lease));
      reusable = true;
      return out;
    } catch (e) {
      // An LDAP result (no such object, constraint, …) leaves the connection sound; anything else does not.
      reusable = e instanceof ApiError && e.status < 500;
      throw e;
    } finally {
      pool.release(lease, reusable);
    }
  };

  const ldapClient: LdapClient = {
    config: Object.freeze({ ...cfg, bindPassword: cfg.bindPassword ? '[REDACTED]' : undefined }),

    async bind(dn, password) {
      if (typeof password !== 'string' || password.length === 0) throw new InvalidCredentialsError();
      const client = await open().catch((e: unknown) => {
        throw mapLdapError(e, { op: 'connect' });
      });
      try {
        await simpleBind(client, dn, password);
      } finally {
        await close(client);
      }
    },

    withServiceBind,
    search: (base, opts) => withServiceBind((c) => c.search(base, opts)),
    get: (dn, attributes) => withServiceBind((c) => c.get(dn, attributes)),
    add: (dn, attrs) => withServiceBind((c) => c.add(dn, attrs)),
    modify: (dn, changes) => withServiceBind((c) => c.modify(dn, changes)),
    del: (dn) => withServiceBind((c) => c.del(dn)),
    modifyDn: (dn, newDn) => withServiceBind((c) => c.modifyDn(dn, newDn)),
    compare: (dn, attribute, value) => withServiceBind((c) => c.compare(dn, attribute, value)),
    exop: (oid, value, controls) => withServiceBind((c) => c.exop(oid, value, controls)),
    passwordModify: (dn, newPassword) => withServiceBind((c) => c.passwordModify(dn, newPassword)),

    async authenticate(username, password) {
      // Refused before any LDAP traffic: an empty password makes a simple bind "unauthenticated" and succeed.
      if (typeof username !== 'string' || username.length === 0 || username.length > 256) {
        throw new InvalidCredentialsError();
      }
      if (typeof password !== 'string' || password.length === 0) throw new InvalidCredentialsError();
      const name = username.includes('@') ? or(eq('uid', username), eq('mail', username)) : eq('uid', username);
      const entries = await withServiceBind((c) =>
        c.search(usersBase, { filter: and(PERSON, name), scope: 'sub', attributes: ['uid', 'cn', 'mail'], sizeLimit: 2 }),
      );
      // Unknown or ambiguous user: same error as a wrong password (no user enumeration).
      if (entries.length !== 1) throw new InvalidCredentialsError();
      const entry = entries[0] as LdapEntry;
      await ldapClient.bind(entry.dn, password);
      return {
        dn: entry.dn,
        uid: attrFirst(entry, 'uid') ?? username,
        cn: attrFirst(entry, 'cn') ?? '',
        mail: attrFirst(entry, 'mail') ?? null,
      };
    },

    async ping() {
      // A fresh connection, not a pooled one: the health check measures that the directory answers now.
      const started = performance.now();
      await close(await openServiceBound());
      return Math.round((performance.now() - started) * 100) / 100;
    },

    drain: () => pool.drain(),
  };
  return ldapClient;
}

let shared: LdapClient | undefined;

/** The process-wide client configured from the environment. */
export function ldapClient(): LdapClient {
  shared ??= createLdapClient();
  return shared;
}

/** For tests that change the environment. */
export function resetLdapClient(): void {
  shared = undefined;
}

/** Authenticates a user by uid or mail (see LdapClient.authenticate). */
export function authenticate(username: string, password: string, client: LdapClient = ldapClient()): Promise<AuthenticatedUser> {
  return client.authenticate(username, password);
}

/** Service-bind latency in ms, for health checks (throws DependencyUnavailableError). */
export function ping(client: LdapClient = ldapClient()): Promise<number> {
  return client.ping();
}
