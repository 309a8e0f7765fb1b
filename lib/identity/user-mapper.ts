/** LDAP entry ↔ API JSON for users (`GET/POST/PUT /users`). userPassword never leaves the directory. */
import { attrFirst, attrValues, escapeDnValue, type LdapAttributes, type LdapEntry } from '../providers/ldap/index.js';
import { isoFromGeneralizedTime } from './deps.js';

export const USER_STRING_ATTRIBUTES = [
  'uid',
  'cn',
  'sn',
  'givenName',
  'mail',
  'telephoneNumber',
  'mobile',
  'title',
  'displayName',
  'description',
  'employeeNumber',
  'homeDirectory',
  'loginShell',
  'gecos',
] as const;
export const USER_NUMBER_ATTRIBUTES = [
  'uidNumber',
  'gidNumber',
  'shadowLastChange',
  'shadowMax',
  'shadowMin',
  'shadowWarning',
  'shadowInactive',
  'shadowExpire',
] as const;

/** What is read for a user: the view's attributes, the lock time and what tells the tabs. */
export const USER_READ_ATTRIBUTES = [
  'objectClass',
  ...USER_STRING_ATTRIBUTES,
  ...USER_NUMBER_ATTRIBUTES,
  'pwdAccountLockedTime',
  'sshPublicKey',
];

/** Fields of the view that `attributes=` may select (dn and uid are always returned). */
export const USER_VIEW_FIELDS = ['objectClass', ...USER_STRING_ATTRIBUTES, ...USER_NUMBER_ATTRIBUTES, 'locked', 'locked_at'];

export const POSIX_CLASSES = ['posixAccount', 'shadowAccount'];

export const userDn = (uid: string, peopleDn: string) => `uid=${escapeDnValue(uid)},${peopleDn}`;

export const hasClass = (entry: LdapEntry, cls: string) =>
  attrValues(entry, 'objectClass').some((c) => c.toLowerCase() === cls.toLowerCase());

export type UserView = Record<string, unknown> & { dn: string; uid: string };

export function toUserView(entry: LdapEntry, extra: { sudo?: boolean } = {}): UserView {
  const view: UserView = { dn: entry.dn, uid: attrFirst(entry, 'uid') ?? '' };
  for (const a of USER_STRING_ATTRIBUTES) {
    const v = attrFirst(entry, a);
    if (v !== undefined && a !== 'uid') view[a] = v;
  }
  view.objectClass = attrValues(entry, 'objectClass');
  for (const a of USER_NUMBER_ATTRIBUTES) {
    const v = attrFirst(entry, a);
    if (v !== undefined && /^-?\d+$/.test(v)) view[a] = Number(v);
  }
  const lockedAt = attrFirst(entry, 'pwdAccountLockedTime');
  view.locked = lockedAt !== undefined;
  if (lockedAt !== undefined) view.locked_at = isoFromGeneralizedTime(lockedAt) ?? lockedAt;
  view.tabs = {
    posix: hasClass(entry, 'posixAccount'),
    sudo: extra.sudo ?? false,
    ssh: attrValues(entry, 'sshPublicKey').length > 0,
  };
  return view;
}

/** Keeps dn, uid and the selected fields (validated against USER_VIEW_FIELDS by the caller). */
export function selectFields(view: UserView, fields: string[] | undefined): UserView {
  if (!fields?.length) return view;
  const out: UserView = { dn: view.dn, uid: view.uid };
  for (const f of fields) if (view[f] !== undefined) out[f] = view[f];
  return out;
}

/** The audited state of a user: the view without derived fields. */
export function auditState(view: UserView | undefined): Record<string, unknown> | undefined {
  if (!view) return undefined;
  const { tabs: _t, locked_at: _l, dn: _d, ...rest } = view;
  return rest;
}

/** LDAP attributes of a new user, from the validated create body and its allocated POSIX numbers. */
export function newUserAttributes(
  body: {
    uid: string;
    cn: string;
    sn: string;
    posix?: { homeDirectory?: string; loginShell?: string; gecos?: string } | undefined;
  } & Record<string, unknown>,
  numbers?: { uidNumber: number; gidNumber: number },
): LdapAttributes {
  const attrs: LdapAttributes = { objectClass: ['inetOrgPerson'], uid: body.uid, cn: body.cn, sn: body.sn };
  for (const a of USER_STRING_ATTRIBUTES) {
    const v = body[a];
    if (typeof v === 'string' && !(a in attrs)) attrs[a] = v;
  }
  if (body.posix && numbers) {
    attrs.objectClass = ['inetOrgPerson', ...POSIX_CLASSES];
    attrs.uidNumber = String(numbers.uidNumber);
    attrs.gidNumber = String(numbers.gidNumber);
    attrs.homeDirectory = body.posix.homeDirectory ?? `/home/${body.uid}`;
    if (body.posix.loginShell) attrs.loginShell = body.posix.loginShell;
    if (body.posix.gecos) attrs.gecos = body.posix.gecos;
  }
  return attrs;
}
