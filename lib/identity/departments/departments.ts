/**
 * Departments (Heracles §14): an `organizationalUnit` + the AUXILIARY class `apibibindDepartment`
 * (local/slapd/schema/50-departments.ldif), directly under the base or under another department, with its
 * own `ou=people` and `ou=groups` containers. A department's DN is the tenancy scope of the ACL: a subtree
 * assignment on it covers its sub-departments, people and groups.
 */
import { diffChanges, type AttributeChange } from '../../audit/audit.js';
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../../core/errors.js';
import { dnEquals, isDnWithin, normalizeDn, parseDn } from '../../core/dn.js';
import type { FilterClause } from '../../http/filter.js';
import {
  and,
  attrFirst,
  attrValues,
  eq,
  escapeDnValue,
  type LdapAttributes,
  type LdapChange,
  type LdapEntry,
} from '../../providers/ldap/index.js';
import { withDirectory, type IdentityDeps } from '../deps.js';
import { addEntry, fieldChange } from '../directory-writes.js';
import { clausesToLdap } from '../list-filter.js';
import { listPage } from '../vlv.js';
import type { CreateDepartmentBody, DepartmentNode, UpdateDepartmentBody } from './schemas.js';

export const DEPARTMENT_CLASS = 'apibibindDepartment';
export const MANAGER_ATTRIBUTE = 'apibibindDepartmentManager';
export const CODE_ATTRIBUTE = 'apibibindDepartmentCode';
/** The containers every department gets. */
export const DEPARTMENT_CONTAINERS = ['people', 'groups'] as const;

const DEPARTMENT = and(eq('objectClass', 'organizationalUnit'), eq('objectClass', DEPARTMENT_CLASS));
const ATTRIBUTES = ['objectClass', 'ou', 'description', MANAGER_ATTRIBUTE, CODE_ATTRIBUTE];

// ---------------------------------------------------------------------------------------------------------
// Errors

export class DepartmentNotFoundError extends NotFoundError {
  constructor(dn: string) {
    super('DEPARTMENT_NOT_FOUND', `Department '${dn}' not found`, { dn });
    this.name = 'DepartmentNotFoundError';
  }
}

export class DepartmentExistsError extends ConflictError {
  constructor(dn: string) {
    super('DEPARTMENT_EXISTS', `An entry '${dn}' already exists`, { dn });
    this.name = 'DepartmentExistsError';
  }
}

export class DepartmentNotEmptyError extends ConflictError {
  constructor(dn: string, children: string[]) {
    super('DEPARTMENT_NOT_EMPTY', `Department '${dn}' has ${children.length} entries below it (use ?recursive=true)`, {
      dn,
      children: children.length,
      sample: children.slice(0, 10),
    });
    this.name = 'DepartmentNotEmptyError';
  }
}

/** `parent_dn` names neither the base nor a department, or lies inside the department being moved. */
export class InvalidParentError extends UnprocessableError {
  constructor(parentDn: string, reason: string) {
    super('INVALID_PARENT', `Invalid parent '${parentDn}': ${reason}`, { field: 'parent_dn', parent_dn: parentDn });
    this.name = 'InvalidParentError';
  }
}

export class ManagerNotFoundError extends UnprocessableError {
  constructor(dn: string) {
    super('MANAGER_NOT_FOUND', `The manager '${dn}' is not an entry of the directory`, { field: 'manager', manager: dn });
    this.name = 'ManagerNotFoundError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// DNs

/** The DN without its first RDN (text kept as written: escapes and quotes respected). */
export function parentDnOf(dn: string): string {
  let quoted = false;
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i];
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ',' || c === ';')) return dn.slice(i + 1).trim();
  }
  return '';
}

/**
 * A DN given by the client that must lie under the base (strictly, unless `allowBase`): 400 naming `field`
 * otherwise. The syntax itself is checked by the route's schema (lib/core/dn.ts).
 */
export function assertUnderBase(d: IdentityDeps, dn: string, field: string, allowBase = false): string {
  const issue = (message: string) => new ValidationError([{ field, code: 'invalid_dn', message }]);
  try {
    parseDn(dn);
  } catch {
    throw issue('must be a DN (RFC 4514)');
  }
  if (!isDnWithin(dn, d.baseDn, 'subtree')) throw issue(`must be under ${d.baseDn}`);
  if (!allowBase && dnEquals(dn, d.baseDn)) throw issue(`must be below ${d.baseDn}, not the base itself`);
  return dn;
}

export const departmentDn = (ou: string, parentDn: string) => `ou=${escapeDnValue(ou)},${parentDn}`;

// ---------------------------------------------------------------------------------------------------------
// Views

export type DepartmentView = {
  dn: string;
  ou: string;
  description?: string;
  manager?: string;
  code?: string;
  parent_dn: string;
};

const isDepartment = (e: LdapEntry) => attrValues(e, 'objectClass').some((c) => c.toLowerCase() === DEPARTMENT_CLASS.toLowerCase());

