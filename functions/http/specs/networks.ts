// The contract of the network and floating IP routes (apibibind spec §1b): path, permission, schemas.
import { routeSpec } from '../../../lib/http/http-function.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import { IdParams } from '../../../lib/compute/schemas.js';
import { CreateNetworkBody, NetworkListQuery, NetworkView } from '../../../lib/compute/networks/schemas.js';
import {
  AssociateFloatingIpBody,
  CreateFloatingIpBody,
  FloatingIpListQuery,
  FloatingIpView,
} from '../../../lib/compute/floating-ips/schemas.js';

const errors = {
  403: { description: 'FORBIDDEN', schema: ErrorBody },
  503: { description: 'SERVICE_UNAVAILABLE (openstack)', schema: ErrorBody },
};

export const createNetwork = routeSpec({
  method: 'POST',
  path: '/api/v1/network',
  summary:
    'Create a network: Neutron network + subnet (+ a router to the external network with `external_router`). Synchronous: 201, or nothing left behind',
  tags: ['networks'],
  permission: 'network:c',
  scoped: true,
  idempotent: true,
  body: CreateNetworkBody,
  responses: {
    201: { description: 'The network; Location: the network', schema: NetworkView },
    400: {
      description: 'VALIDATION_ERROR naming the field (cidr, gateway_ip, dns_nameservers), also when Neutron refuses them',
      schema: ErrorBody,
    },
    422: { description: 'QUOTA_EXCEEDED (with the limit), NO_EXTERNAL_NETWORK', schema: ErrorBody },
    ...errors,
  },
});

export const listNetworks = routeSpec({
  method: 'GET',
  path: '/api/v1/networks',
  summary: 'Networks the caller may read, with their live status',
  tags: ['networks'],
  permission: 'network:r',
  scoped: true,
  query: NetworkListQuery,
  responses: { 200: { description: 'Networks', schema: PageOf(NetworkView) }, ...errors },
});

export const getNetwork = routeSpec({
  method: 'GET',
  path: '/api/v1/network/{id}',
  summary:
    'A network: status (Neutron), subnet (cidr, gateway, DNS, DHCP), router and its external address, ports in use, owner, department',
  tags: ['networks'],
  permission: 'network:r',
  scoped: true,
  params: IdParams,
  responses: {
    200: { description: 'The network', schema: NetworkView },
    404: { description: 'NETWORK_NOT_FOUND', schema: ErrorBody },
    ...errors,
  },
});

export const deleteNetwork = routeSpec({
  method: 'DELETE',
  path: '/api/v1/network/{id}',
  summary:
    'Delete a network (router interface, router, subnet, network). Two deletes at once are one deletion: both answer 204; a later one 404',
  tags: ['networks'],
  permission: 'network:d',
  scoped: true,
  params: IdParams,
  responses: {
    204: { description: 'Deleted' },
    404: { description: 'NETWORK_NOT_FOUND', schema: ErrorBody },
    409: {
      description: 'NETWORK_IN_USE (details.devices: the instances, load balancers… still plugged in), RESOURCE_BUSY',
      schema: ErrorBody,
    },
    ...errors,
  },
});

const fipErrors = {
  ...errors,
  409: {
    description:
      'INSTANCE_STATE_CONFLICT (not ACTIVE), INSTANCE_HAS_NO_PORT, EXTERNAL_NETWORK_UNREACHABLE (no router from its subnet to the pool), INSTANCE_HAS_FLOATING_IP, RESOURCE_BUSY',
    schema: ErrorBody,
  },
};

export const createFloatingIp = routeSpec({
  method: 'POST',
  path: '/api/v1/floating-ip',
  summary:
    'Allocate a floating IP from a pool (external network) and associate it with an instance; released again if the association fails',
  tags: ['floating-ips'],
  permission: 'floating-ip:c',
  scoped: true,
  idempotent: true,
  body: CreateFloatingIpBody,
  responses: {
    201: { description: 'The floating IP; Location: the floating IP', schema: FloatingIpView },
    400: { description: 'VALIDATION_ERROR (unknown instance_id or pool names the field)', schema: ErrorBody },
    422: { description: 'QUOTA_EXCEEDED (with the limit)', schema: ErrorBody },
    ...fipErrors,
  },
});

export const listFloatingIps = routeSpec({
  method: 'GET',
  path: '/api/v1/floating-ips',
  summary: 'Floating IPs the caller may read, with their live status and instance',
  tags: ['floating-ips'],
  permission: 'floating-ip:r',
  scoped: true,
  query: FloatingIpListQuery,
  responses: { 200: { description: 'Floating IPs', schema: PageOf(FloatingIpView) }, ...errors },
});

export const getFloatingIp = routeSpec({
  method: 'GET',
  path: '/api/v1/floating-ip/{id}',
  summary: 'A floating IP: address, pool, instance, port, status, owner, department',
  tags: ['floating-ips'],
  permission: 'floating-ip:r',
  scoped: true,
  params: IdParams,
  responses: {
    200: { description: 'The floating IP', schema: FloatingIpView },
    404: { description: 'FLOATING_IP_NOT_FOUND', schema: ErrorBody },
    ...errors,
  },
});

export const associateFloatingIp = routeSpec({
  method: 'POST',
  path: '/api/v1/floating-ip/{id}/associate',
  summary: 'Point the floating IP at an instance (moving it from another one if need be)',
  tags: ['floating-ips'],
  permission: 'floating-ip:w',
  scoped: true,
  params: IdParams,
  body: AssociateFloatingIpBody,
  responses: {
    200: { description: 'The floating IP', schema: FloatingIpView },
    400: { description: 'VALIDATION_ERROR (unknown instance_id)', schema: ErrorBody },
    404: { description: 'FLOATING_IP_NOT_FOUND', schema: ErrorBody },
    ...fipErrors,
  },
});

export const disassociateFloatingIp = routeSpec({
  method: 'POST',
  path: '/api/v1/floating-ip/{id}/disassociate',
  summary: 'Detach the floating IP from its instance (it stays allocated); a no-op when it is not associated',
  tags: ['floating-ips'],
  permission: 'floating-ip:w',
  scoped: true,
  params: IdParams,
  responses: {
    200: { description: 'The floating IP', schema: FloatingIpView },
    404: { description: 'FLOATING_IP_NOT_FOUND', schema: ErrorBody },
    409: { description: 'RESOURCE_BUSY', schema: ErrorBody },
    ...errors,
  },
});

export const deleteFloatingIp = routeSpec({
  method: 'DELETE',
  path: '/api/v1/floating-ip/{id}',
  summary: 'Release the floating IP (disassociating it). Two releases at once answer 204 both; a later one 404',
  tags: ['floating-ips'],
  permission: 'floating-ip:d',
  scoped: true,
  params: IdParams,
  responses: {
    204: { description: 'Released' },
    404: { description: 'FLOATING_IP_NOT_FOUND', schema: ErrorBody },
    409: { description: 'RESOURCE_BUSY', schema: ErrorBody },
    ...errors,
  },
});
