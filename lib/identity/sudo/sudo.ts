/**
 * Sudo rules (Heracles §6): `sudoRole` entries under `ou=sudoers,<base>`, in the layout sudo-ldap and sssd
 * read (sudoers.ldap(5)): one entry per rule, its cn the rule's name; `cn=defaults` holds global options.
 * The container is created on the first rule (idempotent).
 */
import { diffChanges, type AttributeChange } from '../../audit/audit.js';
import type { FilterClause } from '../../http/filter.js';
import {
  attrFirst,
  attrValues,
  eq,
  escapeDnValue,
  type LdapAttributes,
  type LdapChange,
  type LdapEntry,
} from '../../providers/ldap/index.js';
import { withDirectory, type IdentityDeps } from '../deps.js';
import { addEntry, ensureContainer, fieldChange } from '../directory-writes.js';
import { RequiredAttributeError } from '../errors.js';
import { assertSubstringFilters, clausesToLdap } from '../list-filter.js';
import { listPage } from '../vlv.js';
import { SudoIntervalError, SudoRuleExistsError, SudoRuleNotFoundError } from './errors.js';
import { SUDO_SUBSTRING_ATTRIBUTES, type CreateSudoRuleBody, type SudoRuleView, type UpdateSudoRuleBody } from './schemas.js';
import { isoFromStored, parseInstant, SUDO_DEFAULTS_CN } from './syntax.js';

const SUDO_ROLE = eq('objectClass', 'sudoRole');
const LIST_ATTRIBUTES = ['sudoUser', 'sudoHost', 'sudoCommand', 'sudoRunAsUser', 'sudoRunAsGroup', 'sudoOption'] as const;
const RULE_ATTRIBUTES = ['objectClass', 'cn', 'description', ...LIST_ATTRIBUTES, 'sudoOrder', 'sudoNotBefore', 'sudoNotAfter'];
/** What a rule (not `defaults`) cannot do without. */
const REQUIRED = ['sudoUser', 'sudoHost', 'sudoCommand'] as const;

export const sudoersDn = (d: IdentityDeps) => `ou=sudoers,${d.baseDn}`;
export const sudoRuleDn = (d: IdentityDeps, cn: string) => `cn=${escapeDnValue(cn)},${sudoersDn(d)}`;

export function toSudoRuleView(entry: LdapEntry): SudoRuleView {
  const view: SudoRuleView = {
    dn: entry.dn,
    cn: attrFirst(entry, 'cn') ?? '',
    sudoUser: attrValues(entry, 'sudoUser'),
    sudoHost: attrValues(entry, 'sudoHost'),
    sudoCommand: attrValues(entry, 'sudoCommand'),
  };
  const description = attrFirst(entry, 'description');
  if (description !== undefined) view.description = description;
  for (const a of ['sudoRunAsUser', 'sudoRunAsGroup', 'sudoOption'] as const) {
    const v = attrValues(entry, a);
    if (v.length) view[a] = v;
  }
  const order = attrFirst(entry, 'sudoOrder');
  if (order !== undefined) view.sudoOrder = Number(order);
  for (const a of ['sudoNotBefore', 'sudoNotAfter'] as const) {
    const v = attrFirst(entry, a);
    if (v !== undefined) view[a] = isoFromStored(v);
  }
  return view;
}

export async function findSudoRule(d: IdentityDeps, cn: string): Promise<LdapEntry | null> {
  const entry = await d.ldap.get(sudoRuleDn(d, cn), RULE_ATTRIBUTES);
  const isRule = entry && attrValues(entry, 'objectClass').some((c) => c.toLowerCase() === 'sudorole');
  return isRule ? entry : null;
}

export async function requireSudoRule(d: IdentityDeps, cn: string): Promise<LdapEntry> {
  const entry = await findSudoRule(d, cn);
  if (!entry) throw new SudoRuleNotFoundError(cn, sudoersDn(d));
  return entry;
}

