/**
 * The catalog a client needs to ask for a VM (flavors, images), the project's quotas, and the resolution of
 * names or ids given in requests into cloud objects (an unknown one is a 400 naming the field).
 */
import { UnprocessableError, ValidationError, unless404 } from '../core/errors.js';
import type { Flavor, Image, Network, OpenStackClient } from '../providers/openstack/index.js';
import type * as z from '../http/zod.js';
import type { FlavorView, ImageView, QuotasView } from './schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const unknownField = (field: string, code: string, message: string) => new ValidationError([{ field, code, message }]);

export function flavorView(f: Flavor): z.infer<typeof FlavorView> {
  return {
    id: f.id,
    name: f.name,
    vcpus: f.vcpus,
    ram_mb: f.ram,
    disk_gb: f.disk,
    ephemeral_gb: f['OS-FLV-EXT-DATA:ephemeral'] ?? 0,
    is_public: f['os-flavor-access:is_public'] ?? true,
    ...(f.description !== undefined && { description: f.description }),
  };
}

export function imageView(i: Image): z.infer<typeof ImageView> {
  return {
    id: i.id,
    name: i.name ?? '',
    status: i.status,
    disk_format: i.disk_format,
    min_disk_gb: i.min_disk ?? 0,
    min_ram_mb: i.min_ram ?? 0,
    size_bytes: i.size,
    visibility: i.visibility,
    ...(i.created_at && { created_at: i.created_at }),
  };
}

/**
 * The flavor list changes rarely (an operator's action): a container reuses it for `CATALOG_TTL_MS`
 * (30 s), so a burst of creates resolves names without asking Nova each time. Per client (cloud).
 */
const CATALOG_TTL_MS = 30_000;
const flavorCache = new WeakMap<OpenStackClient, { at: number; flavors: Promise<Flavor[]> }>();

export async function listFlavors(os: OpenStackClient): Promise<Flavor[]> {
  const hit = flavorCache.get(os);
  if (hit && Date.now() - hit.at < CATALOG_TTL_MS) return hit.flavors;
  const flavors = (async () => {
    const out: Flavor[] = [];
    for await (const f of os.nova.listFlavors()) out.push(f);
    return out.sort((a, b) => a.vcpus - b.vcpus || a.ram - b.ram || a.name.localeCompare(b.name));
  })();
  flavorCache.set(os, { at: Date.now(), flavors });
  flavors.catch(() => flavorCache.delete(os));
  return flavors;
}

export async function listImages(os: OpenStackClient): Promise<Image[]> {
  const out: Image[] = [];
  for await (const i of os.glance.listImages({ status: 'active' })) out.push(i);
  return out.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
}

/** A flavor by id or by name (400 `flavor` when neither matches). */
export async function resolveFlavor(os: OpenStackClient, ref: string, field = 'body.flavor'): Promise<Flavor> {
  const hit = (await listFlavors(os)).find((f) => f.id === ref) ?? (await listFlavors(os)).find((f) => f.name === ref);
  if (hit) return hit;
  // Not in the (cached) public list: a private flavor by id, or one created since.
  const byId = await unless404(() => os.nova.getFlavor(ref));
  if (byId) return byId;
  throw unknownField(field, 'unknown_flavor', `No flavor named or with id "${ref}"`);
}

/** An active image by id or by name (400 `image` when none, 400 when several share the name). */
export async function resolveImage(os: OpenStackClient, ref: string, field = 'body.image'): Promise<Image> {
  if (UUID.test(ref)) {
    const hit = (await listImages(os)).find((i) => i.id === ref);
    if (hit) return hit;
  }
  const named: Image[] = [];
  for await (const i of os.glance.listImages({ name: ref, status: 'active' })) named.push(i);
  if (named.length === 0) throw unknownField(field, 'unknown_image', `No active image named or with id "${ref}"`);
  if (named.length > 1) throw unknownField(field, 'ambiguous_image', `${named.length} active images are named "${ref}": give the id`);
  return named[0]!;
}

/**
 * The network a server gets: the one named or with that id, else the project's only tenant (non-external)
 * network, else `CLOUD_DEFAULT_NETWORK` (default `private`).
 */
