// The contract of the DHCP routes (Heracles §13), apart from their handlers: the OpenAPI document and the
// 404/405 fallback read it without bundling what the handlers need.
//
// Routes: the spec's own GET/POST /dhcp/services, /dhcp/subnets and /dhcp/hosts (typed bodies), then one
// generic surface for the eleven types, /dhcp/{type} and /dhcp/{type}/{cn} with type = services,
// shared_networks, subnets, pools, hosts, groups, classes, subclasses, tsig_keys, dns_zones, failover_peers.
// The literal routes come first in the table, so they win over {type}.
import { routeSpec } from '../../../lib/http/http-function.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import {
  AnyDhcpBody,
  CREATE_BODIES,
  DhcpDeleteQuery,
  DhcpListQuery,
  DhcpLookupQuery,
  DhcpObjectParams,
  DhcpObjectView,
  DhcpTypeParams,
} from '../../../lib/identity/dhcp/schemas.js';

const denied = { description: 'FORBIDDEN', schema: ErrorBody };
const placement =
  '422 DHCP_PARENT_NOT_FOUND / DHCP_INVALID_PARENT (details.field = parent, parent_type, allowed), DHCP_RANGE_OUTSIDE_SUBNET, DHCP_ADDRESS_OUTSIDE_SUBNET';
const conflicts = 'DHCP_OBJECT_EXISTS, DHCP_SUBNET_OVERLAP (same service), DHCP_HWADDRESS_EXISTS (same service)';
const list = { 200: { description: 'Objects, sorted by cn', schema: PageOf(DhcpObjectView) }, 403: denied };

export const listServices = routeSpec({
  method: 'GET',
  path: '/api/v1/dhcp/services',
  summary: 'List DHCP services (dhcpService under ou=dhcp)',
  tags: ['dhcp'],
  permission: 'dhcp:r',
  scoped: true,
  query: DhcpListQuery,
  responses: list,
});

export const createService = routeSpec({
  method: 'POST',
  path: '/api/v1/dhcp/services',
  summary: 'Create a DHCP service (top-level container: cn=<cn>,ou=dhcp,<base>)',
  tags: ['dhcp'],
  permission: 'dhcp:c',
  scoped: true,
  idempotent: true,
  body: CREATE_BODIES.service,
  responses: {
    201: { description: 'The service', schema: DhcpObjectView },
    400: { description: 'VALIDATION_ERROR', schema: ErrorBody },
    403: denied,
    409: { description: 'DHCP_OBJECT_EXISTS', schema: ErrorBody },
  },
});

export const listSubnets = routeSpec({
  method: 'GET',
  path: '/api/v1/dhcp/subnets',
  summary: 'List subnets (all, or of one service / parent)',
  tags: ['dhcp'],
  permission: 'dhcp:r',
  scoped: true,
  query: DhcpListQuery,
  responses: list,
});

export const createSubnet = routeSpec({
  method: 'POST',
  path: '/api/v1/dhcp/subnets',
  summary:
    'Create a subnet under a service (`service`: its cn) or shared network (`parent`: its DN); cn is the network address and must agree with netmask (prefix length); range values inside the subnet',
  tags: ['dhcp'],
  permission: 'dhcp:c',
  scoped: true,
  idempotent: true,
  body: CREATE_BODIES.subnet,
  responses: {
    201: { description: 'The subnet', schema: DhcpObjectView },
    400: { description: 'VALIDATION_ERROR (body.cn network_mismatch, body.range, body.parent)', schema: ErrorBody },
    403: denied,
    409: { description: conflicts, schema: ErrorBody },
    422: { description: placement, schema: ErrorBody },
  },
});

export const listHosts = routeSpec({
  method: 'GET',
  path: '/api/v1/dhcp/hosts',
  summary: 'List hosts (all, or of one service / parent)',
  tags: ['dhcp'],
  permission: 'dhcp:r',
  scoped: true,
  query: DhcpListQuery,
  responses: list,
});

