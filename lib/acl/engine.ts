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
import { Buffer } from 'node:buffer';

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
// DNs (RFC 4514)
// ---------------------------------------------------------------------------------------------------------

export interface Ava {
  /** Lower-case attribute type (short name when a well-known OID or long name was used). */
  type: string;
  /** Unescaped value, as written (not yet case-folded). A `#hex` BER value keeps its `#`. */
  value: string;
}
/** One RDN: one or more attribute-value assertions joined by `+`. */
export type Rdn = Ava[];

export class DnSyntaxError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(`Invalid DN "${input}": ${message}`);
    this.name = 'DnSyntaxError';
    this.input = input;
  }
}

const TYPE_ALIASES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'cn',
  commonname: 'cn',
  '2.5.4.4': 'sn',
  surname: 'sn',
  '2.5.4.6': 'c',
  countryname: 'c',
  '2.5.4.7': 'l',
  localityname: 'l',
  '2.5.4.8': 'st',
  stateorprovincename: 'st',
  '2.5.4.9': 'street',
  streetaddress: 'street',
  '2.5.4.10': 'o',
  organizationname: 'o',
  '2.5.4.11': 'ou',
  organizationalunitname: 'ou',
  '0.9.2342.19200300.100.1.1': 'uid',
  userid: 'uid',
  '0.9.2342.19200300.100.1.25': 'dc',
  domaincomponent: 'dc',
};

const DESCR = /^[a-z][a-z0-9-]*$/i;
const NUMERICOID = /^\d+(\.\d+)*$/;
const HEX2 = /^[0-9a-f]{2}$/i;

function normaliseType(raw: string, input: string): string {
  let t = raw.trim();
  if (/^oid\./i.test(t)) t = t.slice(4);
  if (!DESCR.test(t) && !NUMERICOID.test(t)) throw new DnSyntaxError(input, `bad attribute type "${raw}"`);
  const lower = t.toLowerCase();
  return TYPE_ALIASES[lower] ?? lower;
}

/**
 * Parses a DN string into RDNs (leaf first). Accepts RFC 4514 (and RFC 2253 leniencies: `;` separators,
 * quoted values, spaces around `,` `+` `=`). The empty string is the root DN (no RDNs). Throws DnSyntaxError.
 */
export function parseDn(dn: string): Rdn[] {
  if (typeof dn !== 'string') throw new DnSyntaxError(String(dn), 'not a string');
  const rdns: Rdn[] = [];
  if (dn.trim() === '') return rdns;
  let i = 0;
  const n = dn.length;
  let current: Rdn = [];
  for (;;) {
    // attribute type
    const eq = dn.indexOf('=', i);
    if (eq < 0) throw new DnSyntaxError(dn, 'missing "="');
    const type = normaliseType(dn.slice(i, eq), dn);
    i = eq + 1;
    while (i < n && dn[i] === ' ') i++;
    // value
    let value: string;
    if (dn[i] === '#') {
      let j = i + 1;
      while (j < n && /[0-9a-f]/i.test(dn[j] ?? '')) j++;
      const hex = dn.slice(i + 1, j);
      if (hex.length === 0 || hex.length % 2 !== 0) throw new DnSyntaxError(dn, 'bad #hex value');
      value = '#' + hex.toLowerCase();
      i = j;
      while (i < n && dn[i] === ' ') i++;
    } else if (dn[i] === '"') {
      const bytes: number[] = [];
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const ch = dn[j] as string;
        if (ch === '\\') {
          j = readEscape(dn, j, bytes);
          continue;
        }
        if (ch === '"') {
          closed = true;
          j++;
          break;
        }
        pushChar(dn, j, bytes);
        j += charLen(dn, j);
      }
      if (!closed) throw new DnSyntaxError(dn, 'unterminated quoted value');
      value = decodeUtf8(bytes, dn);
      i = j;
      while (i < n && dn[i] === ' ') i++;
    } else {
      const bytes: number[] = [];
      let significantLen = 0; // bytes up to the last non-space or escaped character
      let j = i;
      while (j < n) {
        const ch = dn[j] as string;
        if (ch === ',' || ch === ';' || ch === '+') break;
        if (ch === '\\') {
          j = readEscape(dn, j, bytes);
          significantLen = bytes.length;
          continue;
        }
        pushChar(dn, j, bytes);
        if (ch !== ' ') significantLen = bytes.length;
        j += charLen(dn, j);
      }
      value = decodeUtf8(bytes.slice(0, significantLen), dn);
      i = j;
    }
    current.push({ type, value });
    if (i >= n) {
      rdns.push(current);
      break;
    }
    const sep = dn[i];
    i++;
    if (sep === '+') continue;
    if (sep === ',' || sep === ';') {
      rdns.push(current);
      current = [];
      if (dn.slice(i).trim() === '') throw new DnSyntaxError(dn, 'trailing separator');
      continue;
    }
    throw new DnSyntaxError(dn, `unexpected "${sep ?? ''}" after value`);
  }
  return rdns;
}

