/** Public types of the LDAP provider (configuration, entries, search options, connections). */
import type { Control } from 'ldapts';

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
  /**
   * Service-bound connections kept between requests (pool.ts): `false` opens one per operation sequence
   * (the behaviour before pooling). Default: up to 2 idle, closed after 15 s idle.
   */
  pool?: false | { maxIdle?: number; idleMs?: number; prewarm?: boolean };
  /** Where login looks for users (default the whole `baseDn`: the base's people and every department's). */
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
  /**
   * Request controls (controls.ts: Server Side Sorting, Virtual List View, …). The response controls the
   * server sends back are parsed into these same instances (matched by their `responseType`).
   */
  controls?: Control[];
}

/** What an extended operation answered: the response name and value, when the server sent them. */
export interface LdapExopResult {
  oid?: string;
  value?: string;
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
  /** An extended operation (RFC 4511 §4.12); `value` is the encoded request value (extended.ts). */
  exop(oid: string, value?: Buffer | string, controls?: Control[]): Promise<LdapExopResult>;
  /**
   * Sets `dn`'s password with the Password Modify extended operation (RFC 3062): the server hashes it
   * (slapd: olcPasswordHash) and applies its password policy.
   */
  passwordModify(dn: string, newPassword: string): Promise<void>;
}

export interface LdapClient extends LdapConnection {
  readonly config: Readonly<LdapClientConfig>;
  /** Verifies `dn`/`password` with a simple bind on a fresh connection. Empty passwords are refused. */
  bind(dn: string, password: string): Promise<void>;
  /**
   * Runs `fn` with one connection bound as the service account (closed when `fn` settles). Use it for a
   * sequence of operations; `pinnedClient(client, conn)` turns `conn` back into a client for code that takes one.
   */
  withServiceBind<T>(fn: (conn: LdapConnection) => Promise<T>): Promise<T>;
  /** Finds the person by uid (or mail) below the base (or `peopleDn`) and binds as it; ambiguous = refused. */
  authenticate(username: string, password: string): Promise<AuthenticatedUser>;
  /** Connects and service-binds on a fresh connection; answers the latency in ms (throws DependencyUnavailableError). */
  ping(): Promise<number>;
  /** Closes the pooled idle connections (tests, shutdown). */
  drain(): Promise<void>;
}
