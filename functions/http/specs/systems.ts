// The contract of the system routes (Heracles §5), apart from their handlers: the OpenAPI document and the
// 404/405 fallback read it without bundling what the handlers need.
import { routeSpec } from '../../../lib/http/http-function.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import { CreateSystemBody, SystemCnParams, SystemListQuery, SystemView, UpdateSystemBody } from '../../../lib/identity/systems/schemas.js';

const denied = { description: 'FORBIDDEN', schema: ErrorBody };
const notFound = { description: 'SYSTEM_NOT_FOUND (details: cn, search_base)', schema: ErrorBody };
const invalid = { description: 'VALIDATION_ERROR (details.fields names each field)', schema: ErrorBody };

export const listSystems = routeSpec({
  method: 'GET',
  path: '/api/v1/systems',
  summary:
    'List systems (server, workstation, terminal, printer, component, phone, mobile), sorted by cn; type= narrows to one type; filter=attr:op:value',
  tags: ['systems'],
  permission: 'system:r',
  scoped: true,
  query: SystemListQuery,
  responses: { 200: { description: 'Systems', schema: PageOf(SystemView) }, 400: invalid, 403: denied },
});

export const getSystem = routeSpec({
  method: 'GET',
  path: '/api/v1/systems/{cn}',
  summary: 'A system',
  tags: ['systems'],
  permission: 'system:r',
  scoped: true,
  params: SystemCnParams,
  responses: { 200: { description: 'The system', schema: SystemView }, 403: denied, 404: notFound },
});

export const createSystem = routeSpec({
  method: 'POST',
  path: '/api/v1/systems',
  summary:
    'Create a system under ou=systems (hrc<Type> class; + ipHost with ipHostNumber, IPv4/IPv6 normalised; + ieee802Device with macAddress, normalised to aa:bb:cc:dd:ee:ff)',
  tags: ['systems'],
  permission: 'system:c',
  scoped: true,
  idempotent: true,
  body: CreateSystemBody,
  responses: {
    201: { description: 'The system', schema: SystemView },
    400: invalid,
    403: denied,
    409: { description: 'SYSTEM_EXISTS', schema: ErrorBody },
    422: { description: 'A schema violation naming the attribute', schema: ErrorBody },
  },
});

export const updateSystem = routeSpec({
  method: 'PUT',
  path: '/api/v1/systems/{cn}',
  summary: 'Change the given fields of a system; null removes one; cn is read-only and type immutable (same value accepted)',
  tags: ['systems'],
  permission: 'system:w',
  scoped: true,
  params: SystemCnParams,
  body: UpdateSystemBody,
  responses: {
    200: { description: 'The system', schema: SystemView },
    400: invalid,
    403: denied,
    404: notFound,
    422: { description: 'SYSTEM_TYPE_IMMUTABLE or a schema violation naming the attribute', schema: ErrorBody },
  },
});

export const deleteSystem = routeSpec({
  method: 'DELETE',
  path: '/api/v1/systems/{cn}',
  summary: 'Delete a system',
  tags: ['systems'],
  permission: 'system:d',
  scoped: true,
  params: SystemCnParams,
  responses: { 204: { description: 'Deleted' }, 403: denied, 404: notFound },
});
