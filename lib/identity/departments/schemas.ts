import * as z from '../../http/zod.js';
import { PageQuery } from '../../http/pagination.js';
import { filterParam } from '../../http/filter.js';
import { parseDn } from '../../core/dn.js';
import { dnString, nullable } from '../schema-parts.js';

/** Names a department cannot take: the containers of the base and of every department. */
export const RESERVED_OU = ['people', 'groups', 'policies', 'sudoers', 'systems', 'dns', 'dhcp', 'departments'];
export const OU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._&'()-]{0,63}$/;

/** A DN whose leaf RDN is a single `ou=…`: what a department's DN looks like. */
export const isOuDn = (v: string): boolean => {
  try {
    const rdns = parseDn(v);
    return rdns.length > 0 && rdns[0]!.length === 1 && rdns[0]![0]!.type === 'ou';
  } catch {
    return false;
  }
};

const dn = dnString;
const ou = () =>
  z.string().check(
    z.regex(OU_PATTERN, "ou must be 1-64 characters of letters, digits, space and ._&'()- starting with a letter or digit"),
    z.refine((v) => !RESERVED_OU.includes(v.toLowerCase()), `ou cannot be one of ${RESERVED_OU.join(', ')}`),
  );
const code = () => z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'code must be 1-64 characters of [A-Za-z0-9._-]'));

export const DepartmentDnParams = z.object({
  dn: z.string().check(z.maxLength(1024), z.refine(isOuDn, 'must be a DN (RFC 4514) whose first RDN is ou=…')),
});

export const DEPARTMENT_FILTER_ATTRIBUTES = ['ou', 'description'] as const;
export const DepartmentListQuery = z.extend(PageQuery, { filter: filterParam(DEPARTMENT_FILTER_ATTRIBUTES) });

export const DeleteDepartmentQuery = z.object({
  recursive: z._default(
    z.pipe(
      z.enum(['true', 'false']),
      z.transform((v: 'true' | 'false') => v === 'true'),
    ),
    false,
  ),
});

export const CreateDepartmentBody = z.object({
  ou: ou(),
  description: z.optional(z.text(1, 1024)),
  parent_dn: z.optional(dn()),
  manager: z.optional(dn()),
  code: z.optional(code()),
});
export type CreateDepartmentBody = z.infer<typeof CreateDepartmentBody>;

export const UpdateDepartmentBody = z.object({
  description: nullable(z.text(1, 1024)),
  manager: nullable(dn()),
  code: nullable(code()),
  /** Rename (needs `department:m`). */
  ou: z.optional(ou()),
  /** Move under another department or the base (needs `department:m`, and `department:c` on the new parent). */
  parent_dn: z.optional(dn()),
});
export type UpdateDepartmentBody = z.infer<typeof UpdateDepartmentBody>;

export const DepartmentView = z.object({
  dn: z.string(),
  ou: z.string(),
  description: z.optional(z.string()),
  manager: z.optional(z.string()),
  code: z.optional(z.string()),
  parent_dn: z.string(),
});

export interface DepartmentNode {
  dn: string;
  ou: string;
  description: string | null;
  children: DepartmentNode[];
}

/**
 * A tree node for the OpenAPI document. `children` holds nodes of the same shape; it is declared as plain
 * objects because a recursive schema renders as a `$ref` into the schema's own `$defs`, which does not
 * resolve from the root of an OpenAPI document.
 */
const node = z.object({
  dn: z.string(),
  ou: z.string(),
  description: z.nullable(z.string()),
  children: z.array(z.jsonObject()),
});
export const DepartmentTree = z.object({ data: z.array(node) });
