/**
 * Users and groups inside departments (§14): a department's people and groups live in its own
 * `ou=people` / `ou=groups` containers, the others in the base's. `department_dn` (create bodies, list
 * queries) picks the department; reads find a user or group by uid / cn anywhere below the base.
 */
import type { IdentityDeps } from '../deps.js';
import { ensureContainer } from '../directory-writes.js';
import { InvalidDepartmentError } from '../errors.js';
import { assertUnderBase, findDepartment } from './departments.js';

export type ContainerKind = 'people' | 'groups';

const baseContainer = (d: IdentityDeps, kind: ContainerKind) => (kind === 'people' ? d.peopleDn : d.groupsDn);

/**
 * Where a new user (`people`) or group of `departmentDn` goes, without a directory read (the ACL checks
 * `create` there before anything else): 400 naming `field` when the DN is malformed or not below the base.
 */
export function containerDn(d: IdentityDeps, kind: ContainerKind, departmentDn: string | undefined, field: string): string {
  if (departmentDn === undefined) return baseContainer(d, kind);
  return `ou=${kind},${assertUnderBase(d, departmentDn, field)}`;
}

/**
 * The container a new user or group goes in: the base's, or the department's (422 INVALID_DEPARTMENT
 * naming `department_dn` when the DN is no department; the container is created when a department made by
 * another tool lacks it).
 */
export async function departmentContainer(d: IdentityDeps, kind: ContainerKind, departmentDn: string | undefined): Promise<string> {
  if (departmentDn === undefined) return baseContainer(d, kind);
  const department = await findDepartment(d, departmentDn);
  if (!department) throw new InvalidDepartmentError(departmentDn);
  return ensureContainer(d, kind, department.dn);
}

/**
 * The subtree a list covers, without a directory read (for the ACL check): the whole base, or one
 * department with its sub-departments. 400 naming `field` when the DN is malformed or not below the base.
 */
export const scopeDn = (d: IdentityDeps, departmentDn: string | undefined, field: string): string =>
  departmentDn === undefined ? d.baseDn : assertUnderBase(d, departmentDn, field);

/** `scopeDn`, checked: 422 INVALID_DEPARTMENT when the DN is no department. */
export async function listScope(d: IdentityDeps, departmentDn: string | undefined, field: string): Promise<string> {
  const scope = scopeDn(d, departmentDn, field);
  if (departmentDn === undefined) return scope;
  const department = await findDepartment(d, scope);
  if (!department) throw new InvalidDepartmentError(departmentDn);
  return department.dn;
}
