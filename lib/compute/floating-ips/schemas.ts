import * as z from '../../http/zod.js';
import { cloudListQuery, departmentDn, RecordFields } from '../schemas.js';

const instanceId = () => z.uuid('not an instance id');

export const CreateFloatingIpBody = z.object({
  /** One of our instances (its id in this API), ACTIVE: the IP goes to its first port with an IPv4 address. */
  instance_id: instanceId(),
  /** The external network to allocate from, by name or id; default `CLOUD_EXTERNAL_NETWORK` (`public`), else the only one. */
  pool: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  /** Default: the instance's department. */
  department_dn: departmentDn(),
});
export type CreateFloatingIpBody = z.infer<typeof CreateFloatingIpBody>;

export const AssociateFloatingIpBody = z.object({ instance_id: instanceId() });
export type AssociateFloatingIpBody = z.infer<typeof AssociateFloatingIpBody>;

export const FloatingIpView = z.object({
  ...RecordFields,
  address: z.nullable(z.string()),
  /** Neutron's status: ACTIVE (associated and wired), DOWN (not associated), ERROR; DELETED when gone from the cloud. */
  status: z.string(),
  openstack_id: z.nullable(z.string()),
  /** The external network it comes from. */
  pool: z.nullable(z.string()),
  pool_id: z.nullable(z.string()),
  /** Our instance it points at, if any. */
  instance_id: z.nullable(z.string()),
  port_id: z.nullable(z.string()),
  /** The instance's address it is translated to. */
  fixed_ip: z.nullable(z.string()),
});
export type FloatingIpView = z.infer<typeof FloatingIpView>;

export const FLOATING_IP_FILTERS = ['id', 'address', 'status', 'instance_id', 'pool', 'openstack_id', 'owner', 'department'] as const;
export const FloatingIpListQuery = cloudListQuery(FLOATING_IP_FILTERS);
