import * as z from '../../http/zod.js';
import { PageQuery } from '../../http/pagination.js';
import { normalizeFqdn, normalizeZoneName, RECORD_TYPES, rnameFromEmail } from './records.js';

const zoneName = () =>
  z.string().check(
    z.maxLength(254),
    z.refine((v: string) => normalizeZoneName(v) !== null, 'must be a domain name (labels of letters, digits and hyphens)'),
  );
const u32 = () => z.integer().check(z.gte(0), z.lte(2_147_483_647));

export const ZoneParams = z.object({ name: zoneName() });
export const RecordParams = z.object({ name: zoneName(), record_id: z.text(1, 8000) });

export const ZoneListQuery = PageQuery;

export const DeleteZoneQuery = z.object({
  recursive: z._default(
    z.pipe(
      z.enum(['true', 'false']),
      z.transform((v: 'true' | 'false') => v === 'true'),
    ),
    false,
  ),
});

export const CreateZoneBody = z.object({
  zoneName: zoneName(),
  soa: z.object({
    primary_ns: z.string().check(
      z.maxLength(254),
      z.refine((v: string) => normalizeFqdn(v) !== null, 'must be a fully qualified domain name'),
    ),
    admin_email: z.string().check(
      z.maxLength(254),
      z.refine((v: string) => rnameFromEmail(v) !== null, 'must be an e-mail address'),
    ),
    serial: z.optional(z.integer().check(z.gte(1), z.lte(4_294_967_295))),
    refresh: u32(),
    retry: u32(),
    expire: u32(),
    minimum: u32(),
  }),
  ttl: z.optional(u32()),
});
export type CreateZoneBody = z.infer<typeof CreateZoneBody>;

export const RecordListQuery = z.extend(PageQuery, {
  type: z.optional(z.enum(RECORD_TYPES)),
  name: z.optional(z.text(1, 253)),
});

const u16 = () => z.integer().check(z.gte(0), z.lte(65535));

export const CreateRecordBody = z.object({
  name: z.text(1, 253),
  type: z.enum(RECORD_TYPES),
  value: z.optional(z.text(1, 4000)),
  ttl: z.optional(u32()),
  preference: z.optional(u16()),
  host: z.optional(z.text(1, 254)),
  priority: z.optional(u16()),
  weight: z.optional(u16()),
  port: z.optional(u16()),
  target: z.optional(z.text(1, 254)),
  strings: z.optional(z.array(z.string()).check(z.minLength(1), z.maxLength(64))),
});
export type CreateRecordBody = z.infer<typeof CreateRecordBody>;

const SoaFieldsView = z.object({
  primary_ns: z.string(),
  admin_email: z.string(),
  serial: z.integer(),
  refresh: z.integer(),
  retry: z.integer(),
  expire: z.integer(),
  minimum: z.integer(),
});

export const ZoneView = z.object({
  dn: z.string(),
  zoneName: z.string(),
  soa: z.string(),
  soaFields: z.nullable(SoaFieldsView),
  ttl: z.nullable(z.integer()),
  recordCount: z.integer(),
});

export const RecordView = z.object({
  id: z.string(),
  name: z.string(),
  fqdn: z.string(),
  type: z.enum(RECORD_TYPES),
  value: z.string(),
  ttl: z.nullable(z.integer()),
  fields: z.record(z.string(), z.unknown()),
  dn: z.string(),
});
