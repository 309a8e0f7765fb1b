/**
 * The pure authorization engine (no I/O).
 *
 * Roles hold permission strings (`objectType:letters`, see permissions.ts). Assignments bind a role to a
 * user or a group at a scope (global, or a DN with base / subtree semantics) with a priority and an
 * allow/deny flag. `evaluate` answers one request with a decision and a human reason;
 * `effectivePermissions` lists what a principal may do somewhere (for `/auth/me`).
 *
 * Decision rules:
 * 1. An assignment applies when its subject is the principal's DN or one of the principal's groups
 *    (DNs compared after RFC 4514 normalisation: attribute types and values case-insensitively,
 *    insignificant spaces ignored, multi-valued RDNs order-independent) and the target is within its scope:
 *    - global (`scope.dn` undefined): always;
 *    - `base`: `objectDn` is exactly `scope.dn`;
 *    - `subtree`: `objectDn` is `scope.dn` or below it (by whole RDNs: `ou=people2,…` is not under
 *      `ou=people,…`).
 *    A request without `objectDn` only matches global assignments. For `create`, pass the parent container
 *    as `objectDn` (and the future owner as `ownerDn`).
 * 2. The assignment's role covers the request when one of its permissions names the object type (`*`
 *    matches every type) with the action's letter; a permission carrying `s` covers only the caller's own
 *    object (`objectDn` or `ownerDn` equals the principal's DN). Invalid permission strings are ignored.
 *    For a deny assignment the same coverage decides what is denied.
 * 3. Among covering assignments the highest `priority` (larger number) wins; at equal priority deny beats
 *    allow; remaining ties keep the input order. No covering assignment → denied.
 */
import { canonicalRdns, dnEquals, isDnWithin } from '../core/dn.js';
import {
  ACTIONS,
  type Action,
  type Permission,
  actionLetter,
  actionString,
  isAction,
  isValidObjectType,
  objectTypeMatches,
  safeParsePermission,
} from './permissions.js';

export { DnSyntaxError, dnEquals, isDnWithin, normalizeDn, parseDn, type Ava, type Rdn } from '../core/dn.js';

export interface Role {
  id: string;
  name: string;
  description?: string;
  permissions: string[];
  builtin?: boolean;
}

export type SubjectType = 'user' | 'group';
export type ScopeType = 'base' | 'subtree';

export interface Assignment {
  id: string;
  roleId: string;
  subject: { type: SubjectType; dn: string };
  /** `dn` undefined = global (then `type` is irrelevant). */
  scope: { dn?: string; type: ScopeType };
  /** Larger wins. */
  priority: number;
  deny: boolean;
}

export interface Principal {
  dn: string;
  /** Group DNs the principal is a member of. */
  groups: string[];
}

