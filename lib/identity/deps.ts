import type { Config } from '../core/config.js';
import { createLdapClient, ldapConfigFromEnv, pinnedClient, type LdapClient } from '../providers/ldap/index.js';
import type { Db } from '../store/dynamo.js';

/** What the identity use cases are given: the directory (the LDAP provider), the table, a clock. */
export interface IdentityDeps {
  ldap: LdapClient;
  db: Db;
  baseDn: string;
  peopleDn: string;
  groupsDn: string;
  now: () => Date;
}

export function createIdentityDeps(cfg: Config, db: Db): IdentityDeps {
  const ldapCfg = ldapConfigFromEnv(cfg);
  return {
    ldap: createLdapClient(ldapCfg),
    db,
    baseDn: cfg.LDAP_BASE_DN,
    peopleDn: `ou=people,${cfg.LDAP_BASE_DN}`,
    groupsDn: `ou=groups,${cfg.LDAP_BASE_DN}`,
    now: () => new Date(),
  };
}

/**
 * Runs a use case with all its service-bound LDAP operations on one connection: `fn` gets deps whose `ldap`
 * is pinned to it (nested calls reuse it). Binds as a user (`ldap.bind`) still open their own connection.
 */
export function withDirectory<T>(d: IdentityDeps, fn: (d: IdentityDeps) => Promise<T>): Promise<T> {
  return d.ldap.withServiceBind((conn) => fn({ ...d, ldap: pinnedClient(d.ldap, conn) }));
}

/** RFC 4517 GeneralizedTime (UTC, seconds): `20260117103000Z`. */
export const generalizedTime = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/** `20260117103000Z` → `2026-01-17T10:30:00Z` (null when not a GeneralizedTime). */
export function isoFromGeneralizedTime(v: string | undefined): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(v ?? '');
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
}