/** The ou of the DN's first RDN (an entry may hold several ou values; the RDN's is the name). */
function rdnOu(entry: LdapEntry): string {
  try {
    const ava = parseDn(entry.dn)[0]?.find((a) => a.type === 'ou');
    if (ava) return ava.value;
  } catch {
    /* fall through */
  }
  return attrFirst(entry, 'ou') ?? '';
}

export function toDepartmentView(entry: LdapEntry): DepartmentView {
  const view: DepartmentView = { dn: entry.dn, ou: rdnOu(entry), parent_dn: parentDnOf(entry.dn) };
  const description = attrFirst(entry, 'description');
  if (description !== undefined) view.description = description;
  const manager = attrFirst(entry, MANAGER_ATTRIBUTE);
  if (manager !== undefined) view.manager = manager;
  const code = attrFirst(entry, CODE_ATTRIBUTE);
  if (code !== undefined) view.code = code;
  return view;
}

const auditState = (v: DepartmentView | undefined) => {
  if (!v) return undefined;
  const { parent_dn: _p, ...rest } = v;
  return rest;
};

// ---------------------------------------------------------------------------------------------------------
// Reads

export async function findDepartment(d: IdentityDeps, dn: string): Promise<LdapEntry | null> {
  const entry = await d.ldap.get(dn, ATTRIBUTES);
  return entry && isDepartment(entry) ? entry : null;
}

export async function requireDepartment(d: IdentityDeps, dn: string): Promise<LdapEntry> {
  const entry = await findDepartment(d, dn);
  if (!entry) throw new DepartmentNotFoundError(dn);
  return entry;
}

/** One page of every department of the directory, sorted by ou (SSS + VLV), with the total. */
export async function listDepartments(
  d: IdentityDeps,
  q: { limit: number; offset: number; filter: FilterClause[] },
): Promise<{ data: DepartmentView[]; total: number }> {
  const { entries, total } = await listPage(d.ldap, {
    base: d.baseDn,
    scope: 'sub',
    filter: clausesToLdap(DEPARTMENT, q.filter),
    attributes: ATTRIBUTES,
    sortBy: 'ou',
    limit: q.limit,
    offset: q.offset,
  });
  return { data: entries.map(toDepartmentView), total };
}

