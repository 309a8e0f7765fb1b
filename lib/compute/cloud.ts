/**
 * What every compute function shares: the OpenStack client (one per container, its token cached and
 * renewed), the polling settings of the workflows, and the tenancy of cloud resources (departments).
 */
import { BadRequestError, DependencyUnavailableError } from '../core/errors.js';
import { canonicalRdns, isDnWithin } from '../core/dn.js';
import { createOpenStackClient, openStackConfigFromEnv, type OpenStackClient } from '../providers/openstack/index.js';
import type { Actor, RequestContext } from '../http/types.js';
import type { CloudKind, CloudRecord } from './records.js';

let client: OpenStackClient | undefined;

/** The cloud of this deployment (`OS_*` variables); 503 naming `openstack` when it is not configured. */
export function cloud(): OpenStackClient {
  if (client) return client;
  let cfg;
  try {
    cfg = openStackConfigFromEnv();
  } catch {
    throw new DependencyUnavailableError('openstack');
  }
  client = createOpenStackClient(cfg);
  return client;
}

/** Tests: a client for another cloud (or undefined to rebuild from the environment). */
export function setCloud(c: OpenStackClient | undefined): void {
  client = c;
}

export interface PollSettings {
  /** Seconds between two checks of a cloud state (a Step Functions Wait). */
  seconds: number;
  /** Checks before the workflow gives up (CloudPollTimeout). */
  max: number;
}

/** `CLOUD_POLL_SECONDS` (default 5) × `CLOUD_POLL_ROUNDS` (default 120): ten minutes per waited state. */
export function pollSettings(env: NodeJS.ProcessEnv = process.env): PollSettings {
  const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) && Number(v) > 0 ? Math.floor(Number(v)) : d);
  return { seconds: num(env.CLOUD_POLL_SECONDS, 5), max: num(env.CLOUD_POLL_ROUNDS, 120) };
}

/**
 * The department a caller's new resources belong to by default: the department holding their entry
 * (`uid=x,ou=people,ou=research,<base>` → `ou=research,<base>`), else the base itself.
 */
export function homeDepartment(actorDn: string, baseDn: string): string {
  const rdns = canonicalRdns(actorDn);
  const base = canonicalRdns(baseDn);
  if (!rdns || !base || !isDnWithin(actorDn, baseDn, 'subtree')) return baseDn;
  // Skip the entry's own RDN; the first `ou` that is not a people/groups container is its department.
  for (let i = 1; i < rdns.length - base.length; i++) {
    const rdn = rdns[i]!;
    if (rdn.startsWith('ou=') && rdn !== 'ou=people' && rdn !== 'ou=groups') return rdns.slice(i).join(',');
  }
  return baseDn;
}

/** A `department_dn` from a request: a DN at or below the base (400 naming the field otherwise). */
export function requestedDepartment(value: string | undefined, actor: Actor, baseDn: string): string {
  if (value === undefined) return homeDepartment(actor.dn, baseDn);
  let ok = false;
  try {
    ok = isDnWithin(value, baseDn, 'subtree');
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new BadRequestError('INVALID_DEPARTMENT', `department_dn must be a DN at or below ${baseDn}`, { field: 'body.department_dn' });
  }
  return value;
}

/** The ACL check of one cloud object: its department is the scope, its owner the `s` (own) subject. */
export function authorizeRecord(ctx: RequestContext<any, any, any>, action: 'read' | 'write' | 'delete', kind: CloudKind, r: CloudRecord) {
  return ctx.authorize({ action, objectType: kind, objectDn: r.department, ownerDn: r.owner });
}