export const createHost = routeSpec({
  method: 'POST',
  path: '/api/v1/dhcp/hosts',
  summary:
    'Create a host under a service, subnet or group (`parent` DN, or `service` cn): hwaddress "ethernet 00:11:22:33:44:55" (unicast MAC), fixed_address (IPv4 inside the enclosing subnet, or a host name) stored as the fixed-address statement',
  tags: ['dhcp'],
  permission: 'dhcp:c',
  scoped: true,
  idempotent: true,
  body: CREATE_BODIES.host,
  responses: {
    201: { description: 'The host', schema: DhcpObjectView },
    400: { description: 'VALIDATION_ERROR (body.hwaddress, body.fixed_address, body.parent)', schema: ErrorBody },
    403: denied,
    409: { description: conflicts, schema: ErrorBody },
    422: { description: placement, schema: ErrorBody },
  },
});

export const listObjects = routeSpec({
  method: 'GET',
  path: '/api/v1/dhcp/{type}',
  summary: 'List DHCP objects of a type (all, or under `service` cn / `parent` DN)',
  tags: ['dhcp'],
  permission: 'dhcp:r',
  scoped: true,
  params: DhcpTypeParams,
  query: DhcpListQuery,
  responses: { ...list, 404: { description: 'DHCP_PARENT_NOT_FOUND', schema: ErrorBody } },
});

export const createObject = routeSpec({
  method: 'POST',
  path: '/api/v1/dhcp/{type}',
  summary:
    "Create a DHCP object of a type; the body is the type's (see the /dhcp/services, /subnets, /hosts bodies; pools: range + permit_list; subclasses: class_data; tsig_keys: algorithm + secret (base64, never returned); dns_zones: dns_server + key_dn; failover_peers: primary_server, secondary_server, primary_port, secondary_port, …); common: statements, options, comments, and `parent` DN or `service` cn",
  tags: ['dhcp'],
  permission: 'dhcp:c',
  scoped: true,
  idempotent: true,
  params: DhcpTypeParams,
  body: AnyDhcpBody,
  responses: {
    201: { description: 'The object', schema: DhcpObjectView },
    400: { description: 'VALIDATION_ERROR naming body.<field>', schema: ErrorBody },
    403: denied,
    409: { description: conflicts, schema: ErrorBody },
    422: { description: placement, schema: ErrorBody },
  },
});

const lookup = {
  404: { description: 'DHCP_OBJECT_NOT_FOUND', schema: ErrorBody },
  409: { description: 'DHCP_AMBIGUOUS (the cn repeats: give parent; details.candidates)', schema: ErrorBody },
};

export const getObject = routeSpec({
  method: 'GET',
  path: '/api/v1/dhcp/{type}/{cn}',
  summary: 'A DHCP object by type and cn (`parent` DN or `service` cn narrow the search)',
  tags: ['dhcp'],
  permission: 'dhcp:r',
  scoped: true,
  params: DhcpObjectParams,
  query: DhcpLookupQuery,
  responses: { 200: { description: 'The object', schema: DhcpObjectView }, 403: denied, ...lookup },
});

export const updateObject = routeSpec({
  method: 'PUT',
  path: '/api/v1/dhcp/{type}/{cn}',
  summary: 'Change the given fields of a DHCP object (null removes an optional one); cn and parent are read-only',
  tags: ['dhcp'],
  permission: 'dhcp:w',
  scoped: true,
  params: DhcpObjectParams,
  query: DhcpLookupQuery,
  body: AnyDhcpBody,
  responses: {
    200: { description: 'The object', schema: DhcpObjectView },
    400: { description: 'VALIDATION_ERROR naming body.<field>', schema: ErrorBody },
    403: denied,
    ...lookup,
    422: { description: `ATTRIBUTE_REQUIRED, ${placement}`, schema: ErrorBody },
  },
});

export const deleteObject = routeSpec({
  method: 'DELETE',
  path: '/api/v1/dhcp/{type}/{cn}',
  summary: 'Delete a DHCP object; refused while it holds objects unless recursive=true',
  tags: ['dhcp'],
  permission: 'dhcp:d',
  scoped: true,
  params: DhcpObjectParams,
  query: DhcpDeleteQuery,
  responses: {
    204: { description: 'Deleted' },
    403: denied,
    404: lookup[404],
    409: { description: 'DHCP_HAS_CHILDREN, DHCP_AMBIGUOUS', schema: ErrorBody },
  },
});
