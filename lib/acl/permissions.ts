/**
 * ACL permission strings: `objectType:letters`.
 *
 * - `objectType` is `[a-z][a-z0-9-]*` (e.g. `user`, `ssh-key`, `floating-ip`) or the wildcard `*`.
 * - `letters` is a non-empty subset of `crwdms`, each letter at most once, in any order:
 *   c create, r read, w write, d delete, m move (rename / change parent), and
 *   s self: the grant applies only to the caller's own object. `s` alone grants nothing, so at least one
 *   action letter is required.
 *
 * Pure: no I/O. Parsing never mutates its input; the canonical rendering orders letters as `crwdms`.
 */

export const ACTIONS = ['create', 'read', 'write', 'delete', 'move'] as const;
export type Action = (typeof ACTIONS)[number];

export type ActionLetter = 'c' | 'r' | 'w' | 'd' | 'm';
export type PermissionLetter = ActionLetter | 's';

/** Canonical letter order. */
export const PERMISSION_LETTERS = 'crwdms';

export const ACTION_LETTERS: Readonly<Record<Action, ActionLetter>> = Object.freeze({
  create: 'c',
  read: 'r',
  write: 'w',
  delete: 'd',
  move: 'm',
});

export const LETTER_ACTIONS: Readonly<Record<ActionLetter, Action>> = Object.freeze({
  c: 'create',
  r: 'read',
  w: 'write',
  d: 'delete',
  m: 'move',
});

export const OBJECT_TYPE_PATTERN = /^[a-z][a-z0-9-]*$/;
/** Longest accepted permission string; keeps garbage from LDAP or requests from going far. */
export const MAX_PERMISSION_LENGTH = 128;

export interface Permission {
  /** `[a-z][a-z0-9-]*` or `*`. */
  readonly objectType: string;
  /** Granted actions, in canonical order (create, read, write, delete, move). Never empty. */
  readonly actions: readonly Action[];
  /** `s`: the grant applies only to the caller's own object. */
  readonly self: boolean;
}

export class InvalidPermissionError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(message);
    this.name = 'InvalidPermissionError';
    this.input = input;
  }
}

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** Accepts a full action name (`read`) or its letter (`r`), case-insensitively. */
export function parseAction(input: string): Action | undefined {
  const s = input.trim().toLowerCase();
  if (isAction(s)) return s;
  if (s.length === 1 && s in LETTER_ACTIONS) return LETTER_ACTIONS[s as ActionLetter];
  return undefined;
}

export function actionLetter(action: Action): ActionLetter {
  return ACTION_LETTERS[action];
}

/** A concrete object type (the wildcard `*` is not one). */
export function isValidObjectType(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_PERMISSION_LENGTH && OBJECT_TYPE_PATTERN.test(value);
}

/** Does a permission's object type (possibly `*`) cover a concrete object type? */
export function objectTypeMatches(pattern: string, objectType: string): boolean {
  return pattern === '*' || pattern === objectType;
}

function fail(input: string, message: string): never {
  throw new InvalidPermissionError(input, `Invalid permission "${input}": ${message}`);
}

/**
 * Parses `objectType:letters`. Throws InvalidPermissionError on anything else: missing or extra `:`,
 * bad object type, empty letters, a letter outside `crwdms`, a repeated letter, `s` without an action
 * letter, surrounding whitespace or upper case.
 */
export function parsePermission(input: string): Permission {
  if (typeof input !== 'string') fail(String(input), 'not a string');
  if (input.length > MAX_PERMISSION_LENGTH) fail(input.slice(0, 32) + '…', 'too long');
  const parts = input.split(':');
  if (parts.length !== 2) fail(input, 'expected objectType:letters');
  const [objectType = '', letters = ''] = parts;
  if (objectType !== '*' && !OBJECT_TYPE_PATTERN.test(objectType)) {
    fail(input, 'object type must match [a-z][a-z0-9-]* or be *');
  }
  if (letters.length === 0) fail(input, 'no letters');
  const seen = new Set<string>();
  for (const ch of letters) {
    if (!PERMISSION_LETTERS.includes(ch)) fail(input, `unknown letter "${ch}" (allowed: ${PERMISSION_LETTERS})`);
    if (seen.has(ch)) fail(input, `letter "${ch}" repeated`);
    seen.add(ch);
  }
  const actions = ACTIONS.filter((a) => seen.has(ACTION_LETTERS[a]));
  if (actions.length === 0) fail(input, '"s" needs at least one of c, r, w, d, m');
  return Object.freeze({ objectType, actions: Object.freeze(actions), self: seen.has('s') });
}

export type SafeParsePermissionResult = { ok: true; permission: Permission } | { ok: false; error: string };

/** parsePermission that never throws (for validating request bodies and LDAP data). */
export function safeParsePermission(input: unknown): SafeParsePermissionResult {
  if (typeof input !== 'string') return { ok: false, error: 'Invalid permission: not a string' };
  try {
    return { ok: true, permission: parsePermission(input) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export function isValidPermission(input: unknown): input is string {
  return safeParsePermission(input).ok;
}

/** Letters of a permission in canonical `crwdms` order. */
export function permissionLetters(p: Permission): string {
  return PERMISSION_LETTERS.split('')
    .filter((l) => (l === 's' ? p.self : p.actions.includes(LETTER_ACTIONS[l as ActionLetter])))
    .join('');
}

/** Canonical `objectType:letters` (letters ordered `crwdms`). */
export function formatPermission(p: Permission): string {
  return `${p.objectType}:${permissionLetters(p)}`;
}

/** Normalises a permission string to its canonical form (`user:wr` → `user:rw`). Throws like parsePermission. */
export function canonicalPermission(input: string): string {
  return formatPermission(parsePermission(input));
}

/** Does the permission name this action on this object type (ignoring the `s` restriction)? */
export function permissionCovers(p: Permission, action: Action, objectType: string): boolean {
  return objectTypeMatches(p.objectType, objectType) && p.actions.includes(action);
}

/**
 * `/auth/me`-style string: `user:read`; `user:read:own` when the grant is restricted to the caller's
 * own object (`s`).
 */
export function actionString(objectType: string, action: Action, own = false): string {
  return `${objectType}:${action}${own ? ':own' : ''}`;
}

/** `user:rs` → [`user:read:own`]; `group:rw` → [`group:read`, `group:write`]. */
export function permissionToActionStrings(p: Permission): string[] {
  return p.actions.map((a) => actionString(p.objectType, a, p.self));
}
