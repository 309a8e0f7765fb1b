/**
 * Mail accounts (Heracles §17) on user entries: the primary address is inetOrgPerson's `mail`; an active
 * account also carries misc.schema's AUXILIARY `inetLocalMailRecipient` (alternate addresses in
 * `mailLocalAddress`, `mailHost`) and the project's AUXILIARY `apibibindMailAccount` (forwarding addresses,
 * quota in MiB, enabled flag; local/slapd/schema/55-mail.ldif). Deactivating removes both classes and their
 * attributes and keeps `mail`.
 *
 * An address (primary or alternate) belongs to one entry of the directory: addresses another entry holds in
 * `mail` or `mailLocalAddress` are refused (409), found with an escaped filter. The check and the write are
 * two operations: an `olcOverlay=unique` on mail/mailLocalAddress would close the race in the directory.
 */
import { diffChanges, type AttributeChange } from '../../audit/audit.js';
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../../core/errors.js';
import { dnEquals } from '../../core/dn.js';
import { settingValue } from '../../config-store/store.js';
import { attrFirst, attrValues, eq, or, type LdapChange, type LdapEntry } from '../../providers/ldap/index.js';
import { withDirectory, type IdentityDeps } from '../deps.js';
import { UserNotFoundError } from '../errors.js';
import { findUser } from '../read-users.js';
import { hasClass } from '../user-mapper.js';
import { addressKey } from './address.js';
import type { MailAccountBody } from './schemas.js';

export const MAIL_CLASSES = ['inetLocalMailRecipient', 'apibibindMailAccount'] as const;
export const ALTERNATE_ATTRIBUTE = 'mailLocalAddress';
export const FORWARD_ATTRIBUTE = 'apibibindMailForwardingAddress';
export const QUOTA_ATTRIBUTE = 'apibibindMailQuota';
export const ENABLED_ATTRIBUTE = 'apibibindMailEnabled';
/** Every attribute of the two mail classes (removed on deactivation). */
const ACCOUNT_ATTRIBUTES = [ALTERNATE_ATTRIBUTE, 'mailHost', 'mailRoutingAddress', FORWARD_ATTRIBUTE, QUOTA_ATTRIBUTE, ENABLED_ATTRIBUTE];
const READ_ATTRIBUTES = ['objectClass', 'uid', 'mail', ...ACCOUNT_ATTRIBUTES];

export class MailNotActiveError extends NotFoundError {
  constructor(uid: string) {
    super('MAIL_NOT_ACTIVE', `User '${uid}' has no active mail account`, { uid });
    this.name = 'MailNotActiveError';
  }
}

export class MailRequiredError extends UnprocessableError {
  constructor(uid: string) {
    super('MAIL_REQUIRED', `User '${uid}' has no mail address: give one in 'mail'`, { field: 'mail', uid });
    this.name = 'MailRequiredError';
  }
}

export class MailAddressInUseError extends ConflictError {
  constructor(address: string, field: string, owner: string) {
    super('MAIL_ADDRESS_IN_USE', `The address '${address}' is already used by '${owner}'`, { field, address, dn: owner });
    this.name = 'MailAddressInUseError';
  }
}

export interface MailAccountView {
  uid: string;
  dn: string;
  active: boolean;
  mail: string | null;
  mailAlternateAddress: string[];
  mailForwardingAddress: string[];
  mailHost: string | null;
  mailQuota: number | null;
  mailEnabled: boolean;
}

export const isMailActive = (e: LdapEntry) => MAIL_CLASSES.some((c) => hasClass(e, c));

export function toMailView(entry: LdapEntry): MailAccountView {
  const active = isMailActive(entry);
  const quota = attrFirst(entry, QUOTA_ATTRIBUTE);
  return {
    uid: attrFirst(entry, 'uid') ?? '',
    dn: entry.dn,
    active,
    mail: attrFirst(entry, 'mail') ?? null,
    mailAlternateAddress: attrValues(entry, ALTERNATE_ATTRIBUTE),
    mailForwardingAddress: attrValues(entry, FORWARD_ATTRIBUTE),
    mailHost: attrFirst(entry, 'mailHost') ?? null,
    mailQuota: quota !== undefined && /^\d+$/.test(quota) ? Number(quota) : null,
    mailEnabled: active && (attrFirst(entry, ENABLED_ATTRIBUTE) ?? 'TRUE').toUpperCase() === 'TRUE',
  };
}

/** Values without case-insensitive repeats (the attributes match with caseIgnoreIA5Match). */
const uniqueCi = (values: string[]) => values.filter((v, i) => values.findIndex((w) => addressKey(w) === addressKey(v)) === i);

const auditState = ({ uid: _u, dn: _d, ...rest }: MailAccountView) => rest;

/** The user with this uid anywhere under the base (department people included), or null. */
export const findMailUser = (d: IdentityDeps, uid: string) => findUser(d, uid, READ_ATTRIBUTES);

async function requireMailUser(d: IdentityDeps, uid: string): Promise<LdapEntry> {
  const entry = await findMailUser(d, uid);
  if (!entry) throw new UserNotFoundError(uid, d.baseDn);
  return entry;
}

export async function getMailAccount(d: IdentityDeps, uid: string): Promise<MailAccountView> {
  return toMailView(await requireMailUser(d, uid));
}

/** 400 on an address given twice in the request (primary and alternates together). */
function assertDistinct(primary: string, alternates: string[]): void {
  const seen = new Set([addressKey(primary)]);
  alternates.forEach((a, i) => {
    if (seen.has(addressKey(a)))
      throw new ValidationError([
        { field: `body.mailAlternateAddress.${i}`, code: 'duplicate', message: `${a} is given twice (or is the primary address)` },
      ]);
    seen.add(addressKey(a));
  });
}