/** One page sorted by cn, cut by the directory (SSS + VLV), with the total; no container yet = no rules. */
export async function listSudoRules(
  d: IdentityDeps,
  q: { limit: number; offset: number; filter: FilterClause[] },
): Promise<{ data: SudoRuleView[]; total: number }> {
  assertSubstringFilters(q.filter, SUDO_SUBSTRING_ATTRIBUTES);
  const { entries, total } = await listPage(
    d.ldap,
    {
      base: sudoersDn(d),
      scope: 'one',
      filter: clausesToLdap(SUDO_ROLE, q.filter),
      attributes: RULE_ATTRIBUTES,
      sortBy: 'cn',
      limit: q.limit,
      offset: q.offset,
    },
    { emptyWhenNoBase: true },
  );
  return { data: entries.map(toSudoRuleView), total };
}

const auditState = (v: SudoRuleView | undefined) => {
  if (!v) return undefined;
  const { dn: _dn, ...rest } = v;
  return rest;
};

function checkInterval(notBefore: string | undefined, notAfter: string | undefined): void {
  if (!notBefore || !notAfter) return;
  const b = parseInstant(notBefore);
  const a = parseInstant(notAfter);
  if (a && b && b.getTime() >= a.getTime()) throw new SudoIntervalError(isoFromStored(notBefore), isoFromStored(notAfter));
}

export async function createSudoRule(
  d: IdentityDeps,
  body: CreateSudoRuleBody,
): Promise<{ rule: SudoRuleView; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const dn = sudoRuleDn(d, body.cn);
    if (await d.ldap.get(dn, ['cn'])) throw new SudoRuleExistsError(body.cn, dn);
    await ensureContainer(d, 'sudoers');
    const attrs: LdapAttributes = { objectClass: ['top', 'sudoRole'], cn: body.cn };
    if (body.description !== undefined) attrs.description = body.description;
    for (const a of LIST_ATTRIBUTES) if (body[a]) attrs[a] = body[a];
    if (body.sudoOrder !== undefined) attrs.sudoOrder = String(body.sudoOrder);
    if (body.sudoNotBefore !== undefined) attrs.sudoNotBefore = body.sudoNotBefore;
    if (body.sudoNotAfter !== undefined) attrs.sudoNotAfter = body.sudoNotAfter;
    await addEntry(d, dn, attrs, () => new SudoRuleExistsError(body.cn, dn));
    const rule = toSudoRuleView(await requireSudoRule(d, body.cn));
    return { rule, changes: diffChanges(undefined, auditState(rule)) };
  });
}

/** Replaces the given attributes (lists as a whole); `null` removes one; sudoUser/sudoHost/sudoCommand stay required. */
export async function updateSudoRule(
  d: IdentityDeps,
  cn: string,
  body: UpdateSudoRuleBody,
): Promise<{ rule: SudoRuleView; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const entry = await requireSudoRule(d, cn);
    const before = toSudoRuleView(entry);
    const isDefaults = before.cn.toLowerCase() === SUDO_DEFAULTS_CN;
    const mods: LdapChange[] = [];
    const set = (attribute: string, value: string | string[] | null | undefined) => {
      const change = fieldChange(attribute, value, attrValues(entry, attribute).length > 0);
      if (change) mods.push(change);
    };
    for (const a of REQUIRED) if (body[a] === null && !isDefaults) throw new RequiredAttributeError(a);
    set('description', body.description);
    for (const a of LIST_ATTRIBUTES) set(a, body[a]);
    set('sudoOrder', body.sudoOrder === undefined || body.sudoOrder === null ? body.sudoOrder : String(body.sudoOrder));
    set('sudoNotBefore', body.sudoNotBefore);
    set('sudoNotAfter', body.sudoNotAfter);
    const after = (a: 'sudoNotBefore' | 'sudoNotAfter') => (body[a] === undefined ? attrFirst(entry, a) : (body[a] ?? undefined));
    checkInterval(after('sudoNotBefore'), after('sudoNotAfter'));
    if (mods.length) await d.ldap.modify(entry.dn, mods);
    const rule = toSudoRuleView(await requireSudoRule(d, cn));
    return { rule, changes: diffChanges(auditState(before), auditState(rule)) };
  });
}

export async function deleteSudoRule(d: IdentityDeps, cn: string): Promise<{ dn: string; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const entry = await requireSudoRule(d, cn);
    await d.ldap.del(entry.dn);
    return { dn: entry.dn, changes: diffChanges(auditState(toSudoRuleView(entry)), undefined) };
  });
}
