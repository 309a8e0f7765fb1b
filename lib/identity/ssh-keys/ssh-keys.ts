/**
 * A user's SSH public keys (Heracles §7), stored as OpenSSH-LPK: one `sshPublicKey` value per key line on
 * the user's entry, with the AUXILIARY `ldapPublicKey` class added with the first key and removed with the
 * last one (the class MUSTs sshPublicKey). `AuthorizedKeysCommand` tools read these values as they are.
 *
 * The key id is its OpenSSH fingerprint. LDAP keeps no per-value timestamps, so the table keeps a small
 * record per key added through the API (`SSHKEY#<uid>` / `<fingerprint>`: added_at, added_by); keys added
 * by other tools show the entry's modifyTimestamp instead.
 */
import type { AttributeChange } from '../../audit/audit.js';
import { logger } from '../../core/logger.js';
import { attrFirst, attrValues, type LdapChange, type LdapEntry } from '../../providers/ldap/index.js';
import { isoFromGeneralizedTime, type IdentityDeps } from '../deps.js';
import { retryOnRace, type RetryOptions } from '../directory-writes.js';
import { SshKeyExistsError, SshKeyNotFoundError } from '../errors.js';
import { requireUser } from '../read-users.js';
import { hasClass } from '../user-mapper.js';
import { describeStoredKey, normalizeFingerprint, parseSshPublicKey } from './parse.js';

export const SSH_KEY_CLASS = 'ldapPublicKey';
export const SSH_KEY_ATTRIBUTE = 'sshPublicKey';

export interface SshKeyView {
  id: string;
  type: string;
  fingerprint: string;
  comment: string | null;
  added_at: string | null;
}

interface StoredKey {
  value: string;
  type: string;
  fingerprint: string;
  comment: string | null;
}

const recordPk = (uid: string) => `SSHKEY#${uid}`;

/** The user's entry (anywhere below the base) with what the keys need (keys, classes, modifyTimestamp), or 404. */
export const requireKeyOwner = (d: IdentityDeps, uid: string): Promise<LdapEntry> =>
  requireUser(d, uid, ['objectClass', 'uid', SSH_KEY_ATTRIBUTE, 'modifyTimestamp']);

/** The entry's key values that hold a decodable key (others are left alone, and not listed). */
function storedKeys(entry: LdapEntry): StoredKey[] {
  const out: StoredKey[] = [];
  for (const value of attrValues(entry, SSH_KEY_ATTRIBUTE)) {
    const k = describeStoredKey(value);
    if (k) out.push({ value, ...k });
  }
  return out;
}

async function addedAtRecords(d: IdentityDeps, uid: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const item of d.db.items({
    TableName: d.db.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': recordPk(uid) },
  })) {
    if (typeof item.added_at === 'string') out.set(String(item.sk), item.added_at);
  }
  return out;
}

export async function listSshKeys(d: IdentityDeps, uid: string): Promise<SshKeyView[]> {
  const entry = await requireKeyOwner(d, uid);
  const keys = storedKeys(entry);
  if (!keys.length) return [];
  const records = await addedAtRecords(d, uid);
  const modified = isoFromGeneralizedTime(attrFirst(entry, 'modifyTimestamp'));
  const seen = new Set<string>();
  const views: SshKeyView[] = [];
  for (const k of keys) {
    if (seen.has(k.fingerprint)) continue; // the same key twice (other comment): one id, one entry
    seen.add(k.fingerprint);
    views.push({
      id: k.fingerprint,
      type: k.type,
      fingerprint: k.fingerprint,
      comment: k.comment,
      added_at: records.get(k.fingerprint) ?? modified,
    });
  }
  return views;
}

/** Directory conflicts a concurrent change to the same entry's keys can cause: read again and retry. */
const KEY_RACE: RetryOptions = {
  codes: new Set(['LDAP_VALUE_EXISTS', 'LDAP_NO_SUCH_ATTRIBUTE', 'LDAP_OBJECT_CLASS_VIOLATION']),
  attempts: 3,
};

