/** Nova server metadata: `/servers/{id}/metadata` (all keys) and `/servers/{id}/metadata/{key}` (one). */
import { reply, type OsRequest, type Router } from './http.js';
import { wrappedFault as fault } from './microversion.js';
import { quotaOf, type Server } from './model.js';
import { findServer, invalid } from './nova-servers.js';
import type { Sim } from './sim.js';
import { isObject } from './util.js';

export function registerServerMetadata(sim: Sim, router: Router): void {
  router
    .on('GET', '/v2.1/servers/:id/metadata', (req, { id }) => reply(200, { metadata: findServer(sim, req.token!, id!).metadata }))
    .on('POST', '/v2.1/servers/:id/metadata', (req, { id }) => {
      const s = metadataTarget(req, id!);
      const metadata = { ...s.metadata, ...metadataBody(req, 'metadata') };
      checkMetadataQuota(s, metadata);
      s.metadata = metadata;
      s.updated = sim.iso();
      return reply(200, { metadata });
    })
    .on('PUT', '/v2.1/servers/:id/metadata', (req, { id }) => {
      const s = metadataTarget(req, id!);
      const metadata = metadataBody(req, 'metadata');
      checkMetadataQuota(s, metadata);
      s.metadata = metadata;
      s.updated = sim.iso();
      return reply(200, { metadata });
    })
    .on('GET', '/v2.1/servers/:id/metadata/:key', (req, { id, key }) => {
      const s = findServer(sim, req.token!, id!);
      if (!(key! in s.metadata)) throw fault(404, 'Metadata item was not found');
      return reply(200, { meta: { [key!]: s.metadata[key!] } });
    })
    .on('PUT', '/v2.1/servers/:id/metadata/:key', (req, { id, key }) => {
      const s = metadataTarget(req, id!);
      const meta = metadataBody(req, 'meta');
      const keys = Object.keys(meta);
      if (keys.length !== 1) throw fault(400, 'Request body contains too many items');
      if (keys[0] !== key) throw fault(400, 'Request body and URI mismatch');
      const metadata = { ...s.metadata, ...meta };
      checkMetadataQuota(s, metadata);
      s.metadata = metadata;
      s.updated = sim.iso();
      return reply(200, { meta });
    })
    .on('DELETE', '/v2.1/servers/:id/metadata/:key', (req, { id, key }) => {
      const s = metadataTarget(req, id!);
      if (!(key! in s.metadata)) throw fault(404, 'Metadata item was not found');
      const { [key!]: _gone, ...rest } = s.metadata;
      s.metadata = rest;
      s.updated = sim.iso();
      return reply(204);
    });

  /** Nova's check_instance_state of the metadata calls. */
  function metadataTarget(req: OsRequest, id: string): Server {
    const s = findServer(sim, req.token!, id);
    const ok = ['active', 'paused', 'suspended', 'stopped', 'shelved', 'shelved_offloaded'];
    const action = req.method === 'DELETE' ? 'delete metadata' : 'update metadata';
    if (!ok.includes(s.vmState)) throw fault(409, `Cannot '${action}' instance ${s.id} while it is in vm_state ${s.vmState}`);
    if (s.taskState !== null) throw fault(409, `Cannot '${action}' instance ${s.id} while it is in task_state ${s.taskState}`);
    return s;
  }
  function metadataBody(req: OsRequest, key: 'metadata' | 'meta'): Record<string, string> {
    const body = isObject(req.body) ? req.body[key] : undefined;
    if (!isObject(body)) throw invalid(key, req.body ?? null, `'${key}' is a required property`);
    for (const [k, v] of Object.entries(body)) {
      if (k.length < 1 || k.length > 255) throw invalid(key, body, `'${k}' does not match any of the regexes: '^[a-zA-Z0-9-_:. ]{1,255}$'`);
      if (typeof v !== 'string') throw invalid(k, v, `${JSON.stringify(v)} is not of type 'string'`);
      if (v.length > 255) throw invalid(k, v, `'${v}' is too long`);
    }
    return body as Record<string, string>;
  }
  function checkMetadataQuota(s: Server, metadata: Record<string, string>): void {
    const limit = quotaOf(sim.state, s.projectId, 'compute').metadata_items ?? 128;
    if (limit >= 0 && Object.keys(metadata).length > limit)
      throw fault(
        403,
        `Quota exceeded for metadata_items: Requested ${Object.keys(metadata).length}, but already used 0 of ${limit} metadata_items`,
      );
  }
}
