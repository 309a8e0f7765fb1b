// The contract of the DNS routes (Heracles §12), apart from their handlers: the OpenAPI document and the
// 404/405 fallback read it without bundling what the handlers need.
import { routeSpec } from '../../../lib/http/http-function.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import {
  CreateRecordBody,
  CreateZoneBody,
  DeleteZoneQuery,
  RecordListQuery,
  RecordParams,
  RecordView,
  ZoneListQuery,
  ZoneParams,
  ZoneView,
} from '../../../lib/identity/dns/schemas.js';

const denied = { description: 'FORBIDDEN', schema: ErrorBody };
const zoneNotFound = { description: 'DNS_ZONE_NOT_FOUND (details: zone, search_base)', schema: ErrorBody };

export const listZones = routeSpec({
  method: 'GET',
  path: '/api/v1/dns/zones',
  summary: 'List DNS zones (dNSZone apex entries under ou=dns), sorted by name, with their SOA and record count',
  tags: ['dns'],
  permission: 'dns:r',
  scoped: true,
  query: ZoneListQuery,
  responses: {
    200: { description: 'Zones', schema: PageOf(ZoneView) },
    400: { description: 'VALIDATION_ERROR', schema: ErrorBody },
    403: denied,
  },
});

export const createZone = routeSpec({
  method: 'POST',
  path: '/api/v1/dns/zones',
  summary:
    'Create a zone: apex zoneName=<zone>,ou=dns,<base> with relativeDomainName=@, the SOA (serial YYYYMMDD01 unless given) and dNSTTL (3600 unless ttl)',
  tags: ['dns'],
  permission: 'dns:c',
  scoped: true,
  idempotent: true,
  body: CreateZoneBody,
  responses: {
    201: { description: 'The zone', schema: ZoneView },
    400: { description: 'VALIDATION_ERROR (zoneName, soa.primary_ns, soa.admin_email, …)', schema: ErrorBody },
    403: denied,
    409: { description: 'DNS_ZONE_EXISTS', schema: ErrorBody },
  },
});

export const getZone = routeSpec({
  method: 'GET',
  path: '/api/v1/dns/zones/{name}',
  summary: 'A zone with its SOA (text and fields), TTL and record count',
  tags: ['dns'],
  permission: 'dns:r',
  scoped: true,
  params: ZoneParams,
  responses: { 200: { description: 'The zone', schema: ZoneView }, 403: denied, 404: zoneNotFound },
});

export const deleteZone = routeSpec({
  method: 'DELETE',
  path: '/api/v1/dns/zones/{name}',
  summary: 'Delete a zone; refused while it has records unless recursive=true (then its records go with it)',
  tags: ['dns'],
  permission: 'dns:d',
  scoped: true,
  params: ZoneParams,
  query: DeleteZoneQuery,
  responses: {
    204: { description: 'Deleted' },
    403: denied,
    404: zoneNotFound,
    409: { description: 'DNS_ZONE_NOT_EMPTY (details.recordCount)', schema: ErrorBody },
  },
});

export const listRecords = routeSpec({
  method: 'GET',
  path: '/api/v1/dns/zones/{name}/records',
  summary: 'The records of a zone (A, AAAA, MX, NS, CNAME, PTR, TXT, SRV; the SOA is the zone), filtered by type and owner name',
  tags: ['dns'],
  permission: 'dns:r',
  scoped: true,
  params: ZoneParams,
  query: RecordListQuery,
  responses: { 200: { description: 'Records', schema: PageOf(RecordView) }, 403: denied, 404: zoneNotFound },
});

export const createRecord = routeSpec({
  method: 'POST',
  path: '/api/v1/dns/zones/{name}/records',
  summary:
    'Add a record: `value` (RDATA text) or the fields of its type (MX preference+host; SRV priority, weight, port, target; TXT strings). A: IPv4; AAAA: IPv6; NS/CNAME/PTR: FQDN; TXT: strings of ≤ 255 printable ASCII characters. Advances the SOA serial',
  tags: ['dns'],
  permission: 'dns:c',
  scoped: true,
  idempotent: true,
  params: ZoneParams,
  body: CreateRecordBody,
  responses: {
    201: { description: 'The record (id = base64url of TYPE:name:value)', schema: RecordView },
    400: { description: 'VALIDATION_ERROR naming the field (body.value, body.name, body.preference, …)', schema: ErrorBody },
    403: denied,
    404: zoneNotFound,
    409: { description: 'DNS_RECORD_EXISTS, DNS_CNAME_CONFLICT (a CNAME shares its name with nothing, never at @)', schema: ErrorBody },
    422: { description: 'DNS_TTL_CONFLICT (records of one name share their dNSTTL; details.field = ttl)', schema: ErrorBody },
  },
});

export const deleteRecord = routeSpec({
  method: 'DELETE',
  path: '/api/v1/dns/zones/{name}/records/{record_id}',
  summary: 'Delete a record by id (the owner entry goes with its last record); advances the SOA serial',
  tags: ['dns'],
  permission: 'dns:d',
  scoped: true,
  params: RecordParams,
  responses: {
    204: { description: 'Deleted' },
    403: denied,
    404: { description: 'DNS_ZONE_NOT_FOUND, DNS_RECORD_NOT_FOUND', schema: ErrorBody },
  },
});
