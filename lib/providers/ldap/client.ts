/**
 * Typed LDAP provider over ldapts. No domain knowledge: connections, binds, CRUD, search with plain entries,
 * error mapping to ApiErrors, and password authentication of a user of `ou=people`.
 *
 * Each top-level operation opens a connection, binds as the service account (LDAP_BIND_DN), runs and closes;
 * `withServiceBind(fn)` runs several operations on one service-bound connection.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import {
  Attribute,
  Change,
  Client,
  EqualityFilter,
  FilterParser,
  PasswordPolicyControl,
  PasswordPolicyError,
  ResultCodeError,
  type Filter,
} from 'ldapts';
import {
  ApiError,
  BadRequestError,
  ConflictError,
  DependencyUnavailableError,
  ForbiddenError,
  InternalError,
  InvalidCredentialsError,
  NotFoundError,
  UnprocessableError,
} from '../../core/errors.js';
import { config, type Config } from '../../core/config.js';
import { logger } from '../../core/logger.js';
import { assertAttributeName, eq, or } from './escape.js';

// ---------------------------------------------------------------------------------------------------------
// Types

export interface LdapClientConfig {
  /** ldap://host:port or ldaps://host:port */
  url: string;
  baseDn: string;
  /** Service account (LDAP_BIND_DN) */
  bindDn: string;
  bindPassword?: string;
  /** Upgrade ldap:// connections with StartTLS. */
  startTls?: boolean;
  /** PEM CA bundle for ldaps:// and StartTLS. */
  tlsCaFile?: string;
  /** Per-operation and connect timeout, ms (default 5000). */
  timeoutMs?: number;
  /** Where users live, relative or absolute (default `ou=people,<baseDn>`). */
  peopleDn?: string;
}

/** A search result entry: DN and attribute values as strings (binary values base64-encoded). */
export interface LdapEntry {
  dn: string;
  attrs: Record<string, string[]>;
}

export type LdapScope = 'base' | 'one' | 'sub' | 'children';

export interface LdapSearchOptions {
  /** A filter string, built with escape.ts (`eq`, `and`, …). Default `(objectClass=*)`. */
  filter?: string;
  scope?: LdapScope;
  /** Attributes to return; default all user attributes. Use `['+']` / `['*', '+']` for operational ones. */
  attributes?: string[];
  /** Maximum number of entries; when reached, the entries found so far are returned. */
  sizeLimit?: number;
  /** Use the paged results control (all pages are fetched). */
  paged?: boolean | { pageSize: number };
}

export interface LdapChange {
  operation: 'add' | 'delete' | 'replace';
  attribute: string;
  /** Empty with `delete`: remove the whole attribute; empty with `replace`: remove it too. */
  values?: string[];
}

export type LdapAttributes = Record<string, string | string[]>;

export interface AuthenticatedUser {
  dn: string;
  uid: string;
  cn: string;
  mail: string | null;
}

/** Operations over one connection (service-bound inside `withServiceBind`). */
export interface LdapConnection {
  search(base: string, opts?: LdapSearchOptions): Promise<LdapEntry[]>;
  /** The entry at `dn` or null when it does not exist. */
  get(dn: string, attributes?: string[]): Promise<LdapEntry | null>;
  add(dn: string, attrs: LdapAttributes): Promise<void>;
  modify(dn: string, changes: LdapChange | LdapChange[]): Promise<void>;
  del(dn: string): Promise<void>;
  /** Rename / move: `newDn` is the full new DN. */
  modifyDn(dn: string, newDn: string): Promise<void>;
  compare(dn: string, attribute: string, value: string): Promise<boolean>;
}