function charLen(s: string, i: number): number {
  const code = s.codePointAt(i) ?? 0;
  return code > 0xffff ? 2 : 1;
}

function pushChar(s: string, i: number, bytes: number[]): void {
  const cp = s.codePointAt(i) ?? 0;
  for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) bytes.push(b);
}

/** Reads `\XX` or `\<char>` at s[i] === '\\'; returns the index after it. */
function readEscape(s: string, i: number, bytes: number[]): number {
  const next2 = s.slice(i + 1, i + 3);
  if (HEX2.test(next2)) {
    bytes.push(parseInt(next2, 16));
    return i + 3;
  }
  if (i + 1 >= s.length) throw new DnSyntaxError(s, 'dangling escape');
  pushChar(s, i + 1, bytes);
  return i + 1 + charLen(s, i + 1);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
function decodeUtf8(bytes: number[], input: string): string {
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new DnSyntaxError(input, 'value is not valid UTF-8');
  }
}

/** caseIgnoreMatch-style folding: NFKC, case-folded, runs of whitespace collapsed, trimmed. */
function foldValue(v: string): string {
  if (v.startsWith('#')) return v.toLowerCase();
  return v.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLowerCase();
}

function escapeValue(v: string): string {
  let out = v.replace(/[\\"+,;<>=\u0000]/g, (c) => (c === '\u0000' ? '\\00' : '\\' + c));
  if (out.startsWith('#') || out.startsWith(' ')) out = '\\' + out;
  if (out.endsWith(' ')) out = out.slice(0, -1) + '\\ ';
  return out;
}

function canonicalRdn(rdn: Rdn): string {
  return rdn
    .map((a) => `${a.type}=${a.value.startsWith('#') ? a.value : escapeValue(foldValue(a.value))}`)
    .sort()
    .join('+');
}

const DN_CACHE_LIMIT = 2048;
const dnCache = new Map<string, readonly string[] | null>();

/** Canonical RDN strings, leaf first; null when the DN does not parse. Memoised (pure). */
function canonicalRdns(dn: string): readonly string[] | null {
  const hit = dnCache.get(dn);
  if (hit !== undefined) return hit;
  let result: readonly string[] | null;
  try {
    result = Object.freeze(parseDn(dn).map(canonicalRdn));
  } catch {
    result = null;
  }
  if (dnCache.size >= DN_CACHE_LIMIT) dnCache.clear();
  dnCache.set(dn, result);
  return result;
}

/**
 * Canonical form of a DN for comparison: `uid=A, ou=People,DC=example,dc=com` →
 * `uid=a,ou=people,dc=example,dc=com`. Throws DnSyntaxError when it does not parse.
 */
export function normalizeDn(dn: string): string {
  const rdns = canonicalRdns(dn);
  if (rdns === null) parseDn(dn); // rethrows the syntax error
  return (rdns ?? []).join(',');
}

/** Are two DNs the same entry? False when either does not parse. */
export function dnEquals(a: string, b: string): boolean {
  const ra = canonicalRdns(a);
  const rb = canonicalRdns(b);
  return ra !== null && rb !== null && ra.length === rb.length && ra.every((r, i) => r === rb[i]);
}

/**
 * Is `dn` within `baseDn` for the given scope? `base`: the same entry; `subtree`: the same entry or a
 * descendant (whole-RDN suffix match). False when either does not parse.
 */
export function isDnWithin(dn: string, baseDn: string, scope: ScopeType): boolean {
  const r = canonicalRdns(dn);
  const b = canonicalRdns(baseDn);
  if (r === null || b === null) return false;
  if (scope === 'base') return r.length === b.length && r.every((x, i) => x === b[i]);
  if (r.length < b.length) return false;
  const offset = r.length - b.length;
  return b.every((x, i) => x === r[offset + i]);
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------------------

const permissionCache = new Map<string, Permission | null>();
function parsedPermissions(role: Role): Permission[] {
  const out: Permission[] = [];
  if (!Array.isArray(role.permissions)) return out;
  for (const raw of role.permissions) {
    let p = permissionCache.get(raw);
    if (p === undefined) {
      const res = safeParsePermission(raw);
      p = res.ok ? res.permission : null;
      if (permissionCache.size >= DN_CACHE_LIMIT) permissionCache.clear();
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
