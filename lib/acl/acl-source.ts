import { loadCustom } from '../acl-admin/store.js';
import type { Db } from '../store/dynamo.js';
import { BUILTIN_ROLES, OBJECT_TYPES } from './builtin-roles.js';
import { effectivePermissions, evaluate, type Assignment, type Decision, type Principal, type Role } from './engine.js';
import { parsePermission, permissionCovers, type Action } from './permissions.js';

/**
 * Where the engine's roles and assignments come from: the six built-in roles, the built-in assignments
 * (the bootstrap admin holds `admin`; every authenticated user holds `guest`), and the custom roles and
 * assignments stored in the table (partition `ACL`; managed by the ACL endpoints).
 */
export interface AclSource {
  load(): Promise<{ roles: Role[]; assignments: Assignment[] }>;
}

/** Pseudo-group every authenticated principal belongs to, so "everyone" is an ordinary assignment. */
export const AUTHENTICATED_GROUP = 'cn=authenticated';

export function builtinAssignments(bootstrapAdminDn: string): Assignment[] {
  return [
    {
      id: 'builtin-bootstrap-admin',
      roleId: 'admin',
      subject: { type: 'user', dn: bootstrapAdminDn },
      scope: { type: 'subtree' },
      priority: 0,
      deny: false,
    },
    {
      id: 'builtin-authenticated-guest',
      roleId: 'guest',
      subject: { type: 'group', dn: AUTHENTICATED_GROUP },
      scope: { type: 'subtree' },
      priority: 0,
      deny: false,
    },
  ];
}

export { ACL_VERSION_KEY } from '../acl-admin/store.js';

/**
 * How long a container keeps its copy of the ACL at one version. The version decides freshness; this only
 * bounds what a write whose version increment was lost (a crash between the two writes) can leave stale.
 */
export const ACL_CACHE_MAX_AGE_MS = 15_000;

export interface CachedAclSource extends AclSource {
  /**
   * The ACL as of `version` (the counter read in the same round trip as the request's session): the
   * container's copy when it was loaded at that version less than ACL_CACHE_MAX_AGE_MS ago, else a fresh load.
   * A load that starts after the counter was read sees every write counted up to it (each write precedes its
   * increment), so an ACL change applies to the next request, in every container.
   */
  at(version: number): Promise<{ roles: Role[]; assignments: Assignment[] }>;
}

export function createAclSource(db: Db, opts: { bootstrapAdminDn: string; now?: () => number }): CachedAclSource {
  const builtin = builtinAssignments(opts.bootstrapAdminDn);
  const now = opts.now ?? Date.now;
  const load = async () => {
    const custom = await loadCustom(db);
    return {
      roles: [...BUILTIN_ROLES, ...custom.roles.map((r) => r.role)],
      assignments: [...builtin, ...custom.assignments.map((a) => a.assignment)],
    };
  };
  let kept: { version: number; at: number; acl: ReturnType<typeof load> } | undefined;
  return {
    load,
    at(version) {
      if (kept && kept.version === version && now() - kept.at < ACL_CACHE_MAX_AGE_MS) return kept.acl;
      const entry = { version, at: now(), acl: load() };
      // Requests overlap: a copy of a newer version is not replaced by an older one while it is fresh (a
      // counter that went back, e.g. a restored table, is followed once the newer copy has aged out).
      if (!kept || version >= kept.version || entry.at - kept.at >= ACL_CACHE_MAX_AGE_MS) kept = entry;
      entry.acl.catch(() => {
        if (kept === entry) kept = undefined;
      });
      return entry.acl;
    },
  };
}

interface Subject {
  dn: string;
  groups: string[];
  scopes?: string[];
}

const principalOf = (s: Subject): Principal => ({ dn: s.dn, groups: [...s.groups, AUTHENTICATED_GROUP] });

/** An API key's scopes narrow its owner's rights: the request must be covered by one of them too. */
function withinScopes(scopes: string[] | undefined, action: Action, objectType: string): boolean {
  if (!scopes || scopes.length === 0) return true;
  return scopes.some((s) => permissionCovers(parsePermission(s), action, objectType));
}

export async function aclFor(
  source: AclSource,
  subject: Subject,
  req: { action: Action; objectType: string; objectDn?: string; ownerDn?: string },
): Promise<Decision> {
  if (!withinScopes(subject.scopes, req.action, req.objectType)) {
    return { allowed: false, reason: `API key scopes do not include ${req.objectType}:${req.action}` };
  }
  const { roles, assignments } = await source.load();
  return evaluate(principalOf(subject), req, roles, assignments);
}

export async function effectivePermissionsOf(source: AclSource, subject: Subject & { uid?: string }): Promise<string[]> {
  const { roles, assignments } = await source.load();
  const all = effectivePermissions(principalOf(subject), roles, assignments, { objectTypes: OBJECT_TYPES });
  if (!subject.scopes || subject.scopes.length === 0) return all;
  return all.filter((p) => {
    const [objectType, action] = p.split(':') as [string, Action];
    return withinScopes(subject.scopes, action, objectType);
  });
}