export interface AccessRequest {
  action: Action;
  objectType: string;
  /** Target object; for `create`, the parent container. */
  objectDn?: string;
  /** Owner of the target object (for `s` grants), e.g. the creator of a deployment. */
  ownerDn?: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
  /** The deciding assignment, when one decided (absent for "no role grants"). */
  matched?: { role: Role; assignmentId: string; priority: number; deny: boolean };
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------------------

const PERMISSION_CACHE_LIMIT = 2048;
const permissionCache = new Map<string, Permission | null>();
function parsedPermissions(role: Role): Permission[] {
  const out: Permission[] = [];
  if (!Array.isArray(role.permissions)) return out;
  for (const raw of role.permissions) {
    let p = permissionCache.get(raw);
    if (p === undefined) {
      const res = safeParsePermission(raw);
      p = res.ok ? res.permission : null;
      if (permissionCache.size >= PERMISSION_CACHE_LIMIT) permissionCache.clear();
      if (typeof raw === 'string') permissionCache.set(raw, p);
    }
    if (p) out.push(p);
  }
  return out;
}

function subjectMatches(principal: Principal, a: Assignment): boolean {
  const subject = a.subject;
  if (!subject || typeof subject.dn !== 'string') return false;
  if (subject.type === 'user') return dnEquals(subject.dn, principal.dn);
  if (subject.type === 'group') {
    return Array.isArray(principal.groups) && principal.groups.some((g) => typeof g === 'string' && dnEquals(subject.dn, g));
  }
  return false;
}

function isGlobal(a: Assignment): boolean {
  return a.scope?.dn === undefined;
}

function scopeMatches(a: Assignment, objectDn: string | undefined): boolean {
  if (isGlobal(a)) return true;
  if (objectDn === undefined) return false;
  const scopeDn = a.scope.dn as string;
  const type: ScopeType = a.scope.type === 'base' ? 'base' : 'subtree';
  return isDnWithin(objectDn, scopeDn, type);
}

function priorityOf(a: Assignment): number {
  return typeof a.priority === 'number' && !Number.isNaN(a.priority) ? a.priority : 0;
}

function scopeText(a: Assignment): string {
  return isGlobal(a) ? ' (global)' : ` on ${a.scope.dn as string}`;
}

function isOwn(principal: Principal, request: AccessRequest): boolean {
  if (!canonicalRdns(principal.dn)?.length) return false; // the root DN (or garbage) owns nothing
  return (
    (request.objectDn !== undefined && dnEquals(request.objectDn, principal.dn)) ||
    (request.ownerDn !== undefined && dnEquals(request.ownerDn, principal.dn))
  );
}

/** How a role covers a request: not at all, unrestricted, or only because the target is the caller's own. */
function roleCoverage(role: Role, request: AccessRequest, own: boolean): 'none' | 'any' | 'own' {
  let result: 'none' | 'any' | 'own' = 'none';
  for (const p of parsedPermissions(role)) {
    if (!objectTypeMatches(p.objectType, request.objectType) || !p.actions.includes(request.action)) continue;
    if (!p.self) return 'any';
    if (own) result = 'own';
  }
  return result;
}

function deny(reason: string, matched?: Decision['matched']): Decision {
  return matched ? { allowed: false, reason, matched } : { allowed: false, reason };
}

/** Decides one request. Never throws: malformed input is denied with a reason. */
export function evaluate(
  principal: Principal,
  request: AccessRequest,
  roles: readonly Role[],
  assignments: readonly Assignment[],
): Decision {
  try {
    return evaluateUnsafe(principal, request, roles, assignments);
  } catch (err) {
    return deny(`Evaluation error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function evaluateUnsafe(
  principal: Principal,
  request: AccessRequest,
  roles: readonly Role[],
  assignments: readonly Assignment[],
): Decision {
  if (!principal || typeof principal.dn !== 'string') return deny('Invalid principal');
  if (!request || !isAction(request.action)) return deny(`Unknown action "${String(request?.action)}"`);
  if (!isValidObjectType(request.objectType)) return deny(`Invalid object type "${String(request.objectType)}"`);
  const letter = actionLetter(request.action);
  const wanted = `${request.objectType}:${letter}`;

  const rolesById = new Map<string, Role>();
  for (const r of roles ?? []) if (r && typeof r.id === 'string') rolesById.set(r.id, r);
  const own = isOwn(principal, request);

  let best: { a: Assignment; role: Role; priority: number; coverage: 'any' | 'own' } | undefined;
  for (const a of assignments ?? []) {
    if (!a || !subjectMatches(principal, a) || !scopeMatches(a, request.objectDn)) continue;
    const role = rolesById.get(a.roleId);
    if (!role) continue;
    const coverage = roleCoverage(role, request, own);
    if (coverage === 'none') continue;
    const priority = priorityOf(a);
    if (best === undefined || priority > best.priority || (priority === best.priority && a.deny === true && best.a.deny !== true)) {
      best = { a, role, priority, coverage };
    }
  }

  if (!best) return deny(`No role grants ${wanted}`);
  const matched = { role: best.role, assignmentId: best.a.id, priority: best.priority, deny: best.a.deny === true };
  if (matched.deny) {
    return deny(`Denied by role ${best.role.name} at priority ${best.priority}${scopeText(best.a)}`, matched);
  }
  const ownText = best.coverage === 'own' ? ' on own object' : '';
  return { allowed: true, reason: `Role ${best.role.name} grants ${wanted}${ownText}${scopeText(best.a)}`, matched };
}

export interface EffectivePermissionsOptions {
  /**
   * Expand `*` grants into these concrete object types (e.g. OBJECT_TYPES). Without it a wildcard grant is
   * listed as `*:read`.
   */
  objectTypes?: readonly string[];
}

interface Grant {
  objectType: string;
  action: Action;
  self: boolean;
  a: Assignment;
  priority: number;
}

/** Does deny grant `d` override allow grant `g` everywhere `g` applies? */
function denyCovers(d: Grant, g: Grant): boolean {
  if (d.action !== g.action || !objectTypeMatches(d.objectType, g.objectType)) return false;
  if (d.priority < g.priority) return false;
  if (d.self && !g.self) return false;
  if (isGlobal(d.a)) return true;
  if (isGlobal(g.a)) return false;
  const dDn = d.a.scope.dn as string;
  const gDn = g.a.scope.dn as string;
  if (d.a.scope.type === 'base') return g.a.scope.type === 'base' && dnEquals(dDn, gDn);
  return isDnWithin(gDn, dDn, 'subtree');
}

/**
 * What the principal may do globally or somewhere: sorted `objectType:action` strings (`user:read`), or
 * `objectType:action:own` when only the caller's own objects are concerned (an `s` grant) — an unrestricted
 * grant of the same pair supersedes it. An allow is dropped when a deny of at least its priority covers
 * all of its scope. Never throws.
 */
export function effectivePermissions(
  principal: Principal,
  roles: readonly Role[],
  assignments: readonly Assignment[],
  options: EffectivePermissionsOptions = {},
): string[] {
  try {
    if (!principal || typeof principal.dn !== 'string') return [];
    const rolesById = new Map<string, Role>();
    for (const r of roles ?? []) if (r && typeof r.id === 'string') rolesById.set(r.id, r);
    const expandTo = options.objectTypes?.filter((t) => isValidObjectType(t));

    const allows: Grant[] = [];
    const denies: Grant[] = [];
    for (const a of assignments ?? []) {
      if (!a || !subjectMatches(principal, a)) continue;
      if (!isGlobal(a) && canonicalRdns(a.scope.dn as string) === null) continue;
      const role = rolesById.get(a.roleId);
      if (!role) continue;
      for (const p of parsedPermissions(role)) {
        const types = p.objectType === '*' && expandTo && a.deny !== true ? expandTo : [p.objectType];
        for (const objectType of types) {
          for (const action of p.actions) {
            (a.deny === true ? denies : allows).push({ objectType, action, self: p.self, a, priority: priorityOf(a) });
          }
        }
      }
    }

    const full = new Set<string>();
    const ownOnly = new Set<string>();
    for (const g of allows) {
      if (denies.some((d) => denyCovers(d, g))) continue;
      (g.self ? ownOnly : full).add(actionString(g.objectType, g.action));
    }
    const typeOrder = (t: string) => (t === '*' ? '' : t);
    const entries = [
      ...[...full].map((k) => ({ k, own: false })),
      ...[...ownOnly].filter((k) => !full.has(k)).map((k) => ({ k, own: true })),
    ].map(({ k, own }) => {
      const idx = k.lastIndexOf(':');
      return { objectType: k.slice(0, idx), action: k.slice(idx + 1) as Action, own };
    });
    entries.sort(
      (x, y) =>
        (typeOrder(x.objectType) < typeOrder(y.objectType) ? -1 : typeOrder(x.objectType) > typeOrder(y.objectType) ? 1 : 0) ||
        ACTIONS.indexOf(x.action) - ACTIONS.indexOf(y.action),
    );
    return entries.map((e) => actionString(e.objectType, e.action, e.own));
  } catch {
    return [];
  }
}
