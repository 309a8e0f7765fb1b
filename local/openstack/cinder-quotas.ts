/** Cinder quotas (`os-quota-sets`, with `?usage=true`), absolute limits and volume types. */
import { reply, type OsRequest, type Router } from './http.js';
import { wrappedFault as fault, type Microversion } from './microversion.js';
import { DEFAULT_QUOTAS, quotaOf } from './model.js';
import { VOLUME_TYPES, volumeUsage } from './cinder-core.js';
import { isAdmin } from './neutron-api.js';
import type { Sim } from './sim.js';
import { isObject } from './util.js';

export function registerCinderQuotas(sim: Sim, router: Router, scoped: (req: OsRequest, pid: string) => Microversion): void {
  const st = () => sim.state;
  const quotaSet = (pid: string, usage: boolean) => {
    const q = quotaOf(st(), pid, 'volume');
    const used = volumeUsage(sim, pid) as unknown as Record<string, number>;
    const out: Record<string, unknown> = { id: pid };
    const all: Record<string, number> = { ...q, 'volumes_lvmdriver-1': -1, 'gigabytes_lvmdriver-1': -1, 'snapshots_lvmdriver-1': -1 };
    for (const [k, limit] of Object.entries(all)) {
      const base = k.replace(/_lvmdriver-1$/, '');
      // `allocated` only exists with the nested quota driver, which Cinder no longer has.
      out[k] = usage ? { limit, in_use: k === 'per_volume_gigabytes' ? 0 : (used[base] ?? 0), reserved: 0 } : limit;
    }
    return out;
  };
  router
    .on('GET', '/v3/:pid/os-quota-sets/:target', (req, { pid, target }) => {
      scoped(req, pid!);
      const usage = ['true', '1', 'yes', 'on'].includes((req.query.get('usage') ?? '').toLowerCase());
      return reply(200, { quota_set: quotaSet(target!, usage) });
    })
    .on('GET', '/v3/:pid/os-quota-sets/:target/defaults', (req, { pid, target }) => {
      scoped(req, pid!);
      return reply(200, { quota_set: { id: target, ...DEFAULT_QUOTAS.volume } });
    })
    .on('PUT', '/v3/:pid/os-quota-sets/:target', (req, { pid, target }) => {
      scoped(req, pid!);
      if (!isAdmin(sim, req.token!)) throw fault(403, `Policy doesn't allow volume_extension:quotas:update to be performed.`);
      const body = isObject(req.body) && isObject(req.body.quota_set) ? req.body.quota_set : undefined;
      if (!body) throw fault(400, 'Missing required element quota_set in request body.');
      const values: Record<string, number> = {};
      for (const [k, v] of Object.entries(body)) {
        if (!(k in DEFAULT_QUOTAS.volume)) throw fault(400, `Bad key(s) in quota set: ${k}`);
        if (typeof v !== 'number' || !Number.isInteger(v) || v < -1)
          throw fault(400, `Invalid input received: Quota limit ${String(v)} for ${k} must be -1 or greater.`);
        values[k] = v;
      }
      const entry = (st().quotas[target!] ??= {});
      entry.volume = { ...(entry.volume ?? {}), ...values };
      const { id: _id, ...rest } = quotaSet(target!, false);
      return reply(200, { quota_set: rest });
    })
    .on('GET', '/v3/:pid/limits', (req, { pid }) => {
      scoped(req, pid!);
      const q = quotaOf(st(), pid!, 'volume');
      const u = volumeUsage(sim, pid!);
      return reply(200, {
        limits: {
          rate: [],
          absolute: {
            maxTotalVolumes: q.volumes,
            maxTotalSnapshots: q.snapshots,
            maxTotalVolumeGigabytes: q.gigabytes,
            maxTotalBackups: q.backups,
            maxTotalBackupGigabytes: q.backup_gigabytes,
            totalVolumesUsed: u.volumes,
            totalSnapshotsUsed: u.snapshots,
            totalGigabytesUsed: u.gigabytes,
            totalBackupsUsed: 0,
            totalBackupGigabytesUsed: 0,
          },
        },
      });
    })
    .on('GET', '/v3/:pid/types', (req, { pid }) => {
      scoped(req, pid!);
      return reply(200, {
        volume_types: VOLUME_TYPES.map((t) => ({
          ...t,
          is_public: true,
          'os-volume-type-access:is_public': true,
          qos_specs_id: null,
          extra_specs: t.name === '__DEFAULT__' ? {} : { volume_backend_name: t.name },
        })),
      });
    });
}
