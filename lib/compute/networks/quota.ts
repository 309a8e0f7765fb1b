/**
 * Neutron quotas: checked before anything is made (422 QUOTA_EXCEEDED with the limit), and Neutron's own
 * 409 OverQuota — a race with another client — given the limit too (its message names only the resource).
 */
import { ApiError, UnprocessableError } from '../../core/errors.js';
import type { OpenStackClient } from '../../providers/openstack/index.js';
import { assertWithinQuota } from '../catalog.js';

type Usage = { limit: number; in_use: number; reserved: number; available: number | null };

/** Neutron's `quota_details` (`{used, limit, reserved}`) in the shape of `quotas()` (`in_use`, `available`). */
export async function networkUsage(os: OpenStackClient): Promise<Record<string, Usage>> {
  const raw = await os.neutron.getQuotas();
  const out: Record<string, Usage> = {};
  for (const [k, u] of Object.entries(raw)) {
    const in_use = u.used ?? 0;
    const reserved = u.reserved ?? 0;
    out[k] = { limit: u.limit, in_use, reserved, available: u.limit < 0 ? null : Math.max(0, u.limit - in_use - reserved) };
  }
  return out;
}

export async function assertNetworkQuota(os: OpenStackClient, needs: Record<string, number>): Promise<void> {
  assertWithinQuota('network', await networkUsage(os), needs);
}

/** Neutron's QUOTA_EXCEEDED with the limit and usage of the resource it names; any other error as it is. */
export async function withQuotaLimit(os: OpenStackClient, e: unknown): Promise<unknown> {
  if (!(e instanceof ApiError) || e.code !== 'QUOTA_EXCEEDED' || e.details?.limit !== undefined) return e;
  const resource = typeof e.details?.resource === 'string' ? e.details.resource : undefined;
  if (!resource) return e;
  try {
    const u = (await networkUsage(os))[resource];
    if (!u) return e;
    return new UnprocessableError('QUOTA_EXCEEDED', `Quota exceeded for ${resource}: ${u.in_use} used of ${u.limit}`, {
      ...e.details,
      service: 'network',
      resource,
      limit: u.limit,
      in_use: u.in_use,
    });
  } catch {
    return e;
  }
}
