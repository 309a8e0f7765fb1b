/**
 * ACL assignments: the built-in ones (the bootstrap admin holds `admin`, every authenticated user `guest`;
 * read-only) and the custom ones of the table. An assignment's id is derived from what it says (role,
 * subject, scope, allow/deny), so the same assignment cannot be stored twice.
 */
import { createHash } from 'node:crypto';
import { diffChanges, type AttributeChange } from '../audit/audit.js';
import { AUTHENTICATED_GROUP, builtinAssignments } from '../acl/acl-source.js';
import { getBuiltinRole } from '../acl/builtin-roles.js';
import type { Assignment } from '../acl/engine.js';
import { dnEquals, normalizeDn } from '../core/dn.js';
import { escapeDnValue } from '../providers/ldap/escape.js';
import {
  AssignmentExistsError,
  AssignmentNotFoundError,
  BuiltinReadOnlyError,
  UnknownReferenceError,
  VersionConflictError,
} from './errors.js';
import {
  getRoleRecord,
  addRoleRef,
  getAssignmentRecord,
  insertAssignment,
  loadCustom,
  removeAssignment,
  type AssignmentRecord,
} from './store.js';
import type { AclAdminDeps } from './roles.js';
import type { AssignmentView, CreateAssignmentBody } from './schemas.js';

/** What the directory tells about a subject DN: its object classes (null when there is no such entry). */
export type SubjectLookup = (dn: string) => Promise<{ objectClass: string[] } | null>;

const GROUP_CLASSES = new Set(['groupofnames', 'groupofuniquenames', 'posixgroup']);

export const assignmentDn = (id: string, baseDn: string) => `cn=${escapeDnValue(id)},ou=aclassignments,${baseDn}`;

export function assignmentView(a: Assignment, rec?: AssignmentRecord): AssignmentView {
  return {
    id: a.id,
    role: a.roleId,
    subject: { type: a.subject.type, dn: a.subject.dn },
    scope: a.scope.dn === undefined ? null : { dn: a.scope.dn, type: a.scope.type },
    priority: a.priority,
    deny: a.deny,
    builtin: !rec,
    ...(rec ? { version: rec.version } : {}),
    ...(rec?.created_at ? { created_at: rec.created_at } : {}),
    ...(rec?.created_by ? { created_by: rec.created_by } : {}),
  };
}

const auditState = (a: Assignment | undefined) =>
  a && {
    role: a.roleId,
    subject: `${a.subject.type}:${a.subject.dn}`,
    scope: a.scope.dn === undefined ? 'global' : `${a.scope.type}:${a.scope.dn}`,
    priority: a.priority,
    deny: a.deny,
  };

/** Role id after resolving built-in aliases (`auditeur` → `auditor`). */
const canonicalRoleId = (id: string) => getBuiltinRole(id)?.id ?? id;

export interface AssignmentFilter {
  role?: string;
  subject?: string;
}

/** Built-in first, then custom ones by creation time; filtered by role (aliases resolved) and subject DN. */
export async function listAssignments(d: AclAdminDeps, filter: AssignmentFilter = {}): Promise<AssignmentView[]> {
  const { assignments } = await loadCustom(d.db);
  assignments.sort((a, b) => ((a.created_at ?? '') < (b.created_at ?? '') ? -1 : (a.created_at ?? '') > (b.created_at ?? '') ? 1 : 0));
  const all = [
    ...builtinAssignments(d.bootstrapAdminDn).map((a) => assignmentView(a)),
    ...assignments.map((r) => assignmentView(r.assignment, r)),
  ];
  const role = filter.role === undefined ? undefined : canonicalRoleId(filter.role);
  return all.filter(
    (a) => (role === undefined || a.role === role) && (filter.subject === undefined || dnEquals(a.subject.dn, filter.subject)),
  );
}

export async function getAssignment(d: AclAdminDeps, id: string): Promise<AssignmentView> {
  const builtin = builtinAssignments(d.bootstrapAdminDn).find((a) => a.id === id);
  if (builtin) return assignmentView(builtin);
  const rec = await getAssignmentRecord(d.db, id);
  if (!rec) throw new AssignmentNotFoundError(id);
  return assignmentView(rec.assignment, rec);
}

