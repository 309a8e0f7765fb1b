/**
 * Write patterns every identity area repeats on the directory: a container created on first use, an entry
 * added under a name that may already be taken, a read-then-write retried when a concurrent writer got
 * there first, and a `null`-removes partial update.
 */
import { ApiError, ConflictError } from '../core/errors.js';
import { escapeDnValue, type LdapAttributes, type LdapChange } from '../providers/ldap/index.js';
import type { IdentityDeps } from './deps.js';

const isEntryExists = (e: unknown) => e instanceof ConflictError && e.code === 'LDAP_ENTRY_ALREADY_EXISTS';

/**
 * Creates the organizationalUnit `ou=<ou>,<parent>` (default parent: the base) unless it exists, and answers
 * its DN. Idempotent and safe under concurrency: a container another request just created is fine.
 *
 * @example await ensureContainer(d, 'sudoers') // → 'ou=sudoers,dc=example,dc=com'
 */
export async function ensureContainer(d: Pick<IdentityDeps, 'ldap' | 'baseDn'>, ou: string, parent = d.baseDn): Promise<string> {
  const dn = `ou=${escapeDnValue(ou)},${parent}`;
  if (await d.ldap.get(dn, ['1.1'])) return dn;
  try {
    await d.ldap.add(dn, { objectClass: ['organizationalUnit'], ou });
  } catch (e) {
    if (!isEntryExists(e)) throw e;
  }
  return dn;
}

/**
 * Adds an entry; when the DN is taken (LDAP entryAlreadyExists, e.g. a concurrent creation that passed the
 * same existence check) throws the area's own conflict error instead.
 *
 * @example await addEntry(d, dn, attrs, () => new UserExistsError(uid, dn))
 */
export async function addEntry(d: Pick<IdentityDeps, 'ldap'>, dn: string, attrs: LdapAttributes, exists: () => ApiError): Promise<void> {
  try {
    await d.ldap.add(dn, attrs);
  } catch (e) {
    throw isEntryExists(e) ? exists() : e;
  }
}

export interface RetryOptions {
  /** The ApiError codes (mapped LDAP results) that mean "someone else changed it meanwhile". */
  codes: ReadonlySet<string>;
  attempts: number;
  /** Pause before attempt i+1, ms (default none). */
  pauseMs?: (attempt: number) => number;
}

/**
 * Runs a read-then-write `attempt` again when it fails with one of `codes` (the entry changed between the
 * read and the write); any other error, or the last attempt's, is thrown.
 */
export async function retryOnRace<T>(attempt: () => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (i >= opts.attempts || !(e instanceof ApiError) || !opts.codes.has(e.code)) throw e;
      const pause = opts.pauseMs?.(i) ?? 0;
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    }
  }
}

/**
 * The modification a partial update asks for on one attribute: `undefined` nothing, `null` removes it (only
 * when `present`: deleting an absent attribute is an LDAP error), a value (or list) replaces it.
 */
export function fieldChange(attribute: string, value: string | string[] | null | undefined, present: boolean): LdapChange | undefined {
  if (value === undefined) return undefined;
  if (value === null) return present ? { operation: 'delete', attribute } : undefined;
  return { operation: 'replace', attribute, values: Array.isArray(value) ? value : [value] };
}