export async function resolveNetwork(os: OpenStackClient, ref: string | undefined, field = 'body.network'): Promise<Network> {
  if (ref !== undefined) {
    const byId = UUID.test(ref) ? await unless404(() => os.neutron.networks.get(ref)) : undefined;
    if (byId) return byId;
    const named: Network[] = [];
    for await (const n of os.neutron.networks.list({ name: ref })) named.push(n);
    if (named.length === 1) return named[0]!;
    if (named.length > 1) throw unknownField(field, 'ambiguous_network', `${named.length} networks are named "${ref}": give the id`);
    throw unknownField(field, 'unknown_network', `No network named or with id "${ref}"`);
  }
  const tenant: Network[] = [];
  for await (const n of os.neutron.networks.list()) if (!n['router:external']) tenant.push(n);
  if (tenant.length === 1) return tenant[0]!;
  const preferred = tenant.find((n) => n.name === (process.env.CLOUD_DEFAULT_NETWORK || 'private'));
  if (preferred) return preferred;
  throw unknownField(field, 'network_required', `The project has ${tenant.length} networks: say which one`);
}

/** The external network floating IPs come from: `pool` by name or id, else the only external network. */
export async function resolveExternalNetwork(os: OpenStackClient, pool: string | undefined, field = 'body.pool'): Promise<Network> {
  const external: Network[] = [];
  for await (const n of os.neutron.networks.list({ 'router:external': true })) external.push(n);
  if (pool !== undefined) {
    const hit = external.find((n) => n.id === pool || n.name === pool);
    if (!hit) throw unknownField(field, 'unknown_pool', `No external network named or with id "${pool}"`);
    return hit;
  }
  if (external.length === 0) throw new UnprocessableError('NO_EXTERNAL_NETWORK', 'The cloud has no external network');
  const preferred = external.find((n) => n.name === (process.env.CLOUD_EXTERNAL_NETWORK || 'public'));
  return preferred ?? external[0]!;
}

type Usage = { limit: number; in_use: number; reserved: number; available: number | null };

const usage = (u: { limit: number; in_use: number; reserved?: number }): Usage => ({
  limit: u.limit,
  in_use: u.in_use,
  reserved: u.reserved ?? 0,
  available: u.limit < 0 ? null : Math.max(0, u.limit - u.in_use - (u.reserved ?? 0)),
});

function usages(raw: Record<string, unknown>): Record<string, Usage> {
  const out: Record<string, Usage> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v && typeof v === 'object' && 'limit' in v && 'in_use' in v) out[k] = usage(v as { limit: number; in_use: number });
    // Neutron's quota_details says `used`, Nova's and Cinder's `in_use`.
    else if (v && typeof v === 'object' && 'limit' in v && 'used' in v) {
      const n = v as { limit: number; used: number; reserved?: number };
      out[k] = usage({ limit: n.limit, in_use: n.used, reserved: n.reserved ?? 0 });
    }
  }
  return out;
}

/** Limits and usage of the project, per service (-1 = unlimited: `available` null). */
export async function quotas(
  os: OpenStackClient,
  services: readonly ('compute' | 'network' | 'volume')[] = ['compute', 'network', 'volume'],
): Promise<z.infer<typeof QuotasView>> {
  const want = (s: 'compute' | 'network' | 'volume') => services.includes(s);
  const [session, compute, network, volume] = await Promise.all([
    os.session(),
    want('compute') ? os.nova.getQuotas() : {},
    want('network') ? os.neutron.getQuotas() : {},
    want('volume') ? os.cinder.getQuotas() : {},
  ]);
  return { project_id: session.projectId, compute: usages(compute), network: usages(network), volume: usages(volume) };
}

/** 422 QUOTA_EXCEEDED before asking the cloud, with the limit that would be passed. */
export function assertWithinQuota(service: string, q: Record<string, Usage>, needs: Record<string, number>): void {
  for (const [resource, n] of Object.entries(needs)) {
    const u = q[resource];
    if (!u || u.available === null || n <= 0) continue;
    if (n > u.available) {
      throw new UnprocessableError(
        'QUOTA_EXCEEDED',
        `Quota exceeded for ${resource}: ${u.in_use} used of ${u.limit}, ${n} more requested`,
        {
          service,
          resource,
          limit: u.limit,
          in_use: u.in_use,
          requested: n,
        },
      );
    }
  }
}
