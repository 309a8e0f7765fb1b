/** Nova v2.1: version discovery, microversions, flavors, keypairs, quotas and limits; servers in nova-servers/nova-actions. */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { reply, Router, type OsRequest } from './http.js';
import { negotiate, wrappedFault as fault, type Microversion } from './microversion.js';
import { DEFAULT_QUOTAS, quotaOf, type Keypair } from './model.js';
import { isAdmin } from './neutron-api.js';
import { registerActions } from './nova-actions.js';
import { registerServers } from './nova-servers.js';
import { registerServerMetadata } from './nova-metadata.js';
import { computeUsage, flavorView } from './nova-view.js';
import type { Sim } from './sim.js';
import { isObject, nextHref, pageAfter, pageParams } from './util.js';

export const NOVA_MAX_MINOR = 96;

export const novaMicroversion = (req: OsRequest): Microversion =>
  negotiate(req, { service: 'compute', major: 2, min: 1, max: NOVA_MAX_MINOR, legacyHeader: 'x-openstack-nova-api-version', fault });

/** The wire form of an SSH public key and its MD5 fingerprint, as Nova computes them. */
function sshRsaPublicKey(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, (b.length >> 8) & 0xff, b.length & 0xff]), b]);
  const mpint = (b64: string) => {
    const b = Buffer.from(b64, 'base64url');
    return str(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  };
  const blob = Buffer.concat([str(Buffer.from('ssh-rsa')), mpint(jwk.e!), mpint(jwk.n!)]);
  return {
    publicKey: `ssh-rsa ${blob.toString('base64')} Generated-by-Nova`,
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
  };
}

export function sshFingerprint(publicKey: string): string | undefined {
  const m = /^(ssh-rsa|ssh-ed25519|ssh-dss|ecdsa-sha2-nistp\d+)\s+([A-Za-z0-9+/]+={0,2})(\s|$)/.exec(publicKey.trim());
  if (!m) return undefined;
  const blob = Buffer.from(m[2]!, 'base64');
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (blob.subarray(4, 4 + len).toString() !== m[1]) return undefined;
  return createHash('md5')
    .update(blob)
    .digest('hex')
    .replace(/(..)(?!$)/g, '$1:');
}

