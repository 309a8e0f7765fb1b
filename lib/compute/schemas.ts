/** Schemas shared by every cloud surface: ids, the record fields every view carries, catalog views. */
import * as z from '../http/zod.js';
import { PageQuery } from '../http/pagination.js';
import { filterParam } from '../http/filter.js';

/** Our resource ids (UUIDs). */
export const IdParams = z.object({ id: z.uuid('not a resource id') });

/** A cloud resource's name: 1-255 printable characters, no leading/trailing space (OpenStack's limit). */
export const cloudName = () =>
  z.string().check(
    z.minLength(1, 'name must not be empty'),
    z.maxLength(255),
    z.refine((v: string) => v.trim() === v && !/[\u0000-\u001f\u007f]/.test(v), 'name must not have control characters or outer spaces'),
  );

/** OpenStack metadata: ≤ 128 pairs, keys ≤ 255 and values ≤ 255 characters. */
export const metadata = () =>
  z
    .record(z.string().check(z.minLength(1), z.maxLength(255)), z.string().check(z.maxLength(255)))
    .check(z.refine((m: Record<string, string>) => Object.keys(m).length <= 128, 'at most 128 metadata pairs'));

export const departmentDn = () => z.optional(z.string().check(z.minLength(3), z.maxLength(1024)));

/** The record fields every cloud view carries. */
export const RecordFields = {
  id: z.string(),
  name: z.string(),
  owner: z.string(),
  department: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  fault: z.optional(z.object({ code: z.string(), message: z.string() })),
  drift: z.optional(
    z.object({
      detected_at: z.string(),
      kind: z.enum(['deleted', 'changed', 'error']),
      changes: z.optional(z.array(z.object({ attribute: z.string(), recorded: z.unknown(), actual: z.unknown() }))),
    }),
  ),
  /** The task changing the resource now, if any. */
  current_task: z.optional(z.object({ id: z.string(), href: z.string() })),
};

/** The list query of a cloud collection: paging, `filter=` on the given view attributes. */
export const cloudListQuery = (attributes: readonly string[]) => z.extend(PageQuery, { filter: filterParam(attributes) });

export const FlavorView = z.object({
  id: z.string(),
  name: z.string(),
  vcpus: z.integer(),
  ram_mb: z.integer(),
  disk_gb: z.integer(),
  ephemeral_gb: z.integer(),
  is_public: z.boolean(),
  description: z.optional(z.nullable(z.string())),
});

export const ImageView = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  disk_format: z.optional(z.nullable(z.string())),
  min_disk_gb: z.integer(),
  min_ram_mb: z.integer(),
  size_bytes: z.optional(z.nullable(z.integer())),
  visibility: z.string(),
  created_at: z.optional(z.string()),
});

const Usage = z.object({ limit: z.integer(), in_use: z.integer(), reserved: z.integer(), available: z.nullable(z.integer()) });
export const QuotasView = z.object({
  project_id: z.string(),
  compute: z.record(z.string(), Usage),
  network: z.record(z.string(), Usage),
  volume: z.record(z.string(), Usage),
});

export const FLAVOR_FILTERS = ['id', 'name', 'vcpus', 'ram_mb', 'disk_gb'] as const;
export const IMAGE_FILTERS = ['id', 'name', 'status', 'disk_format', 'visibility'] as const;
export const FlavorListQuery = cloudListQuery(FLAVOR_FILTERS);
export const ImageListQuery = cloudListQuery(IMAGE_FILTERS);
