/**
 * The custom ACL in the table, where `createAclSource` (lib/acl/acl-source.ts) reads it on every request:
 * partition `ACL`, `ROLE#<id>` items carry the engine's `role`, `ASSIGNMENT#<id>` items its `assignment`.
 *
 * Concurrency without transactions (dynalite has none), with conditional writes only:
 * - each role has a `version` (optimistic updates: `version = :expected`);
 * - each custom role counts the assignments that reference it (`refs`): an assignment first increments
 *   the count on the condition that the role exists, then is written; a role is deleted only on the
 *   condition that `refs = 0`. So a role cannot disappear under a new assignment, nor be deleted while
 *   assigned, whatever the interleaving. A count left too high by a crash between the two writes is repaired
 *   by `deleteRole` once it is old enough not to belong to a creation in flight (`repairRoleRefs`).
 * - every write that changes what the engine sees then increments the `VERSION` item's counter, which each
 *   request reads with its session: containers keep their copy of the ACL until the counter moves
 *   (`createAclSource(...).at`), so a change applies to the next request.
 */
import type { Assignment, Role } from '../acl/engine.js';
import { logger } from '../core/logger.js';
import type { Db } from '../store/dynamo.js';

export const ACL_PK = 'ACL';
/** The item whose counter every ACL write increments, read with each request's session (`createAclSource().at`). */
export const ACL_VERSION_KEY = { pk: ACL_PK, sk: 'VERSION' } as const;
export const roleSk = (id: string) => `ROLE#${id}`;
export const assignmentSk = (id: string) => `ASSIGNMENT#${id}`;

export interface RoleRecord {
  role: Role;
  version: number;
  refs: number;
  created_at?: string;
  created_by?: string;
  updated_at?: string;
}

export interface AssignmentRecord {
  assignment: Assignment;
  version: number;
  created_at?: string;
  created_by?: string;
}

const isConditionFailure = (e: unknown) => (e as { name?: string })?.name === 'ConditionalCheckFailedException';

/** Runs a conditional write: true when written, false when its condition failed. */
async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

/**
 * Increments the ACL's version counter, after a write the engine sees. The write has been made (or tried),
 * so a failure here is logged, not answered: the change then applies once containers' copies expire
 * (ACL_CACHE_MAX_AGE_MS) instead of at once.
 */
export async function bumpAclVersion(db: Db): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.update({
        TableName: db.table,
        Key: { ...ACL_VERSION_KEY },
        UpdateExpression: 'ADD #v :one',
        ExpressionAttributeNames: { '#v': 'v' },
        ExpressionAttributeValues: { ':one': 1 },
      });
      return;
    } catch (e) {
      if (attempt === 3) {
        logger.error('ACL version increment failed; the change applies within the ACL cache age', { error: (e as Error).name });
        return;
      }
    }
  }
}

/**
 * A conditional ACL write, then the version increment — also when the write failed its condition or threw:
 * a write whose answer was lost may have been made (the SDK's retry then fails the condition), and an extra
 * increment only costs containers one reload.
 */
async function aclWrite(db: Db, write: () => Promise<unknown>): Promise<boolean> {
  try {
    return await conditional(write);
  } finally {
    await bumpAclVersion(db);
  }
}

const toRoleRecord = (item: Record<string, any>): RoleRecord => ({
  role: item.role as Role,
  version: Number(item.version ?? 1),
  refs: Number(item.refs ?? 0),
  created_at: item.created_at,
  created_by: item.created_by,
  updated_at: item.updated_at,
});

const toAssignmentRecord = (item: Record<string, any>): AssignmentRecord => ({
  assignment: item.assignment as Assignment,
  version: Number(item.version ?? 1),
  created_at: item.created_at,
  created_by: item.created_by,
});

/** Every custom role and assignment (one query of the partition, consistent). */
export async function loadCustom(db: Db): Promise<{ roles: RoleRecord[]; assignments: AssignmentRecord[] }> {
  const roles: RoleRecord[] = [];
  const assignments: AssignmentRecord[] = [];
  for await (const item of db.items({
    TableName: db.table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': ACL_PK },
    ConsistentRead: true,
  })) {
    const sk = String(item.sk);
    if (sk.startsWith('ROLE#') && item.role) roles.push(toRoleRecord(item));
    else if (sk.startsWith('ASSIGNMENT#') && item.assignment) assignments.push(toAssignmentRecord(item));
  }
  return { roles, assignments };
}