/** Every department as a forest: roots are the departments whose parent is not a department; children by ou. */
export async function departmentTree(d: IdentityDeps): Promise<DepartmentNode[]> {
  const entries = await d.ldap.search(d.baseDn, { scope: 'sub', filter: DEPARTMENT, attributes: ATTRIBUTES, paged: true });
  const nodes = new Map<string, DepartmentNode>(); // by normalised DN
  for (const e of entries) {
    const v = toDepartmentView(e);
    nodes.set(normalizeDn(e.dn), { dn: v.dn, ou: v.ou, description: v.description ?? null, children: [] });
  }
  const roots: DepartmentNode[] = [];
  for (const n of nodes.values()) {
    const parent = nodes.get(normalizeDn(parentDnOf(n.dn)));
    (parent ? parent.children : roots).push(n);
  }
  const sort = (list: DepartmentNode[]) => {
    list.sort((a, b) => a.ou.localeCompare(b.ou, 'en', { sensitivity: 'base' }) || a.dn.localeCompare(b.dn));
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

// ---------------------------------------------------------------------------------------------------------
// Writes

/** The parent of a new or moved department: the base itself or an existing department (422 otherwise). */
async function resolveParent(d: IdentityDeps, parentDn: string | undefined): Promise<string> {
  if (parentDn === undefined || dnEquals(parentDn, d.baseDn)) return d.baseDn;
  assertUnderBase(d, parentDn, 'body.parent_dn', true);
  const parent = await findDepartment(d, parentDn);
  if (!parent) throw new InvalidParentError(parentDn, 'neither the base nor a department');
  return parent.dn;
}

async function assertManager(d: IdentityDeps, manager: string): Promise<void> {
  if (!(await d.ldap.get(manager, ['1.1']))) throw new ManagerNotFoundError(manager);
}

/** The parent where a department would be created (the ACL checks `department:c` there). */
export function creationParent(d: IdentityDeps, parentDn: string | undefined): string {
  return parentDn === undefined ? d.baseDn : assertUnderBase(d, parentDn, 'body.parent_dn', true);
}

export async function createDepartment(
  d: IdentityDeps,
  body: CreateDepartmentBody,
): Promise<{ department: DepartmentView; changes: AttributeChange[] }> {
  return withDirectory(d, async (d) => {
    const parent = await resolveParent(d, body.parent_dn);
    if (body.manager !== undefined) await assertManager(d, body.manager);
    const dn = departmentDn(body.ou, parent);
    const attrs: LdapAttributes = { objectClass: ['organizationalUnit', DEPARTMENT_CLASS], ou: body.ou };
    if (body.description !== undefined) attrs.description = body.description;
    if (body.manager !== undefined) attrs[MANAGER_ATTRIBUTE] = body.manager;
    if (body.code !== undefined) attrs[CODE_ATTRIBUTE] = body.code;
    await addEntry(d, dn, attrs, () => new DepartmentExistsError(dn));
    const containers: string[] = [];
    try {
      for (const c of DEPARTMENT_CONTAINERS) {
        const cdn = `ou=${c},${dn}`;
        await d.ldap.add(cdn, { objectClass: ['organizationalUnit'], ou: c });
        containers.push(cdn);
      }
    } catch (e) {
      // No half-made department: remove what was added, deepest first.
      for (const cdn of [...containers.reverse(), dn]) await d.ldap.del(cdn).catch(() => undefined);
      throw e;
    }
    const department = toDepartmentView(await requireDepartment(d, dn));
    return {
      department,
      changes: [...diffChanges(undefined, auditState(department)), { attribute: 'containers', old: null, new: containers }],
    };
  });
}

/** Is the body asking to rename or move? (the handler then checks `department:m`) */
export const isMove = (body: UpdateDepartmentBody) => body.ou !== undefined || body.parent_dn !== undefined;

/**
 * Changes description / manager / code (`null` removes); `ou` renames and `parent_dn` moves the department
 * with everything below it (one modify DN: slapd's back-mdb moves the subtree). ACL assignments scoped to
 * the old DN are not rewritten.
 */
export async function updateDepartment(
  d: IdentityDeps,
  dn: string,
  body: UpdateDepartmentBody,
): Promise<{ department: DepartmentView; changes: AttributeChange[]; moved?: { from: string; to: string } }> {
  return withDirectory(d, async (d) => {
    const entry = await requireDepartment(d, dn);
    const before = toDepartmentView(entry);
    let current = entry.dn;
    let moved: { from: string; to: string } | undefined;
    if (isMove(body)) {
      const parent = body.parent_dn === undefined ? before.parent_dn : await resolveParent(d, body.parent_dn);
      if (isDnWithin(parent, entry.dn, 'subtree')) throw new InvalidParentError(body.parent_dn ?? parent, 'inside the department itself');
      const newOu = body.ou ?? before.ou;
      const target = departmentDn(newOu, parent);
      if (!dnEquals(target, entry.dn) || newOu !== before.ou) {
        if (!dnEquals(target, entry.dn) && (await d.ldap.get(target, ['1.1']))) throw new DepartmentExistsError(target);
        try {
          await d.ldap.modifyDn(entry.dn, target);
        } catch (e) {
          if (e instanceof ConflictError && e.code === 'LDAP_ENTRY_ALREADY_EXISTS') throw new DepartmentExistsError(target);
          throw e;
        }
        current = target;
        moved = { from: entry.dn, to: target };
      }
    }
    const mods: LdapChange[] = [];
    const set = (attribute: string, value: string | null | undefined, old: string | undefined) => {
      const change = value === old ? undefined : fieldChange(attribute, value, old !== undefined);
      if (change) mods.push(change);
    };
    if (typeof body.manager === 'string') await assertManager(d, body.manager);
    set('description', body.description, before.description);
    set(MANAGER_ATTRIBUTE, body.manager, before.manager);
    set(CODE_ATTRIBUTE, body.code, before.code);
    if (mods.length) await d.ldap.modify(current, mods);
    const department = toDepartmentView(await requireDepartment(d, current));
    const changes = diffChanges(auditState(before), auditState(department));
    if (moved && !changes.some((c) => c.attribute === 'dn')) changes.push({ attribute: 'dn', old: moved.from, new: moved.to });
    return { department, changes, ...(moved ? { moved } : {}) };
  });
}

/**
 * Deletes a department. Entries below it other than its own empty containers make it "not empty" (409
 * DEPARTMENT_NOT_EMPTY) unless `recursive`: then everything below is deleted, deepest first.
 */
export async function deleteDepartment(
  d: IdentityDeps,
  dn: string,
  recursive: boolean,
): Promise<{ dn: string; changes: AttributeChange[]; deleted: string[] }> {
  return withDirectory(d, async (d) => {
    const entry = await requireDepartment(d, dn);
    const before = toDepartmentView(entry);
    const below = (await d.ldap.search(entry.dn, { scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'], paged: true }))
      .map((e) => e.dn)
      .filter((x) => !dnEquals(x, entry.dn));
    const containers = DEPARTMENT_CONTAINERS.map((c) => `ou=${c},${entry.dn}`);
    const isEmptyContainer = (x: string) => containers.some((c) => dnEquals(c, x));
    const content = below.filter((x) => !isEmptyContainer(x));
    if (content.length && !recursive) throw new DepartmentNotEmptyError(entry.dn, content);
    const depth = (x: string) => parseDn(x).length;
    const order = [...below].sort((a, b) => depth(b) - depth(a));
    const deleted: string[] = [];
    for (const x of order) {
      await d.ldap.del(x);
      deleted.push(x);
    }
    await d.ldap.del(entry.dn);
    const changes = diffChanges(auditState(before), undefined);
    if (deleted.length) changes.push({ attribute: 'entries', old: deleted, new: null });
    return { dn: entry.dn, changes, deleted };
  });
}
