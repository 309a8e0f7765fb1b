/** Neutron's API conventions: body envelopes, attribute checks, visibility, filters, sorting and pagination. */
import { reply, type OsRequest, type OsResponse } from './http.js';
import type { Token, Wire } from './model.js';
import type { Sim } from './sim.js';
import { badRequest, notFound, neutronError } from './neutron-core.js';
import { isObject } from './util.js';

export const isAdmin = (sim: Sim, t: Token): boolean =>
  !!t.projectId && (sim.state.users[t.userId]?.roles[t.projectId] ?? []).includes('admin');

export const projectOf = (t: Token): string => t.projectId ?? '';

/** The `{"<resource>": {...}}` envelope, with Neutron's "Unrecognized attribute(s)" check. */
export function envelope(req: OsRequest, resource: string, allowed: readonly string[]): Record<string, unknown> {
  const body = req.body;
  if (!isObject(body) || !isObject(body[resource])) throw badRequest(`Resource body required`);
  const inner = body[resource];
  const unknown = Object.keys(inner).filter((k) => !allowed.includes(k));
  if (unknown.length) throw badRequest(`Unrecognized attribute(s) '${unknown.join(', ')}'`);
  return inner;
}

export function requireString(inner: Record<string, unknown>, key: string): string {
  const v = inner[key];
  if (typeof v !== 'string' || v === '') throw badRequest(`Failed to parse request. Required attribute '${key}' not specified`);
  return v;
}

export function visible(sim: Sim, t: Token, r: Wire): boolean {
  if (isAdmin(sim, t)) return true;
  return r.project_id === t.projectId || r.shared === true || r['router:external'] === true;
}

export function findVisible(sim: Sim, t: Token, coll: Record<string, Wire>, kind: string, id: string): Wire {
  const r = coll[id];
  if (!r || !visible(sim, t, r)) throw notFound(kind, id);
  return r;
}

const RESERVED = new Set(['limit', 'marker', 'sort_key', 'sort_dir', 'fields', 'page_reverse']);

function matches(r: Wire, key: string, values: string[]): boolean {
  if (key === 'fixed_ips') {
    const ips = (r.fixed_ips as Array<Record<string, string>>) ?? [];
    return values.every((v) => {
      const [k, val] = v.split('=');
      return ips.some((f) => f[k ?? ''] === val);
    });
  }
  const actual = r[key];
  if (Array.isArray(actual)) return values.some((v) => actual.map(String).includes(v));
  const norm = (x: unknown) => (typeof x === 'boolean' ? String(x) : x === null ? '' : String(x));
  return values.some((v) => norm(actual) === (typeof actual === 'boolean' ? v.toLowerCase() : v));
}

/** A collection GET: filters by any attribute, `fields`, `sort_key`/`sort_dir`, `limit`/`marker` with `<plural>_links`. */
export function list(
  sim: Sim,
  req: OsRequest,
  plural: string,
  kind: string,
  items: Wire[],
  view: (r: Wire) => Wire = (r) => r,
): OsResponse {
  const t = req.token!;
  let out = items.filter((r) => visible(sim, t, r));
  for (const key of new Set(req.query.keys())) {
    if (RESERVED.has(key)) continue;
    out = out.filter((r) => matches(view(r), key, req.query.getAll(key)));
  }
  const sortKey = req.query.get('sort_key') ?? 'id';
  const dir = req.query.get('sort_dir') === 'desc' ? -1 : 1;
  out.sort((a, b) => {
    const x = String(view(a)[sortKey] ?? '');
    const y = String(view(b)[sortKey] ?? '');
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
  const links: Array<{ rel: string; href: string }> = [];
  const rawLimit = req.query.get('limit');
  const marker = req.query.get('marker');
  const self = `${req.serviceUrl}/v2.0/${plural.replace('_', '-')}`;
  if (rawLimit !== null) {
    if (!/^\d+$/.test(rawLimit)) throw badRequest(`Bad limit request: Limit must be an integer 0 or greater and not '${rawLimit}'.`);
    const limit = Number(rawLimit);
    let start = 0;
    if (marker) {
      const i = out.findIndex((r) => r.id === marker);
      if (i < 0) throw notFound(kind, marker);
      start = i + 1;
    }
    const page = limit === 0 ? out.slice(start) : out.slice(start, start + limit);
    if (limit > 0 && start + limit < out.length) {
      const q = new URLSearchParams(req.query);
      q.set('limit', String(limit));
      q.set('marker', page[page.length - 1]!.id);
      links.push({ rel: 'next', href: `${self}?${q.toString()}` });
    }
    if (marker && page.length > 0) {
      const q = new URLSearchParams(req.query);
      q.set('marker', page[0]!.id);
      q.set('page_reverse', 'True');
      links.push({ rel: 'previous', href: `${self}?${q.toString()}` });
    }
    out = page;
  }
  const fields = req.query.getAll('fields');
  const shaped = out.map((r) => {
    const v = view(r);
    if (fields.length === 0) return v;
    return Object.fromEntries(fields.filter((f) => f in v).map((f) => [f, v[f]]));
  });
  const body: Record<string, unknown> = { [plural]: shaped };
  if (links.length) body[`${plural}_links`] = links;
  return reply(200, body);
}

export function show(req: OsRequest, resource: string, r: Wire): OsResponse {
  const fields = req.query.getAll('fields');
  return reply(200, { [resource]: fields.length ? Object.fromEntries(fields.filter((f) => f in r).map((f) => [f, r[f]])) : r });
}

export function forbidCrossProject(sim: Sim, t: Token, r: Wire, kind: string): void {
  if (!isAdmin(sim, t) && r.project_id !== t.projectId) throw notFound(kind, r.id);
}

export const inUse = (type: string, message: string) => neutronError(409, type, message);
