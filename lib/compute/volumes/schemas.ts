import * as z from '../../http/zod.js';
import { cloudListQuery, cloudName, departmentDn, metadata, RecordFields } from '../schemas.js';

/** Cinder's size bounds in GiB (16 TiB: the usual backend maximum). */
const size = () => z.integer().check(z.gte(1), z.lte(16384));

export const CreateVolumeBody = z.object({
  name: cloudName(),
  /** GiB. */
  size: size(),
  /** One of our instances: the volume is attached to it once available. */
  instance_id: z.optional(z.uuid('not an instance id')),
  /** Volume type name or id (default: the cloud's default type). */
  volume_type: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  description: z.optional(z.string().check(z.maxLength(255))),
  metadata: z.optional(metadata()),
  department_dn: departmentDn(),
});
export type CreateVolumeBody = z.infer<typeof CreateVolumeBody>;

export const ExtendVolumeBody = z.object({
  /** GiB, larger than the current size. */
  new_size: size(),
});
export type ExtendVolumeBody = z.infer<typeof ExtendVolumeBody>;

export const AttachVolumeBody = z.object({ instance_id: z.uuid('not an instance id') });
export type AttachVolumeBody = z.infer<typeof AttachVolumeBody>;

export const DeleteVolumeQuery = z.object({
  /** Also delete the volume's snapshots (Cinder's `cascade`); without it a volume with snapshots is a 409. */
  cascade: z._default(
    z.pipe(
      z.enum(['true', 'false']),
      z.transform((v: 'true' | 'false') => v === 'true'),
    ),
    false,
  ),
});

export const VolumeView = z.object({
  ...RecordFields,
  /** Cinder's status (creating, available, in-use, attaching, detaching, extending, deleting, error…). */
  status: z.string(),
  /** GiB. */
  size: z.integer(),
  volume_type: z.nullable(z.string()),
  bootable: z.boolean(),
  attachments: z.array(
    z.object({
      /** Our instance, when the server is one of ours. */
      instance_id: z.nullable(z.string()),
      openstack_server_id: z.string(),
      device: z.nullable(z.string()),
    }),
  ),
  openstack_id: z.nullable(z.string()),
  description: z.nullable(z.string()),
  metadata: z.record(z.string(), z.string()),
});
export type VolumeView = z.infer<typeof VolumeView>;

export const VOLUME_FILTERS = ['id', 'name', 'status', 'size', 'volume_type', 'bootable', 'openstack_id', 'owner', 'department'] as const;
export const VolumeListQuery = cloudListQuery(VOLUME_FILTERS);
