import * as z from '../../http/zod.js';
import { cloudListQuery, cloudName, departmentDn, metadata, RecordFields } from '../schemas.js';

export const CreateSnapshotBody = z.object({
  /** One of our volumes. */
  volume_id: z.uuid('not a volume id'),
  name: cloudName(),
  description: z.optional(z.string().check(z.maxLength(255))),
  /** Required to snapshot an attached (`in-use`) volume, as in Cinder: the copy is crash-consistent only. */
  force: z.optional(z.boolean()),
  metadata: z.optional(metadata()),
  /** Default: the volume's department. */
  department_dn: departmentDn(),
});
export type CreateSnapshotBody = z.infer<typeof CreateSnapshotBody>;

export const SnapshotView = z.object({
  ...RecordFields,
  /** Cinder's status: creating, available, error, deleting, error_deleting… (`deleted` once gone). */
  status: z.string(),
  /** GiB: the volume's size when the snapshot was taken. */
  size: z.integer(),
  /** Cinder's `os-extended-snapshot-attributes:progress` ("42%"), when it reports one. */
  progress: z.nullable(z.string()),
  /** Our volume. */
  volume_id: z.string(),
  openstack_volume_id: z.nullable(z.string()),
  openstack_id: z.nullable(z.string()),
  description: z.nullable(z.string()),
  metadata: z.record(z.string(), z.string()),
});
export type SnapshotView = z.infer<typeof SnapshotView>;

export const SNAPSHOT_FILTERS = ['id', 'name', 'status', 'volume_id', 'openstack_id', 'owner', 'department'] as const;
export const SnapshotListQuery = cloudListQuery(SNAPSHOT_FILTERS);