/**
 * Adds a key (validated by parseSshPublicKey: 400 INVALID_SSH_KEY) to the user: 404 USER_NOT_FOUND,
 * 409 SSH_KEY_EXISTS when the user already has a key with this fingerprint (whatever its comment).
 */
export async function addSshKey(
  d: IdentityDeps,
  uid: string,
  publicKey: string,
  actorDn: string,
): Promise<{ key: SshKeyView; dn: string; changes: AttributeChange[] }> {
  const parsed = parseSshPublicKey(publicKey);
  const { entry, classAdded } = await retryOnRace(async () => {
    const entry = await requireKeyOwner(d, uid);
    if (storedKeys(entry).some((k) => k.fingerprint === parsed.fingerprint)) throw new SshKeyExistsError(uid, parsed.fingerprint);
    const classAdded = !hasClass(entry, SSH_KEY_CLASS);
    const mods: LdapChange[] = [
      ...(classAdded ? [{ operation: 'add' as const, attribute: 'objectClass', values: [SSH_KEY_CLASS] }] : []),
      { operation: 'add', attribute: SSH_KEY_ATTRIBUTE, values: [parsed.line] },
    ];
    await d.ldap.modify(entry.dn, mods);
    return { entry, classAdded };
  }, KEY_RACE);
  const addedAt = d
    .now()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z');
  try {
    await d.db.put({
      TableName: d.db.table,
      Item: { pk: recordPk(uid), sk: parsed.fingerprint, added_at: addedAt, added_by: actorDn, type: parsed.type, dn: entry.dn },
    });
  } catch (e) {
    // The key is in the directory (what sshd reads): without its record it shows the entry's modifyTimestamp.
    logger.warn('SSH key record not written', { uid, fingerprint: parsed.fingerprint, error: (e as Error)?.message });
  }
  const changes: AttributeChange[] = [{ attribute: SSH_KEY_ATTRIBUTE, old: null, new: parsed.fingerprint }];
  if (classAdded) changes.push({ attribute: 'objectClass', old: null, new: SSH_KEY_CLASS });
  return {
    key: { id: parsed.fingerprint, type: parsed.type, fingerprint: parsed.fingerprint, comment: parsed.comment, added_at: addedAt },
    dn: entry.dn,
    changes,
  };
}

/**
 * Removes the key `id` (its fingerprint, `SHA256:` prefix optional, base64url accepted) from the user, every
 * value holding it: 404 USER_NOT_FOUND, 404 SSH_KEY_NOT_FOUND. The last key takes ldapPublicKey with it.
 */
export async function deleteSshKey(
  d: IdentityDeps,
  uid: string,
  id: string,
): Promise<{ fingerprint: string; dn: string; changes: AttributeChange[] }> {
  const fingerprint = normalizeFingerprint(id);
  const { entry, classRemoved } = await retryOnRace(async () => {
    const entry = await requireKeyOwner(d, uid);
    const all = attrValues(entry, SSH_KEY_ATTRIBUTE);
    const matching = fingerprint ? storedKeys(entry).filter((k) => k.fingerprint === fingerprint) : [];
    if (!matching.length) throw new SshKeyNotFoundError(uid, id);
    const classRemoved = matching.length === all.length && hasClass(entry, SSH_KEY_CLASS);
    const mods: LdapChange[] = [
      { operation: 'delete', attribute: SSH_KEY_ATTRIBUTE, values: matching.map((k) => k.value) },
      ...(classRemoved ? [{ operation: 'delete' as const, attribute: 'objectClass', values: [SSH_KEY_CLASS] }] : []),
    ];
    await d.ldap.modify(entry.dn, mods);
    return { entry, classRemoved };
  }, KEY_RACE);
  await d.db.delete({ TableName: d.db.table, Key: { pk: recordPk(uid), sk: fingerprint } });
  const changes: AttributeChange[] = [{ attribute: SSH_KEY_ATTRIBUTE, old: fingerprint, new: null }];
  if (classRemoved) changes.push({ attribute: 'objectClass', old: SSH_KEY_CLASS, new: null });
  return { fingerprint: fingerprint!, dn: entry.dn, changes };
}
