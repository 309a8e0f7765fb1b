import * as z from '../../http/zod.js';
import { PageQuery } from '../../http/pagination.js';
import { filterParam } from '../../http/filter.js';
import {
  isSudoCommand,
  isSudoHost,
  isSudoOption,
  isSudoRunAsGroup,
  isSudoRunAsUser,
  isSudoUser,
  parseInstant,
  SUDO_CN_PATTERN,
  SUDO_DEFAULTS_CN,
  toGeneralizedTime,
} from './syntax.js';
import { nullable } from '../schema-parts.js';

/** The filterable attributes of `GET /sudo/rules`. */
export const SUDO_FILTER_ATTRIBUTES = [
  'cn',
  'description',
  'sudoUser',
  'sudoHost',
  'sudoCommand',
  'sudoRunAsUser',
  'sudoRunAsGroup',
  'sudoOption',
  'sudoOrder',
] as const;
/** Those whose schema has a SUBSTR rule (contains / starts / ends); the others take eq and present only. */
export const SUDO_SUBSTRING_ATTRIBUTES = ['cn', 'description', 'sudoUser', 'sudoHost'] as const;

export const SudoListQuery = z.extend(PageQuery, { filter: filterParam(SUDO_FILTER_ATTRIBUTES) });

const cn = () => z.string().check(z.regex(SUDO_CN_PATTERN, 'cn must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'));
export const SudoCnParams = z.object({ cn: cn() });

/** A list of 1 to 256 distinct values, each checked by `valid`. */
const values = (valid: (v: string) => boolean, message: string) =>
  z.array(z.string().check(z.maxLength(4096), z.refine(valid, message))).check(
    z.minLength(1),
    z.maxLength(256),
    z.refine((a: string[]) => new Set(a).size === a.length, 'values must be distinct'),
  );

const sudoUser = () => values(isSudoUser, 'expected user, %group, %:group, #uid, %#gid, +netgroup or ALL, optionally negated with !');
const sudoHost = () => values(isSudoHost, 'expected a host name (wildcards allowed), an address or network, +netgroup or ALL');
const sudoCommand = () =>
  values(isSudoCommand, 'expected an absolute path with optional arguments, sudoedit <file>, or ALL, optionally negated with !');
const sudoRunAsUser = () => values(isSudoRunAsUser, 'expected user, #uid, %group, +netgroup or ALL');
const sudoRunAsGroup = () => values(isSudoRunAsGroup, 'expected group, #gid or ALL');
const sudoOption = () => values(isSudoOption, 'expected a flag (authenticate, !authenticate) or name=value, name+=value, name-=value');
const sudoOrder = () => z.integer().check(z.gte(0), z.lte(2_147_483_647));
/** ISO 8601 (or GeneralizedTime) in, GeneralizedTime (UTC) out. */
const instant = () =>
  z.pipe(
    z.string().check(
      z.maxLength(40),
      z.refine((v: string) => parseInstant(v) !== null, 'expected an ISO 8601 date-time with a zone (2026-01-17T10:30:00Z)'),
    ),
    z.transform((v: string) => toGeneralizedTime(parseInstant(v)!)),
  );
const description = () => z.text(1, 1024);

/** sudoNotBefore must come before sudoNotAfter (both GeneralizedTime in UTC: they compare as strings). */
function checkInterval(b: { sudoNotBefore?: string | null; sudoNotAfter?: string | null }, issues: { push(i: any): void }) {
  if (b.sudoNotBefore && b.sudoNotAfter && b.sudoNotBefore >= b.sudoNotAfter)
    issues.push({ code: 'custom', path: ['sudoNotAfter'], message: 'sudoNotAfter must be after sudoNotBefore', input: b.sudoNotAfter });
}

export const CreateSudoRuleBody = z
  .object({
    cn: cn(),
    description: z.optional(description()),
    sudoUser: z.optional(sudoUser()),
    sudoHost: z.optional(sudoHost()),
    sudoCommand: z.optional(sudoCommand()),
    sudoRunAsUser: z.optional(sudoRunAsUser()),
    sudoRunAsGroup: z.optional(sudoRunAsGroup()),
    sudoOption: z.optional(sudoOption()),
    sudoOrder: z.optional(sudoOrder()),
    sudoNotBefore: z.optional(instant()),
    sudoNotAfter: z.optional(instant()),
  })
  .check(
    z.superRefine((b, ctx) => {
      // A rule (every entry but sudo's `defaults`) says who may run what where.
      if (b.cn !== SUDO_DEFAULTS_CN)
        for (const field of ['sudoUser', 'sudoHost', 'sudoCommand'] as const)
          if (!b[field]) ctx.issues.push({ code: 'custom', path: [field], message: `${field} is required`, input: undefined });
      checkInterval(b, ctx.issues);
    }),
  );
export type CreateSudoRuleBody = z.infer<typeof CreateSudoRuleBody>;

export const UpdateSudoRuleBody = z
  .object({
    cn: z.optional(z.unknown().check(z.refine(() => false, 'cn is read-only after creation'))),
    description: nullable(description()),
    sudoUser: nullable(sudoUser()),
    sudoHost: nullable(sudoHost()),
    sudoCommand: nullable(sudoCommand()),
    sudoRunAsUser: nullable(sudoRunAsUser()),
    sudoRunAsGroup: nullable(sudoRunAsGroup()),
    sudoOption: nullable(sudoOption()),
    sudoOrder: nullable(sudoOrder()),
    sudoNotBefore: nullable(instant()),
    sudoNotAfter: nullable(instant()),
  })
  .check(z.superRefine((b, ctx) => checkInterval(b, ctx.issues)));
export type UpdateSudoRuleBody = z.infer<typeof UpdateSudoRuleBody>;

export const SudoRuleView = z.object({
  dn: z.string(),
  cn: z.string(),
  description: z.optional(z.string()),
  sudoUser: z.array(z.string()),
  sudoHost: z.array(z.string()),
  sudoCommand: z.array(z.string()),
  sudoRunAsUser: z.optional(z.array(z.string())),
  sudoRunAsGroup: z.optional(z.array(z.string())),
  sudoOption: z.optional(z.array(z.string())),
  sudoOrder: z.optional(z.integer()),
  sudoNotBefore: z.optional(z.string()),
  sudoNotAfter: z.optional(z.string()),
});
export type SudoRuleView = z.infer<typeof SudoRuleView>;