/** 409 when another entry holds one of `addresses` in mail or mailLocalAddress. */
async function assertAddressesFree(d: IdentityDeps, self: string, addresses: { address: string; field: string }[]): Promise<void> {
  if (!addresses.length) return;
  const filter = or(...addresses.flatMap(({ address }) => [eq('mail', address), eq(ALTERNATE_ATTRIBUTE, address)]));
  const holders = (await d.ldap.search(d.baseDn, { scope: 'sub', filter, attributes: ['mail', ALTERNATE_ATTRIBUTE] })).filter(
    (e) => !dnEquals(e.dn, self),
  );
  for (const { address, field } of addresses) {
    const owner = holders.find((h) =>
      [...attrValues(h, 'mail'), ...attrValues(h, ALTERNATE_ATTRIBUTE)].some((v) => addressKey(v) === addressKey(address)),
    );
    if (owner) throw new MailAddressInUseError(address, field, owner.dn);
  }
}

/**
 * Activates the mail account (adds the two AUX classes; `mailEnabled` true unless given; quota and host
 * from the `mail.default_*` settings unless given) or updates it. Answers whether it was activated.
 */
export async function saveMailAccount(
  d: IdentityDeps,
  uid: string,
  body: MailAccountBody,
): Promise<{ account: MailAccountView; changes: AttributeChange[]; activated: boolean }> {
  return withDirectory(d, async (d) => {
    const entry = await requireMailUser(d, uid);
    const before = toMailView(entry);
    const activating = !before.active;
    const primary = body.mail ?? before.mail;
    if (!primary) throw new MailRequiredError(uid);
    const alternates = body.mailAlternateAddress ?? before.mailAlternateAddress;
    assertDistinct(primary, alternates);
    const owned = new Set([...attrValues(entry, 'mail'), ...before.mailAlternateAddress].map(addressKey));
    const fresh = [
      ...(owned.has(addressKey(primary)) ? [] : [{ address: primary, field: 'mail' }]),
      ...alternates.filter((a) => !owned.has(addressKey(a))).map((address) => ({ address, field: 'mailAlternateAddress' })),
    ];
    await assertAddressesFree(d, entry.dn, fresh);

    const mods: LdapChange[] = [];
    const missing = MAIL_CLASSES.filter((c) => !hasClass(entry, c));
    if (missing.length) mods.push({ operation: 'add', attribute: 'objectClass', values: [...missing] });
    if (body.mail !== undefined && body.mail !== before.mail) mods.push({ operation: 'replace', attribute: 'mail', values: [body.mail] });
    const list = (attribute: string, next: string[] | undefined, old: string[]) => {
      if (next === undefined || JSON.stringify(next) === JSON.stringify(old)) return;
      if (next.length) mods.push({ operation: 'replace', attribute, values: uniqueCi(next) });
      else if (old.length) mods.push({ operation: 'delete', attribute });
    };
    list(ALTERNATE_ATTRIBUTE, body.mailAlternateAddress, before.mailAlternateAddress);
    list(FORWARD_ATTRIBUTE, body.mailForwardingAddress, before.mailForwardingAddress);
    const single = (attribute: string, next: string | null | undefined, old: string | null) => {
      if (next === undefined || next === old) return;
      if (next === null) {
        if (old !== null) mods.push({ operation: 'delete', attribute });
      } else mods.push({ operation: 'replace', attribute, values: [next] });
    };
    let host = body.mailHost;
    let quota = body.mailQuota;
    if (activating) {
      if (host === undefined && before.mailHost === null) host = (await settingValue<string>(d.db, 'mail.default_host')) || undefined;
      if (quota === undefined && before.mailQuota === null)
        quota = (await settingValue<number>(d.db, 'mail.default_quota_mb')) || undefined;
    }
    single('mailHost', host, before.mailHost);
    single(
      QUOTA_ATTRIBUTE,
      quota === undefined || quota === null ? quota : String(quota),
      before.mailQuota === null ? null : String(before.mailQuota),
    );
    const enabled = body.mailEnabled ?? (activating ? true : before.mailEnabled);
    if (activating || enabled !== before.mailEnabled)
      mods.push({ operation: 'replace', attribute: ENABLED_ATTRIBUTE, values: [enabled ? 'TRUE' : 'FALSE'] });

    if (mods.length) await d.ldap.modify(entry.dn, mods);
    const account = toMailView(await requireMailUser(d, uid));
    const changes = diffChanges(auditState(before), auditState(account));
    if (missing.length) changes.push({ attribute: 'objectClass', old: null, new: missing });
    return { account, changes, activated: activating };
  });
}

/** Removes the mail classes and their attributes; `mail` stays. 404 MAIL_NOT_ACTIVE when not active. */
export async function deactivateMailAccount(d: IdentityDeps, uid: string): Promise<{ dn: string; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const entry = await requireMailUser(d, uid);
    if (!isMailActive(entry)) throw new MailNotActiveError(uid);
    const before = toMailView(entry);
    const present = MAIL_CLASSES.filter((c) => hasClass(entry, c));
    const mods: LdapChange[] = ACCOUNT_ATTRIBUTES.filter((a) => attrValues(entry, a).length).map((attribute) => ({
      operation: 'delete' as const,
      attribute,
    }));
    mods.push({ operation: 'delete', attribute: 'objectClass', values: [...present] });
    await d.ldap.modify(entry.dn, mods);
    const after = toMailView(await requireMailUser(d, uid));
    return {
      dn: entry.dn,
      changes: [...diffChanges(auditState(before), auditState(after)), { attribute: 'objectClass', old: present, new: null }],
    };
  });
}
