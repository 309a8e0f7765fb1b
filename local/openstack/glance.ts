/** Glance v2 images: list with filters, sorting and `next` links, show, create/upload/delete. */
import { createHash } from 'node:crypto';
import { header, OsHttpError, reply, Router, type OsRequest } from './http.js';
import type { Image } from './model.js';
import { isAdmin } from './neutron-api.js';
import type { Sim } from './sim.js';
import { isObject } from './util.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  500: 'Internal Server Error',
};

/** Glance answers webob faults: HTML by default, `{"message","code","title"}` when JSON is accepted. */
export function glanceFault(req: OsRequest | undefined, status: number, detail: string): OsHttpError {
  const title = TITLES[status] ?? 'Error';
  const lead =
    status === 404
      ? 'The resource could not be found.'
      : status === 400
        ? 'The server could not comply with the request since it is either malformed or otherwise incorrect.'
        : '';
  const wantsJson = !!req && (header(req, 'accept') ?? '').includes('application/json');
  if (wantsJson)
    return new OsHttpError(
      { status, body: { message: `${lead}<br /><br />\n${detail}\n\n\n`, code: `${status} ${title}`, title } },
      detail,
    );
  const html = `<html>\n <head>\n  <title>${status} ${title}</title>\n </head>\n <body>\n  <h1>${status} ${title}</h1>\n  ${detail}<br /><br />\n\n\n\n </body>\n</html>`;
  return new OsHttpError({ status, text: html, contentType: 'text/html; charset=UTF-8' }, detail);
}

const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'];
const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'];
const CORE = ['id', 'name', 'visibility', 'protected', 'os_hidden', 'min_disk', 'min_ram', 'disk_format', 'container_format', 'tags'];

export function imageView(i: Image): Record<string, unknown> {
  const { seq: _seq, properties, ...core } = i;
  return { ...properties, ...core, self: `/v2/images/${i.id}`, file: `/v2/images/${i.id}/file`, schema: '/v2/schemas/image' };
}

