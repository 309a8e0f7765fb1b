import * as z from '../../http/zod.js';
import { PageQuery } from '../../http/pagination.js';
import { filterParam } from '../../http/filter.js';
import { parseDn } from '../../core/dn.js';
import { normalizeIp, normalizeMac, SYSTEM_CN_PATTERN, SYSTEM_TYPES } from './syntax.js';
import { nullable } from '../schema-parts.js';

/** The filterable attributes of `GET /systems` (besides `type`). */
export const SYSTEM_FILTER_ATTRIBUTES = ['cn', 'description', 'ipHostNumber', 'macAddress', 'l', 'serialNumber', 'owner'] as const;
/** Those whose schema has a SUBSTR rule; the others (addresses, owner) take eq and present only. */
export const SYSTEM_SUBSTRING_ATTRIBUTES = ['cn', 'description', 'l', 'serialNumber'] as const;

const type = () => z.enum(SYSTEM_TYPES as [string, ...string[]], { error: `type must be one of ${SYSTEM_TYPES.join(', ')}` });

export const SystemListQuery = z.extend(PageQuery, { type: z.optional(type()), filter: filterParam(SYSTEM_FILTER_ATTRIBUTES) });

const cn = () => z.string().check(z.regex(SYSTEM_CN_PATTERN, 'cn must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'));
export const SystemCnParams = z.object({ cn: cn() });

/** A string checked by `parse` (non-null = valid) and replaced by what it returns. */
const normalized = (parse: (v: string) => string | null, message: string) =>
  z.pipe(
    z.string().check(
      z.maxLength(64),
      z.refine((v: string) => parse(v) !== null, message),
    ),
    z.transform((v: string) => parse(v)!),
  );
const ipHostNumber = () => normalized(normalizeIp, 'expected an IPv4 or IPv6 address');
const macAddress = () =>
  normalized(normalizeMac, 'expected a MAC address (00:11:22:33:44:55, 00-11-22-33-44-55, 0011.2233.4455 or 001122334455)');
const description = () => z.text(1, 1024);
const locality = () => z.text(1, 128);
/** serialNumber is a PrintableString (RFC 4517): letters, digits, space and '()+,-./:=? */
const serialNumber = () =>
  z.string().check(z.regex(/^[A-Za-z0-9 '()+,\-./:=?]{1,64}$/, "serialNumber takes letters, digits, space and '()+,-./:=? only"));
const owner = () =>
  z.string().check(
    z.maxLength(1024),
    z.refine((v: string) => {
      try {
        return parseDn(v).length > 0;
      } catch {
        return false;
      }
    }, 'owner must be a DN'),
  );

export const CreateSystemBody = z.object({
  cn: cn(),
  type: type(),
  description: z.optional(description()),
  ipHostNumber: z.optional(ipHostNumber()),
  macAddress: z.optional(macAddress()),
  l: z.optional(locality()),
  serialNumber: z.optional(serialNumber()),
  owner: z.optional(owner()),
});
export type CreateSystemBody = z.infer<typeof CreateSystemBody>;

export const UpdateSystemBody = z.object({
  cn: z.optional(z.unknown().check(z.refine(() => false, 'cn is read-only after creation'))),
  /** Accepted when equal to the system's type (a full PUT); a different type is refused (422 SYSTEM_TYPE_IMMUTABLE). */
  type: z.optional(type()),
  description: nullable(description()),
  ipHostNumber: nullable(ipHostNumber()),
  macAddress: nullable(macAddress()),
  l: nullable(locality()),
  serialNumber: nullable(serialNumber()),
  owner: nullable(owner()),
});
export type UpdateSystemBody = z.infer<typeof UpdateSystemBody>;

export const SystemView = z.object({
  dn: z.string(),
  cn: z.string(),
  type: z.enum(SYSTEM_TYPES as [string, ...string[]]),
  objectClass: z.array(z.string()),
  description: z.optional(z.string()),
  ipHostNumber: z.optional(z.string()),
  macAddress: z.optional(z.string()),
  l: z.optional(z.string()),
  serialNumber: z.optional(z.string()),
  owner: z.optional(z.string()),
});
export type SystemView = z.infer<typeof SystemView>;