export async function getRoleRecord(db: Db, id: string): Promise<RoleRecord | undefined> {
  const out = await db.get({ TableName: db.table, Key: { pk: ACL_PK, sk: roleSk(id) }, ConsistentRead: true });
  return out.Item?.role ? toRoleRecord(out.Item) : undefined;
}

export async function getAssignmentRecord(db: Db, id: string): Promise<AssignmentRecord | undefined> {
  const out = await db.get({ TableName: db.table, Key: { pk: ACL_PK, sk: assignmentSk(id) }, ConsistentRead: true });
  return out.Item?.assignment ? toAssignmentRecord(out.Item) : undefined;
}

/** Writes a new role; false when one with this id exists. */
export function insertRole(db: Db, rec: RoleRecord): Promise<boolean> {
  return aclWrite(db, () =>
    db.put({
      TableName: db.table,
      Item: { pk: ACL_PK, sk: roleSk(rec.role.id), type: 'acl-role', ...rec },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Replaces the role's content if it is still at `version`; false otherwise (changed or deleted). */
export function replaceRole(db: Db, role: Role, version: number, updatedAt: string): Promise<boolean> {
  return aclWrite(db, () =>
    db.update({
      TableName: db.table,
      Key: { pk: ACL_PK, sk: roleSk(role.id) },
      UpdateExpression: 'SET #role = :role, #version = :next, updated_at = :at',
      ConditionExpression: 'attribute_exists(pk) AND #version = :version',
      ExpressionAttributeNames: { '#role': 'role', '#version': 'version' },
      ExpressionAttributeValues: { ':role': role, ':next': version + 1, ':version': version, ':at': updatedAt },
    }),
  );
}

/** Deletes the role if it is at `version` and no assignment references it; false otherwise. */
export function removeRole(db: Db, id: string, version: number): Promise<boolean> {
  return aclWrite(db, () =>
    db.delete({
      TableName: db.table,
      Key: { pk: ACL_PK, sk: roleSk(id) },
      ConditionExpression: 'attribute_exists(pk) AND #version = :version AND (attribute_not_exists(refs) OR refs <= :zero)',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':version': version, ':zero': 0 },
    }),
  );
}

/** +1 (or -1) on the role's assignment count, only if the role exists; false when it does not. */
export function addRoleRef(db: Db, id: string, delta: 1 | -1, now: Date): Promise<boolean> {
  return conditional(() =>
    db.update({
      TableName: db.table,
      Key: { pk: ACL_PK, sk: roleSk(id) },
      UpdateExpression: 'ADD refs :delta SET refs_at = :now',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':delta': delta, ':now': now.toISOString() },
    }),
  );
}

/** A count change older than this cannot belong to a request still running (Lambda timeouts are shorter). */
export const STALE_REFS_MS = 15 * 60_000;

/**
 * Repairs a count left too high by a crash between an increment and its assignment write: only if it is
 * unchanged since read and its last change is older than STALE_REFS_MS (so never under a creation in flight).
 */
export function repairRoleRefs(db: Db, id: string, expected: number, refs: number, now: Date): Promise<boolean> {
  return conditional(() =>
    db.update({
      TableName: db.table,
      Key: { pk: ACL_PK, sk: roleSk(id) },
      UpdateExpression: 'SET refs = :refs',
      ConditionExpression: 'attribute_exists(pk) AND refs = :expected AND (attribute_not_exists(refs_at) OR refs_at < :cutoff)',
      ExpressionAttributeValues: {
        ':refs': refs,
        ':expected': expected,
        ':cutoff': new Date(now.getTime() - STALE_REFS_MS).toISOString(),
      },
    }),
  );
}

/** Writes a new assignment; false when one with this id exists. */
export function insertAssignment(db: Db, rec: AssignmentRecord): Promise<boolean> {
  return aclWrite(db, () =>
    db.put({
      TableName: db.table,
      Item: { pk: ACL_PK, sk: assignmentSk(rec.assignment.id), type: 'acl-assignment', ...rec },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Deletes the assignment if it is still at `version`; false when it is gone or changed. */
export function removeAssignment(db: Db, id: string, version: number): Promise<boolean> {
  return aclWrite(db, () =>
    db.delete({
      TableName: db.table,
      Key: { pk: ACL_PK, sk: assignmentSk(id) },
      ConditionExpression: 'attribute_exists(pk) AND #version = :version',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':version': version },
    }),
  );
}