export function createGlance(sim: Sim): Router {
  const st = () => sim.state;
  const find = (req: OsRequest, id: string): Image => {
    const i = st().images[id];
    const t = req.token!;
    if (!i || (i.visibility === 'private' && i.owner !== t.projectId && !isAdmin(sim, t)))
      throw glanceFault(req, 404, `No image found with ID ${id}`);
    return i;
  };
  const versions = (req: OsRequest) => ({
    versions: ['2.16', '2.15', '2.9', '2.0'].map((v, i) => ({
      id: `v${v}`,
      status: i === 0 ? 'CURRENT' : 'SUPPORTED',
      links: [{ rel: 'self', href: `${req.serviceUrl}/v2/` }],
    })),
  });
  return new Router()
    .on('GET', '/', (req) => reply(300, versions(req)))
    .on('GET', '/versions', (req) => reply(200, versions(req)))
    .on('GET', '/v2/images', (req) => {
      const q = req.query;
      const t = req.token!;
      const rawLimit = q.get('limit');
      let limit = 25;
      if (rawLimit !== null) {
        if (!/^-?\d+$/.test(rawLimit)) throw glanceFault(req, 400, 'limit param must be an integer');
        limit = Number(rawLimit);
        if (limit < 0) throw glanceFault(req, 400, 'limit param must be positive');
        limit = Math.min(limit, 1000);
      }
      const visibility = q.get('visibility');
      if (visibility && !['public', 'private', 'shared', 'community', 'all'].includes(visibility))
        throw glanceFault(req, 400, `Invalid visibility value: ${visibility}`);
      let items = Object.values(st().images).filter((i) => {
        const mine = i.owner === t.projectId || isAdmin(sim, t);
        if (visibility && visibility !== 'all') return i.visibility === visibility && (visibility !== 'private' || mine);
        return i.visibility === 'public' || (mine && i.visibility !== 'community');
      });
      for (const key of ['name', 'status', 'owner', 'disk_format', 'container_format', 'id'] as const) {
        const want = q.get(key);
        if (want !== null) items = items.filter((i) => i[key] === want);
      }
      items = items.filter((i) => String(i.os_hidden) === (q.get('os_hidden') ?? 'false'));
      for (const tag of q.getAll('tag')) items = items.filter((i) => i.tags.includes(tag));
      const [sortKey, sortDir] = q.get('sort')?.split(':') ?? [q.get('sort_key') ?? 'created_at', q.get('sort_dir') ?? 'desc'];
      const dir = (sortDir ?? 'desc') === 'asc' ? 1 : -1;
      items.sort((a, b) => {
        const x = String((a as unknown as Record<string, unknown>)[sortKey ?? 'created_at'] ?? '');
        const y = String((b as unknown as Record<string, unknown>)[sortKey ?? 'created_at'] ?? '');
        return (x < y ? -1 : x > y ? 1 : a.seq - b.seq) * dir;
      });
      const marker = q.get('marker');
      let start = 0;
      if (marker !== null) {
        start = items.findIndex((i) => i.id === marker) + 1;
        if (start === 0) throw glanceFault(req, 400, 'marker not found');
      }
      const page = items.slice(start, start + limit);
      const body: Record<string, unknown> = { images: page.map(imageView), first: '/v2/images', schema: '/v2/schemas/images' };
      if (page.length !== 0 && page.length === limit) {
        const next = new URLSearchParams(q);
        next.set('marker', page.at(-1)!.id);
        next.set('limit', String(limit));
        body.next = `/v2/images?${next.toString()}`;
      }
      return reply(200, body);
    })
    .on('GET', '/v2/images/:id', (req, { id }) => reply(200, imageView(find(req, id!))))
    .on('POST', '/v2/images', (req) => {
      const b = isObject(req.body) ? req.body : undefined;
      if (!b) throw glanceFault(req, 400, 'Body expected in request.');
      for (const [k, allowed] of [
        ['disk_format', DISK_FORMATS],
        ['container_format', CONTAINER_FORMATS],
      ] as const)
        if (b[k] !== undefined && !allowed.includes(String(b[k])))
          throw glanceFault(req, 400, `Invalid value '${String(b[k])}' for parameter '${k}'`);
      const visibility = String(b.visibility ?? 'shared');
      if (visibility === 'public' && !isAdmin(sim, req.token!)) throw glanceFault(req, 403, 'Forbidden to set public visibility.');
      const id = typeof b.id === 'string' ? b.id : sim.ids.uuid();
      if (st().images[id]) throw glanceFault(req, 409, `Image with identifier ${id} already exists!`);
      const now = sim.iso();
      const props = Object.fromEntries(Object.entries(b).filter(([k, v]) => !CORE.includes(k) && typeof v === 'string')) as Record<
        string,
        string
      >;
      const image: Image = {
        id,
        seq: sim.nextSeq(),
        name: typeof b.name === 'string' ? b.name : null,
        status: 'queued',
        visibility,
        owner: req.token!.projectId ?? '',
        disk_format: typeof b.disk_format === 'string' ? b.disk_format : null,
        container_format: typeof b.container_format === 'string' ? b.container_format : null,
        min_disk: Number(b.min_disk ?? 0),
        min_ram: Number(b.min_ram ?? 0),
        size: null,
        virtual_size: null,
        checksum: null,
        os_hash_algo: null,
        os_hash_value: null,
        protected: b.protected === true,
        os_hidden: b.os_hidden === true,
        tags: Array.isArray(b.tags) ? b.tags.map(String) : [],
        created_at: now,
        updated_at: now,
        properties: props,
      };
      st().images[id] = image;
      return reply(201, imageView(image), { Location: `${req.serviceUrl}/v2/images/${id}` });
    })
    .on('PUT', '/v2/images/:id/file', (req, { id }) => {
      const i = find(req, id!);
      if (i.status !== 'queued') throw glanceFault(req, 409, `Image status transition from ${i.status} to saving is not allowed`);
      if (!i.disk_format || !i.container_format)
        throw glanceFault(req, 400, 'Properties disk_format, container_format must be set prior to saving data.');
      Object.assign(i, {
        status: 'active',
        size: req.rawBody.length,
        virtual_size: req.rawBody.length,
        checksum: createHash('md5').update(req.rawBody).digest('hex'),
        os_hash_algo: 'sha512',
        os_hash_value: createHash('sha512').update(req.rawBody).digest('hex'),
        updated_at: sim.iso(),
      });
      return reply(204);
    })
    .on('DELETE', '/v2/images/:id', (req, { id }) => {
      const i = find(req, id!);
      if (i.protected) throw glanceFault(req, 403, `Image ${i.id} is protected and cannot be deleted.`);
      if (i.owner !== req.token!.projectId && !isAdmin(sim, req.token!))
        throw glanceFault(req, 403, `You are not permitted to delete this image.`);
      delete st().images[i.id];
      return reply(204);
    });
}