/** Same role, subject, scope and allow/deny → same id (DNs compared in their normalised form). */
function assignmentId(a: Omit<Assignment, 'id' | 'priority'>): string {
  const key = JSON.stringify([
    a.roleId,
    a.subject.type,
    normalizeDn(a.subject.dn),
    a.scope.dn === undefined ? null : [a.scope.type, normalizeDn(a.scope.dn)],
    a.deny,
  ]);
  return `a${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** The subject must be an entry of the directory of the right kind (the `cn=authenticated` pseudo-group aside). */
async function checkSubject(lookup: SubjectLookup, subject: CreateAssignmentBody['subject']): Promise<void> {
  if (subject.type === 'group' && dnEquals(subject.dn, AUTHENTICATED_GROUP)) return;
  const entry = await lookup(subject.dn);
  if (!entry) {
    throw new UnknownReferenceError('SUBJECT_NOT_FOUND', 'body.subject.dn', subject.dn, `No directory entry '${subject.dn}'`);
  }
  const isGroup = entry.objectClass.some((c) => GROUP_CLASSES.has(c.toLowerCase()));
  if (isGroup !== (subject.type === 'group')) {
    throw new UnknownReferenceError(
      'SUBJECT_TYPE_MISMATCH',
      'body.subject.type',
      subject.type,
      `'${subject.dn}' is ${isGroup ? 'a group' : 'not a group'}; subject.type must be '${isGroup ? 'group' : 'user'}'`,
    );
  }
}

const unknownRole = (role: string) => new UnknownReferenceError('UNKNOWN_ROLE', 'body.role', role, `No ACL role '${role}'`);

export async function createAssignment(
  d: AclAdminDeps,
  lookup: SubjectLookup,
  body: CreateAssignmentBody,
  actorDn: string,
): Promise<{ assignment: AssignmentView; changes: AttributeChange[] }> {
  const builtinRole = getBuiltinRole(body.role);
  const roleId = builtinRole?.id ?? body.role;
  if (!builtinRole && !(await getRoleRecord(d.db, roleId))) throw unknownRole(body.role);
  await checkSubject(lookup, body.subject);
  const base = {
    roleId,
    subject: { type: body.subject.type, dn: body.subject.dn },
    scope: body.scope?.dn === undefined ? { type: 'subtree' as const } : { dn: body.scope.dn, type: body.scope.type },
    deny: body.deny,
  };
  const assignment: Assignment = { id: assignmentId(base), ...base, priority: body.priority };
  // A custom role: register the reference first, on the condition that the role (still) exists.
  if (!builtinRole && !(await addRoleRef(d.db, roleId, 1, d.now()))) throw unknownRole(body.role);
  const rec: AssignmentRecord = { assignment, version: 1, created_at: d.now().toISOString(), created_by: actorDn };
  if (!(await insertAssignment(d.db, rec))) {
    if (!builtinRole) await addRoleRef(d.db, roleId, -1, d.now());
    throw new AssignmentExistsError(assignment.id);
  }
  // Belt and braces (the reference count already keeps the role): never leave an assignment to a missing role.
  if (!builtinRole && !(await getRoleRecord(d.db, roleId))) {
    await removeAssignment(d.db, assignment.id, rec.version);
    throw unknownRole(body.role);
  }
  return { assignment: assignmentView(assignment, rec), changes: diffChanges(undefined, auditState(assignment)) };
}

export async function deleteAssignment(
  d: AclAdminDeps,
  id: string,
  version?: number,
): Promise<{ dn: string; assignment: AssignmentView; changes: AttributeChange[] }> {
  if (builtinAssignments(d.bootstrapAdminDn).some((a) => a.id === id)) throw new BuiltinReadOnlyError('assignment', id);
  const rec = await getAssignmentRecord(d.db, id);
  if (!rec) throw new AssignmentNotFoundError(id);
  if (version !== undefined && version !== rec.version) throw new VersionConflictError(id, version, rec.version);
  if (!(await removeAssignment(d.db, id, rec.version))) {
    if (!(await getAssignmentRecord(d.db, id))) throw new AssignmentNotFoundError(id);
    throw new VersionConflictError(id, rec.version, undefined);
  }
  if (!getBuiltinRole(rec.assignment.roleId)) await addRoleRef(d.db, rec.assignment.roleId, -1, d.now());
  return {
    dn: assignmentDn(id, d.baseDn),
    assignment: assignmentView(rec.assignment, rec),
    changes: diffChanges(auditState(rec.assignment), undefined),
  };
}
