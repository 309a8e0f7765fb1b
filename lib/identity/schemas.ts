import * as z from '../http/zod.js';
import { PageQuery } from '../http/pagination.js';
import { filterParam } from '../http/filter.js';
import { dnString, nullable } from './schema-parts.js';

export const UID_PATTERN = /^[a-z][a-z0-9_-]{2,31}$/;
export const CN_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

const uid = () => z.string().check(z.regex(UID_PATTERN, 'uid must match ^[a-z][a-z0-9_-]{2,31}$'));
const groupCn = () => z.string().check(z.regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'cn must match ^[a-z][a-z0-9_.-]{0,63}$'));
const posixNumber = () => z.integer().check(z.gte(0), z.lte(4_294_967_294));
const path = () => z.string().check(z.regex(/^\/[^\0\n]{0,254}$/, 'must be an absolute path'));
/** A department's DN (RFC 4514): the object goes in its own people / groups container. */
const departmentDn = () => z.optional(dnString());

/** The filterable attributes of `GET /users` (and its `attributes=` selection, plus the view's other fields). */
export const USER_FILTER_ATTRIBUTES = ['uid', 'cn', 'sn', 'givenName', 'mail', 'uidNumber', 'gidNumber', 'objectClass'] as const;
export const GROUP_FILTER_ATTRIBUTES = ['cn', 'description', 'gidNumber', 'objectClass', 'member', 'memberUid'] as const;

/** `attributes=a,b`: a comma-separated selection of view fields. */
const attributesParam = z.optional(
  z.pipe(
    z.string(),
    z.transform((s: string) =>
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  ),
);

export const UserListQuery = z.extend(PageQuery, {
  filter: filterParam(USER_FILTER_ATTRIBUTES),
  attributes: attributesParam,
  department_dn: departmentDn(),
});
export const GroupListQuery = z.extend(PageQuery, { filter: filterParam(GROUP_FILTER_ATTRIBUTES), department_dn: departmentDn() });

export const UidParams = z.object({ uid: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'invalid uid')) });
export const CnParams = z.object({ cn: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._ -]{0,63}$/, 'invalid cn')) });

const mail = () => z.email();
const phone = () => z.string().check(z.regex(/^[+0-9 ().-]{3,32}$/, 'invalid telephone number'));

/** Attributes of inetOrgPerson the API writes (besides uid and the POSIX ones). */
const personFields = {
  givenName: nullable(z.text(1, 128)),
  mail: nullable(mail()),
  telephoneNumber: nullable(phone()),
  mobile: nullable(phone()),
  title: nullable(z.text(1, 128)),
  displayName: nullable(z.text(1, 256)),
  description: nullable(z.text(1, 1024)),
  employeeNumber: nullable(z.text(1, 64)),
};

const posixFields = {
  uidNumber: nullable(posixNumber()),
  gidNumber: nullable(posixNumber()),
  homeDirectory: nullable(path()),
  loginShell: nullable(path()),
  gecos: nullable(z.text(1, 256)),
};

export const CreateUserBody = z.object({
  uid: uid(),
  cn: z.text(1, 256),
  sn: z.text(1, 128),
  ...personFields,
  userPassword: z.optional(z.text(1, 512)),
  department_dn: departmentDn(),
  posix: z.optional(
    z.object({
      uidNumber: z.nullable(posixNumber()),
      gidNumber: z.nullable(posixNumber()),
      homeDirectory: z.optional(path()),
      loginShell: z.optional(path()),
      gecos: z.optional(z.text(1, 256)),
    }),
  ),
});
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const UpdateUserBody = z.object({
  uid: z.optional(z.unknown().check(z.refine(() => false, 'uid is read-only after creation'))),
  cn: nullable(z.text(1, 256)),
  sn: nullable(z.text(1, 128)),
  ...personFields,
  ...posixFields,
  shadowMax: nullable(posixNumber()),
  shadowMin: nullable(posixNumber()),
  shadowWarning: nullable(posixNumber()),
  shadowInactive: nullable(posixNumber()),
  shadowExpire: nullable(posixNumber()),
});
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

export const PasswordBody = z.object({ current_password: z.optional(z.text(1, 512)), new_password: z.text(1, 512) });

export const UserView = z.object({
  dn: z.string(),
  uid: z.string(),
  cn: z.optional(z.string()),
  sn: z.optional(z.string()),
  givenName: z.optional(z.string()),
  mail: z.optional(z.string()),
  telephoneNumber: z.optional(z.string()),
  objectClass: z.optional(z.array(z.string())),
  uidNumber: z.optional(z.integer()),
  gidNumber: z.optional(z.integer()),
  homeDirectory: z.optional(z.string()),
  loginShell: z.optional(z.string()),
  shadowLastChange: z.optional(z.integer()),
  shadowMax: z.optional(z.integer()),
  locked: z.optional(z.boolean()),
  tabs: z.optional(z.object({ posix: z.boolean(), sudo: z.boolean(), ssh: z.boolean() })),
});

export const LockView = z.object({ uid: z.string(), locked: z.boolean(), locked_at: z.optional(z.nullable(z.string())) });

const members = () => z.array(z.text(1, 512)).check(z.maxLength(1000));

export const CreateGroupBody = z.object({
  cn: groupCn(),
  description: z.optional(z.text(1, 1024)),
  gidNumber: z.optional(z.nullable(posixNumber())),
  members: z.optional(members()),
  department_dn: departmentDn(),
});
export type CreateGroupBody = z.infer<typeof CreateGroupBody>;

export const UpdateGroupBody = z.object({
  cn: z.optional(z.unknown().check(z.refine(() => false, 'cn is read-only after creation'))),
  description: nullable(z.text(1, 1024)),
  gidNumber: nullable(posixNumber()),
  members: z.optional(members()),
});
export type UpdateGroupBody = z.infer<typeof UpdateGroupBody>;

export const MembersBody = z.object({ members: members().check(z.minLength(1)) });

export const GroupView = z.object({
  dn: z.string(),
  cn: z.string(),
  description: z.optional(z.string()),
  objectClass: z.array(z.string()),
  gidNumber: z.optional(z.integer()),
  memberCount: z.optional(z.integer()),
  members: z.optional(z.array(z.object({ uid: z.optional(z.string()), cn: z.optional(z.string()), dn: z.string() }))),
});
