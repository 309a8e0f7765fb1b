import * as z from '../../http/zod.js';
import { cloudListQuery, cloudName, departmentDn, metadata, RecordFields } from '../schemas.js';

const sshKey = () =>
  z.string().check(
    z.maxLength(16384),
    z.regex(
      /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/,
      {
        message: 'expected an OpenSSH public key line (type, base64 blob, optional comment)',
      },
    ),
  );

export const CreateInstanceBody = z.object({
  name: cloudName(),
  /** Flavor name (m1.small) or id. */
  flavor: z.string().check(z.minLength(1), z.maxLength(255)),
  /** Image name (cirros) or id. */
  image: z.string().check(z.minLength(1), z.maxLength(255)),
  /** Network: one of ours (id), or an OpenStack network name or id; default: the project's network. */
  network: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  key_name: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  ssh_authorized_keys: z.optional(z.array(sshKey()).check(z.minLength(1), z.maxLength(32))),
  /** Cloud-init user data as text (not base64), ≤ 48 KiB. */
  user_data: z.optional(z.string().check(z.maxLength(49152))),
  /** Boot from a volume of this size (GiB) made from the image. */
  volume_size: z.optional(z.integer().check(z.gte(1), z.lte(16384))),
  metadata: z.optional(metadata()),
  department_dn: departmentDn(),
});
export type CreateInstanceBody = z.infer<typeof CreateInstanceBody>;

export const UpdateInstanceBody = z.object({
  name: z.optional(cloudName()),
  /** New flavor (RAM/CPU): resize + confirm. */
  flavor: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  /** New size (GiB) of the instance's volume: extend. */
  volume_size: z.optional(z.integer().check(z.gte(1), z.lte(16384))),
});
export type UpdateInstanceBody = z.infer<typeof UpdateInstanceBody>;

export const INSTANCE_ACTIONS = ['start', 'stop', 'reboot'] as const;
export const InstanceActionBody = z.object({
  action: z.enum(INSTANCE_ACTIONS),
  /** For reboot: SOFT (default) or HARD. */
  type: z.optional(z.enum(['SOFT', 'HARD'])),
});
export type InstanceActionBody = z.infer<typeof InstanceActionBody>;

export const INSTANCE_STATUSES = [
  'BUILD',
  'ACTIVE',
  'SHUTOFF',
  'REBOOT',
  'HARD_REBOOT',
  'RESIZE',
  'VERIFY_RESIZE',
  'REVERT_RESIZE',
  'ERROR',
  'DELETED',
  'PAUSED',
  'SUSPENDED',
  'SHELVED',
  'SHELVED_OFFLOADED',
  'MIGRATING',
  'REBUILD',
  'RESCUE',
  'UNKNOWN',
] as const;

export const InstanceView = z.object({
  ...RecordFields,
  status: z.string(),
  /** What Nova is doing (`spawning`, `deleting`, `resize_prep`…), if anything. */
  task_state: z.optional(z.nullable(z.string())),
  openstack_id: z.nullable(z.string()),
  flavor: z.object({
    id: z.nullable(z.string()),
    name: z.nullable(z.string()),
    vcpus: z.optional(z.integer()),
    ram_mb: z.optional(z.integer()),
    disk_gb: z.optional(z.integer()),
  }),
  image: z.object({ id: z.nullable(z.string()), name: z.nullable(z.string()) }),
  network: z.object({ id: z.nullable(z.string()), name: z.nullable(z.string()) }),
  addresses: z.array(
    z.object({ network: z.string(), addr: z.string(), version: z.integer(), type: z.string(), mac: z.optional(z.string()) }),
  ),
  floating_ips: z.array(z.string()),
  volumes: z.array(z.object({ id: z.string() })),
  volume_size: z.optional(z.integer()),
  key_name: z.optional(z.nullable(z.string())),
  metadata: z.record(z.string(), z.string()),
});
export type InstanceView = z.infer<typeof InstanceView>;

export const INSTANCE_FILTERS = ['id', 'name', 'status', 'openstack_id', 'owner', 'department', 'key_name'] as const;
export const InstanceListQuery = cloudListQuery(INSTANCE_FILTERS);
