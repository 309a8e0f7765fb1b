import { route, httpFunction } from '../../lib/http/http-function.js';
import { created, noContent, ok } from '../../lib/http/respond.js';
import { page } from '../../lib/http/pagination.js';
import { auditMutation as writeMutation } from '../../lib/identity/audit-mutation.js';
import type { RequestContext } from '../../lib/http/types.js';
import type { AttributeChange } from '../../lib/audit/audit.js';
import { platform } from '../../lib/platform.js';
import { identity } from '../../lib/identity/identity-platform.js';
import { normalizeZoneName } from '../../lib/identity/dns/records.js';
import {
  addRecord,
  createZone,
  deleteRecord,
  deleteZone,
  dnsBase,
  getZone,
  listRecords,
  listZones,
  zoneDn,
} from '../../lib/identity/dns/zones.js';
import * as specs from './specs/dns.js';

const auditMutation = async (ctx: RequestContext<any, any, any>, action: string, target: string, changes: AttributeChange[]) =>
  writeMutation((await platform()).db, ctx, action, target, changes);

/** Checks `dns:<action>` on the zone's DN (where it is or would be: no directory read), so 403 comes before 404. */
async function authorizeZone(ctx: RequestContext<any, any, { name: string }>, action: 'read' | 'create' | 'delete') {
  const { d } = await identity('dns');
  const zone = normalizeZoneName(ctx.params.name)!;
  await ctx.authorize({ action, objectType: 'dns', objectDn: zoneDn(d, zone) });
  return { d, zone };
}

export const listZonesRoute = route(specs.listZones).handler(async (ctx) => {
  const { d } = await identity('dns');
  await ctx.authorize({ action: 'read', objectType: 'dns', objectDn: dnsBase(d) });
  const { data, total } = await listZones(d, ctx.query);
  return ok(page(data, total, ctx.query));
});

export const createZoneRoute = route(specs.createZone).handler(async (ctx) => {
  const { d } = await identity('dns');
  const zone = normalizeZoneName(ctx.body.zoneName)!;
  await ctx.authorize({ action: 'create', objectType: 'dns', objectDn: zoneDn(d, zone) });
  const { zone: view, changes } = await createZone(d, zone, ctx.body);
  await auditMutation(ctx, 'dns.zone.create', view.dn, changes);
  return created(view, `/api/v1/dns/zones/${encodeURIComponent(zone)}`);
});

export const getZoneRoute = route(specs.getZone).handler(async (ctx) => {
  const { d, zone } = await authorizeZone(ctx, 'read');
  return ok(await getZone(d, zone));
});

export const deleteZoneRoute = route(specs.deleteZone).handler(async (ctx) => {
  const { d, zone } = await authorizeZone(ctx, 'delete');
  const { dn, changes } = await deleteZone(d, zone, ctx.query.recursive);
  await auditMutation(ctx, 'dns.zone.delete', dn, changes);
  return noContent();
});

export const listRecordsRoute = route(specs.listRecords).handler(async (ctx) => {
  const { d, zone } = await authorizeZone(ctx, 'read');
  const { data, total } = await listRecords(d, zone, ctx.query);
  return ok(page(data, total, ctx.query));
});

export const createRecordRoute = route(specs.createRecord).handler(async (ctx) => {
  const { d, zone } = await authorizeZone(ctx, 'create');
  const { record, dn, changes } = await addRecord(d, zone, ctx.body);
  await auditMutation(ctx, 'dns.record.create', dn, changes);
  return created(record, `/api/v1/dns/zones/${encodeURIComponent(zone)}/records/${record.id}`);
});

export const deleteRecordRoute = route(specs.deleteRecord).handler(async (ctx) => {
  const { d, zone } = await authorizeZone(ctx, 'delete');
  const { dn, changes } = await deleteRecord(d, zone, ctx.params.record_id);
  await auditMutation(ctx, 'dns.record.delete', dn, changes);
  return noContent();
});

export const routes = [
  listZonesRoute,
  createZoneRoute,
  getZoneRoute,
  deleteZoneRoute,
  listRecordsRoute,
  createRecordRoute,
  deleteRecordRoute,
];
export const handler = httpFunction(routes, async () => (await platform()).http);
