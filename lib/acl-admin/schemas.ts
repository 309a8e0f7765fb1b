import * as z from '../http/zod.js';
import { PageQuery } from '../http/pagination.js';
import { canonicalRdns } from '../core/dn.js';
import { OBJECT_TYPES } from '../acl/builtin-roles.js';
import { MAX_PERMISSION_LENGTH, parseAction, safeParsePermission } from '../acl/permissions.js';

/** Custom role ids (their `cn`): lower case, like the built-in ones. */
export const ROLE_ID_PATTERN = /^[a-z][a-z0-9_-]{1,63}$/;
/** Assignment ids: generated (`a` + 24 hex), or the built-in ones (`builtin-…`). */
const ASSIGNMENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const isDn = (s: string) => (canonicalRdns(s)?.length ?? 0) > 0;
/** A non-empty RFC 4514 DN (syntax only). */
const dn = () => z.text(1, 1024).check(z.refine(isDn, 'must be a valid DN'));

/** One permission string, checked by the engine's own parser: the issue names the broken rule. */
const permission = () =>
  z.maxText(MAX_PERMISSION_LENGTH).check(
    z.superRefine((value, ctx) => {
      const res = safeParsePermission(value);
      if (!res.ok) ctx.addIssue({ code: 'custom', message: res.error, input: value });
    }),
  );
const permissions = () => z.array(permission()).check(z.minLength(1), z.maxLength(200));

export const RoleIdParams = z.object({ id: z.string().check(z.regex(/^[^\s/]{1,64}$/, 'invalid role id')) });
export const AssignmentIdParams = z.object({ id: z.string().check(z.regex(ASSIGNMENT_ID_PATTERN, 'invalid assignment id')) });

export const CreateRoleBody = z.object({
  cn: z.string().check(z.regex(ROLE_ID_PATTERN, 'cn must match ^[a-z][a-z0-9_-]{1,63}$')),
  description: z.optional(z.text(1, 1024)),
  permissions: permissions(),
});
export type CreateRoleBody = z.infer<typeof CreateRoleBody>;

export const UpdateRoleBody = z.object({
  cn: z.optional(z.unknown().check(z.refine(() => false, 'cn is read-only after creation'))),
  description: z.optional(z.nullable(z.text(1, 1024))),
  permissions: z.optional(permissions()),
  /** Optimistic concurrency: when given, the update applies only to this version of the role. */
  version: z.optional(z.integer().check(z.gte(1))),
});
export type UpdateRoleBody = z.infer<typeof UpdateRoleBody>;

export const CreateAssignmentBody = z.object({
  role: z.text(1, 64),
  subject: z.object({ type: z.enum(['user', 'group']), dn: dn() }),
  /** Absent (or without `dn`): global. */
  scope: z.optional(z.object({ dn: z.optional(dn()), type: z._default(z.enum(['base', 'subtree']), 'subtree') })),
  priority: z._default(z.integer().check(z.gte(-1000), z.lte(1000)), 0),
  deny: z._default(z.boolean(), false),
});
export type CreateAssignmentBody = z.infer<typeof CreateAssignmentBody>;

export const AssignmentListQuery = z.extend(PageQuery, { role: z.optional(z.text(1, 64)), subject: z.optional(dn()) });
export type AssignmentListQuery = z.infer<typeof AssignmentListQuery>;

export const CheckBody = z.object({
  /** `create`, `read`, `write`, `delete`, `move` or their letter (`c r w d m`). */
  action: z.string().check(z.refine((s) => parseAction(s) !== undefined, 'must be create, read, write, delete, move or c, r, w, d, m')),
  object_type: z.string().check(z.refine((s) => OBJECT_TYPES.includes(s), 'unknown object type')),
  object_dn: z.optional(dn()),
  /** Owner of the object, for own-object (`s`) grants (e.g. a deployment's creator). */
  owner_dn: z.optional(dn()),
  /** Accepted and echoed: decisions are per object (the engine has no attribute-level rules). */
  attribute: z.optional(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'invalid attribute name'))),
  /** Whose access to check (default: the caller); another DN needs `acl:r`. */
  subject: z.optional(dn()),
});
export type CheckBody = z.infer<typeof CheckBody>;

export const RoleView = z.object({
  id: z.string(),
  dn: z.string(),
  cn: z.string(),
  description: z.optional(z.string()),
  permissions: z.array(z.string()),
  builtin: z.boolean(),
  version: z.optional(z.integer()),
  created_at: z.optional(z.string()),
  created_by: z.optional(z.string()),
  updated_at: z.optional(z.string()),
});
export type RoleView = z.infer<typeof RoleView>;

export const AssignmentView = z.object({
  id: z.string(),
  role: z.string(),
  subject: z.object({ type: z.enum(['user', 'group']), dn: z.string() }),
  /** null: global. */
  scope: z.nullable(z.object({ dn: z.string(), type: z.enum(['base', 'subtree']) })),
  priority: z.integer(),
  deny: z.boolean(),
  builtin: z.boolean(),
  version: z.optional(z.integer()),
  created_at: z.optional(z.string()),
  created_by: z.optional(z.string()),
});
export type AssignmentView = z.infer<typeof AssignmentView>;

export const CheckView = z.object({
  allowed: z.boolean(),
  reason: z.string(),
  subject: z.string(),
  action: z.string(),
  object_type: z.string(),
  object_dn: z.optional(z.string()),
  attribute: z.optional(z.string()),
});