export function createNova(sim: Sim): Router {
  const st = () => sim.state;
  const versionDoc = (req: OsRequest) => ({
    id: 'v2.1',
    status: 'CURRENT',
    version: `2.${NOVA_MAX_MINOR}`,
    min_version: '2.1',
    updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${req.serviceUrl}/v2.1/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  });
  const router = new Router()
    .on('GET', '/', (req) => reply(200, { versions: [versionDoc(req)] }))
    .on('GET', '/v2.1', (req) => reply(200, { version: versionDoc(req) }));

  const flavors = (detail: boolean) => (req: OsRequest) => {
    const mv = novaMicroversion(req);
    const page = pageParams(req.query);
    if ('error' in page) throw fault(400, page.error);
    const minDisk = Number(req.query.get('minDisk') ?? 0);
    const minRam = Number(req.query.get('minRam') ?? 0);
    const items = Object.values(st().flavors)
      .filter((f) => f.disk >= minDisk && f.ram >= minRam)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const slice = pageAfter(items, page);
    if (!slice) throw fault(400, `marker [${page.marker ?? ''}] not found`);
    const body: Record<string, unknown> = { flavors: slice.map((f) => flavorView(req, mv, f, detail)) };
    if (page.limit && slice.length === page.limit)
      body.flavors_links = [
        {
          rel: 'next',
          href: nextHref(`${req.serviceUrl}/v2.1/flavors${detail ? '/detail' : ''}`, req.query, slice.at(-1)!.id, page.limit),
        },
      ];
    return reply(200, body);
  };
  router
    .on('GET', '/v2.1/flavors', flavors(false))
    .on('GET', '/v2.1/flavors/detail', flavors(true))
    .on('GET', '/v2.1/flavors/:id', (req, { id }) => {
      const f = st().flavors[id!];
      if (!f) throw fault(404, `Flavor ${id!} could not be found.`);
      return reply(200, { flavor: flavorView(req, novaMicroversion(req), f, true) });
    });

  const keypairView = (mv: Microversion, k: Keypair, full: boolean) => {
    const v: Record<string, unknown> = { name: k.name, public_key: k.publicKey, fingerprint: k.fingerprint };
    if (mv.minor >= 2) v.type = k.type;
    if (full)
      Object.assign(v, { user_id: k.userId, id: k.seq, created_at: k.createdAt, deleted: false, deleted_at: null, updated_at: null });
    return v;
  };
  const userKeys = (userId: string) => Object.values(st().keypairs).filter((k) => k.userId === userId);
  const findKey = (req: OsRequest, name: string) => {
    const k = st().keypairs[`${req.token!.userId}/${name}`];
    if (!k) throw fault(404, `Keypair ${name} not found for user ${req.token!.userId}`);
    return k;
  };
  router
    .on('GET', '/v2.1/os-keypairs', (req) => {
      const mv = novaMicroversion(req);
      const page = mv.minor >= 35 ? pageParams(req.query) : {};
      if ('error' in page) throw fault(400, page.error);
      const items = userKeys(req.token!.userId)
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((k) => ({ id: k.name, k }));
      const slice = pageAfter(items, page);
      if (!slice) throw fault(400, `marker [${page.marker ?? ''}] not found`);
      const body: Record<string, unknown> = { keypairs: slice.map(({ k }) => ({ keypair: keypairView(mv, k, false) })) };
      if (page.limit && slice.length === page.limit)
        body.keypairs_links = [
          { rel: 'next', href: nextHref(`${req.serviceUrl}/v2.1/os-keypairs`, req.query, slice.at(-1)!.id, page.limit) },
        ];
      return reply(200, body);
    })
    .on('GET', '/v2.1/os-keypairs/:name', (req, { name }) =>
      reply(200, { keypair: keypairView(novaMicroversion(req), findKey(req, name!), true) }),
    )
    .on('DELETE', '/v2.1/os-keypairs/:name', (req, { name }) => {
      const k = findKey(req, name!);
      delete st().keypairs[`${k.userId}/${k.name}`];
      return reply(novaMicroversion(req).minor >= 2 ? 204 : 202);
    })
    .on('POST', '/v2.1/os-keypairs', (req) => {
      const mv = novaMicroversion(req);
      const body = isObject(req.body) && isObject(req.body.keypair) ? req.body.keypair : undefined;
      if (!body || typeof body.name !== 'string')
        throw fault(400, `Invalid input for field/attribute keypair. Value: ${JSON.stringify(req.body)}. 'name' is a required property`);
      if (mv.minor >= 92 && typeof body.public_key !== 'string')
        throw fault(400, `Invalid input for field/attribute keypair. Value: ${JSON.stringify(body)}. 'public_key' is a required property`);
      const safe = mv.minor >= 92 ? /^[a-zA-Z0-9 _.@-]{1,255}$/ : /^[a-zA-Z0-9 _-]{1,255}$/;
      if (!safe.test(body.name)) throw fault(400, 'Keypair data is invalid: Keypair name contains unsafe characters');
      const userId = req.token!.userId;
      if (st().keypairs[`${userId}/${body.name}`]) throw fault(409, `Key pair '${body.name}' already exists.`);
      if (userKeys(userId).length + 1 > (quotaOf(st(), req.token!.projectId ?? '', 'compute').key_pairs ?? 100))
        throw fault(403, 'Quota exceeded, too many key pairs.');
      let publicKey: string;
      let privateKey: string | undefined;
      if (typeof body.public_key === 'string') publicKey = body.public_key.trim();
      else ({ publicKey, privateKey } = sshRsaPublicKey());
      const fingerprint = sshFingerprint(publicKey);
      if (!fingerprint) throw fault(400, 'Keypair data is invalid: failed to generate fingerprint');
      const k: Keypair = {
        name: body.name,
        userId,
        publicKey,
        fingerprint,
        type: typeof body.type === 'string' ? body.type : 'ssh',
        createdAt: sim.iso(),
        seq: sim.nextSeq(),
      };
      st().keypairs[`${userId}/${k.name}`] = k;
      const v = { ...keypairView(mv, k, false), user_id: userId, ...(privateKey ? { private_key: privateKey } : {}) };
      return reply(mv.minor >= 2 ? 201 : 200, { keypair: v });
    });

  const quotaKeys = Object.keys(DEFAULT_QUOTAS.compute).filter((k) => !k.startsWith('injected'));
  const quotaSet = (req: OsRequest, pid: string, detail: boolean) => {
    const mv = novaMicroversion(req);
    // The query schema of show/detail: only user_id, and from 2.75 anything else is refused.
    const unknown = [...new Set(req.query.keys())].filter((k) => k !== 'user_id');
    if (mv.minor >= 75 && unknown.length)
      throw fault(
        400,
        `Additional properties are not allowed (${unknown.map((k) => `'${k}'`).join(', ')} ${unknown.length > 1 ? 'were' : 'was'} unexpected)`,
      );
    const q = quotaOf(st(), pid, 'compute');
    const used = computeUsage(sim, pid, req.token!.userId) as unknown as Record<string, number>;
    const keys = mv.minor >= 57 ? quotaKeys : Object.keys(q);
    const out: Record<string, unknown> = { id: pid };
    for (const k of keys) out[k] = detail ? { in_use: used[k] ?? 0, limit: q[k], reserved: 0 } : q[k];
    return out;
  };
  router
    .on('GET', '/v2.1/os-quota-sets/:pid', (req, { pid }) => reply(200, { quota_set: quotaSet(req, pid!, false) }))
    .on('GET', '/v2.1/os-quota-sets/:pid/detail', (req, { pid }) => reply(200, { quota_set: quotaSet(req, pid!, true) }))
    .on('GET', '/v2.1/os-quota-sets/:pid/defaults', (req, { pid }) => reply(200, { quota_set: { id: pid, ...DEFAULT_QUOTAS.compute } }))
    .on('PUT', '/v2.1/os-quota-sets/:pid', (req, { pid }) => {
      if (!isAdmin(sim, req.token!)) throw fault(403, `Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.`);
      const body = isObject(req.body) && isObject(req.body.quota_set) ? req.body.quota_set : undefined;
      if (!body)
        throw fault(
          400,
          `Invalid input for field/attribute quota_set. Value: ${JSON.stringify(req.body)}. 'quota_set' is a required property`,
        );
      const values: Record<string, number> = {};
      for (const [k, v] of Object.entries(body)) {
        if (k === 'force') continue;
        if (!(k in DEFAULT_QUOTAS.compute))
          throw fault(400, `Invalid input for field/attribute quota_set. Additional properties are not allowed ('${k}' was unexpected)`);
        if (typeof v !== 'number' || !Number.isInteger(v) || v < -1)
          throw fault(400, `Invalid input for field/attribute ${k}. Value: ${String(v)}.`);
        values[k] = v;
      }
      const entry = (st().quotas[pid!] ??= {});
      entry.compute = { ...(entry.compute ?? {}), ...values };
      const { id: _id, ...rest } = quotaSet(req, pid!, false);
      return reply(200, { quota_set: rest });
    })
    .on('DELETE', '/v2.1/os-quota-sets/:pid', (req, { pid }) => {
      if (!isAdmin(sim, req.token!)) throw fault(403, `Policy doesn't allow os_compute_api:os-quota-sets:delete to be performed.`);
      delete st().quotas[pid!]?.compute;
      return reply(202);
    })
    .on('GET', '/v2.1/limits', (req) => {
      const pid = req.token!.projectId ?? '';
      const q = quotaOf(st(), pid, 'compute');
      const u = computeUsage(sim, pid);
      return reply(200, {
        limits: {
          rate: [],
          absolute: {
            maxServerMeta: q.metadata_items,
            maxImageMeta: q.metadata_items,
            maxTotalKeypairs: q.key_pairs,
            maxTotalInstances: q.instances,
            maxTotalCores: q.cores,
            maxTotalRAMSize: q.ram,
            maxServerGroups: q.server_groups,
            maxServerGroupMembers: q.server_group_members,
            totalInstancesUsed: u.instances,
            totalCoresUsed: u.cores,
            totalRAMUsed: u.ram,
            totalServerGroupsUsed: 0,
          },
        },
      });
    });

  registerServers(sim, router, novaMicroversion);
  registerServerMetadata(sim, router);
  registerActions(sim, router, novaMicroversion);
  return router;
}