export interface LdapClient extends LdapConnection {
  readonly config: Readonly<LdapClientConfig>;
  /** Verifies `dn`/`password` with a simple bind on a fresh connection. Empty passwords are refused. */
  bind(dn: string, password: string): Promise<void>;
  /** Runs `fn` with one connection bound as the service account. */
  withServiceBind<T>(fn: (conn: LdapConnection) => Promise<T>): Promise<T>;
  /** Finds the user by uid (or mail) under ou=people and binds as it. */
  authenticate(username: string, password: string): Promise<AuthenticatedUser>;
  /** Connects and service-binds; answers the latency in ms (throws DependencyUnavailableError). */
  ping(): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------------
// Errors

/** The credentials may be right but the account is locked by the password policy (pwdAccountLockedTime). */
export class AccountLockedError extends ApiError {
  constructor() {
    super('ACCOUNT_LOCKED', 403, 'This account is locked');
    this.name = 'AccountLockedError';
  }
}

/** The password has expired under the password policy. */
export class PasswordExpiredError extends ApiError {
  constructor() {
    super('PASSWORD_EXPIRED', 403, 'The password has expired');
    this.name = 'PasswordExpiredError';
  }
}

function attributeFromMessage(message: string): string | undefined {
  const patterns = [
    /attribute '([A-Za-z][\w-]*)'/i,
    /attribute type '([A-Za-z][\w-]*)'/i,
    /^([A-Za-z][\w-]*): /,
    /\b([A-Za-z][\w-]*): value #\d+/,
  ];
  for (const p of patterns) {
    const m = p.exec(message);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

const UNPROCESSABLE: Record<number, string> = {
  16: 'LDAP_NO_SUCH_ATTRIBUTE',
  17: 'LDAP_UNDEFINED_ATTRIBUTE_TYPE',
  18: 'LDAP_INAPPROPRIATE_MATCHING',
  19: 'LDAP_CONSTRAINT_VIOLATION',
  21: 'LDAP_INVALID_ATTRIBUTE_SYNTAX',
  64: 'LDAP_NAMING_VIOLATION',
  65: 'LDAP_OBJECT_CLASS_VIOLATION',
  67: 'LDAP_NOT_ALLOWED_ON_RDN',
  69: 'LDAP_OBJECT_CLASS_MODS_PROHIBITED',
  53: 'LDAP_UNWILLING_TO_PERFORM',
  4: 'LDAP_SIZE_LIMIT_EXCEEDED',
};

/**
 * Maps any error thrown by ldapts to an ApiError. `dn` is added to details when known. Never includes the
 * request's values (a password could be one of them), only the server's diagnostic message.
 */
export function mapLdapError(e: unknown, ctx: { dn?: string; op?: string } = {}): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof ResultCodeError) {
    const diag = (e.message ?? '').slice(0, 300);
    const details: Record<string, unknown> = { ldap_code: e.code };
    if (ctx.dn) details.dn = ctx.dn;
    switch (e.code) {
      case 49:
        return new InvalidCredentialsError();
      case 32:
        return new NotFoundError('LDAP_NO_SUCH_OBJECT', 'No such LDAP entry', details);
      case 68:
        return new ConflictError('LDAP_ENTRY_ALREADY_EXISTS', 'The LDAP entry already exists', details);
      case 20: {
        const attribute = attributeFromMessage(diag);
        return new ConflictError('LDAP_VALUE_EXISTS', attribute ? `Value already present in ${attribute}` : 'Value already present', {
          ...details,
          ...(attribute ? { attribute } : {}),
        });
      }
      case 66:
        return new ConflictError('LDAP_NOT_ALLOWED_ON_NON_LEAF', 'The LDAP entry has children', details);
      case 50:
        return new ForbiddenError('The directory refused this operation (insufficient access rights)', details);
      case 34:
        return new BadRequestError('LDAP_INVALID_DN', 'Invalid DN', details);
      case 51:
      case 52:
      case 80:
        return new DependencyUnavailableError('ldap', e);
      default: {
        const code = UNPROCESSABLE[e.code];
        if (code) {
          const attribute = attributeFromMessage(diag);
          return new UnprocessableError(code, attribute ? `${diag || code} (attribute ${attribute})` : diag || code, {
            ...details,
            ...(attribute ? { attribute } : {}),
          });
        }
        return new ApiError('LDAP_ERROR', 502, `LDAP ${ctx.op ?? 'operation'} failed with result code ${e.code}`, {
          details,
          cause: e,
        });
      }
    }
  }
  if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) {
    return new InternalError('LDAP client error', e);
  }
  // Anything else comes from the transport (refused, reset, timeout, TLS): the directory is unusable.
  return new DependencyUnavailableError('ldap', e);
}

// ---------------------------------------------------------------------------------------------------------
// Filters and entries

/**
 * Parses a filter string into an ldapts Filter. ldapts' parser turns each `\XX` escape into one Latin-1
 * character and re-encodes it as UTF-8, which corrupts escaped non-ASCII values (`é` → `\c3\a9` → 4 bytes).
 * So raw non-ASCII is first escaped, then every parsed value is reinterpreted as the bytes it denotes.
 */
export function parseFilter(filter: string): Filter {
  const ascii = filter.replace(/[^\x00-\x7f]+/g, (s) =>
    [...Buffer.from(s, 'utf8')].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join(''),
  );
  let parsed: Filter;
  try {
    parsed = FilterParser.parseString(ascii);
  } catch {
    throw new BadRequestError('INVALID_LDAP_FILTER', 'Invalid LDAP filter');
  }
  fixFilterValues(parsed);
  return parsed;
}

const bytesToUtf8 = (s: string) => Buffer.from(s, 'latin1').toString('utf8');
const needsFix = (s: string) => /[\x80-\xff]/.test(s);

function fixFilterValues(f: Filter): void {
  const node = f as unknown as Record<string, unknown>;
  if (f instanceof EqualityFilter) {
    if (typeof f.value === 'string' && needsFix(f.value)) f.value = Buffer.from(f.value, 'latin1');
    return;
  }
  for (const key of ['value', 'initial', 'final']) {
    const v = node[key];
    if (typeof v === 'string' && needsFix(v)) node[key] = bytesToUtf8(v);
  }
  if (Array.isArray(node.any)) node.any = (node.any as unknown[]).map((v) => (typeof v === 'string' && needsFix(v) ? bytesToUtf8(v) : v));
  if (Array.isArray(node.filters)) for (const child of node.filters as Filter[]) fixFilterValues(child);
  if (node.filter && typeof node.filter === 'object') fixFilterValues(node.filter as Filter);
}

function toEntry(raw: Record<string, unknown> & { dn: string }): LdapEntry {
  const attrs: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'dn') continue;
    const list = Array.isArray(v) ? v : [v];
    attrs[k] = list.map((x) => (Buffer.isBuffer(x) ? x.toString('base64') : String(x)));
  }
  return { dn: raw.dn, attrs };
}

/** Values of `name` in an entry, matched case-insensitively ([] when absent). */
export function attrValues(entry: LdapEntry, name: string): string[] {
  const direct = entry.attrs[name];
  if (direct) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(entry.attrs)) if (k.toLowerCase() === lower) return v;
  return [];
}

/** First value of `name` or undefined. */
export function attrFirst(entry: LdapEntry, name: string): string | undefined {
  return attrValues(entry, name)[0];
}

function toLdaptsAttrs(attrs: LdapAttributes): Attribute[] {
  return Object.entries(attrs).map(([type, v]) => new Attribute({ type: assertAttributeName(type), values: Array.isArray(v) ? v : [v] }));
}

// ---------------------------------------------------------------------------------------------------------
// Client

export function ldapConfigFromEnv(c: Config = config()): LdapClientConfig {
  return {
    url: c.LDAP_URL,
    baseDn: c.LDAP_BASE_DN,
    bindDn: c.LDAP_BIND_DN,
    bindPassword: c.LDAP_BIND_PASSWORD,
    startTls: c.LDAP_STARTTLS === 'true',
    tlsCaFile: c.LDAP_TLS_CA_FILE,
    timeoutMs: c.LDAP_TIMEOUT_MS,
  };
}

const caCache = new Map<string, Buffer>();
function readCa(file: string): Buffer {
  let ca = caCache.get(file);
  if (!ca) {
    ca = readFileSync(file);
    caCache.set(file, ca);
  }
  return ca;
}

function connectionApi(client: Client): LdapConnection {
  const wrap = async <T>(op: string, dn: string | undefined, fn: () => Promise<T>): Promise<T> => {
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
      return wrap('search', base, async () => {
        const res = await client.search(base, {
          filter,
          scope: opts.scope ?? 'sub',
          attributes,
          sizeLimit: opts.sizeLimit,
          paged: opts.paged,
        });
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
  };
  return api;
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
  const peopleDn = cfg.peopleDn ?? `ou=people,${cfg.baseDn}`;

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

  const withServiceBind = async <T>(fn: (conn: LdapConnection) => Promise<T>): Promise<T> => {
    let client: Client;
    try {
      client = await open();
    } catch (e) {
      throw mapLdapError(e, { op: 'connect' });
    }
    try {
      await serviceBind(client);
      return await fn(connectionApi(client));
    } finally {
      await close(client);
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

    async authenticate(username, password) {
      // Refused before any LDAP traffic: an empty password makes a simple bind "unauthenticated" and succeed.
      if (typeof username !== 'string' || username.length === 0 || username.length > 256) {
        throw new InvalidCredentialsError();
      }
      if (typeof password !== 'string' || password.length === 0) throw new InvalidCredentialsError();
      const filter = username.includes('@') ? or(eq('uid', username), eq('mail', username)) : eq('uid', username);
      const entries = await withServiceBind((c) =>
        c.search(peopleDn, { filter, scope: 'sub', attributes: ['uid', 'cn', 'mail'], sizeLimit: 2 }),
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
      const started = performance.now();
      await withServiceBind(async () => undefined);
      return Math.round((performance.now() - started) * 100) / 100;
    },
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

/** Authenticates a user of ou=people by uid or mail (see LdapClient.authenticate). */
export function authenticate(username: string, password: string, client: LdapClient = ldapClient()): Promise<AuthenticatedUser> {
  return client.authenticate(username, password);
}

/** Service-bind latency in ms, for health checks (throws DependencyUnavailableError). */
export function ping(client: LdapClient = ldapClient()): Promise<number> {
  return client.ping();
}
