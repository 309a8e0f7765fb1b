/**
 * The registry of typed settings (Heracles §15): every key the API knows, with its type, range, default and
 * category. Only values that differ from the default are stored (`pk='CONFIG'`, `sk='<key>'`, see store.ts);
 * an unknown key is a 404, a value outside the setting's type or range a 400 naming `body.value`.
 */

export type SettingType = 'int' | 'string' | 'enum' | 'bool';
export type SettingValue = number | string | boolean;

interface Base {
  key: string;
  category: string;
  description: string;
}
export type SettingDef =
  | (Base & { type: 'int'; default: number; min: number; max: number })
  | (Base & { type: 'string'; default: string; pattern?: RegExp; patternHint?: string; maxLength: number })
  | (Base & { type: 'enum'; default: string; values: readonly string[] })
  | (Base & { type: 'bool'; default: boolean });

export const CATEGORIES: readonly { id: string; label: string }[] = [
  { id: 'password', label: 'Password policy' },
  { id: 'users', label: 'Users and POSIX numbers' },
  { id: 'session', label: 'Sessions' },
  { id: 'login', label: 'Login protection' },
  { id: 'audit', label: 'Audit' },
  { id: 'mail', label: 'Mail' },
];

const ABSOLUTE_PATH = /^\/[^\0\n]{0,254}$/;

export const SETTINGS: readonly SettingDef[] = [
  { key: 'password.min_length', category: 'password', type: 'int', default: 12, min: 8, max: 128, description: 'Minimum password length' },
  {
    key: 'password.require_classes',
    category: 'password',
    type: 'int',
    default: 3,
    min: 1,
    max: 4,
    description: 'How many character classes (lower, upper, digit, other) a password needs',
  },
  {
    key: 'password.hash',
    category: 'password',
    type: 'enum',
    default: 'SSHA512',
    values: ['ARGON2', 'SSHA512'],
    description: 'Scheme new passwords are hashed with',
  },
  {
    key: 'password.max_age_days',
    category: 'password',
    type: 'int',
    default: 0,
    min: 0,
    max: 3650,
    description: 'Days before a password expires (0: never)',
  },
  {
    key: 'users.default_shell',
    category: 'users',
    type: 'string',
    default: '/bin/bash',
    pattern: ABSOLUTE_PATH,
    patternHint: 'an absolute path',
    maxLength: 255,
    description: 'loginShell of new POSIX users when none is given',
  },
  {
    key: 'users.home_base',
    category: 'users',
    type: 'string',
    default: '/home',
    pattern: ABSOLUTE_PATH,
    patternHint: 'an absolute path',
    maxLength: 255,
    description: 'Directory under which home directories are made (<home_base>/<uid>)',
  },
  {
    key: 'uid_number.start',
    category: 'users',
    type: 'int',
    default: 10001,
    min: 1000,
    max: 4_294_967_294,
    description: 'First uidNumber allocated automatically',
  },
  {
    key: 'gid_number.start',
    category: 'users',
    type: 'int',
    default: 10001,
    min: 1000,
    max: 4_294_967_294,
    description: 'First gidNumber allocated automatically',
  },
  {
    key: 'session.access_ttl_seconds',
    category: 'session',
    type: 'int',
    default: 1800,
    min: 60,
    max: 86_400,
    description: 'Lifetime of an access token, seconds',
  },
  {
    key: 'session.refresh_ttl_seconds',
    category: 'session',
    type: 'int',
    default: 604_800,
    min: 300,
    max: 7_776_000,
    description: 'Lifetime of a refresh token, seconds',
  },
  {
    key: 'login.max_failures',
    category: 'login',
    type: 'int',
    default: 5,
    min: 1,
    max: 100,
    description: 'Failed logins of one user before throttling',
  },
  {
    key: 'login.window_seconds',
    category: 'login',
    type: 'int',
    default: 300,
    min: 10,
    max: 86_400,
    description: 'Window over which failed logins are counted, seconds',
  },
  {
    key: 'audit.retention_days',
    category: 'audit',
    type: 'int',
    default: 365,
    min: 1,
    max: 3650,
    description: 'Days audit events are kept and searched by default',
  },
  {
    key: 'mail.default_quota_mb',
    category: 'mail',
    type: 'int',
    default: 0,
    min: 0,
    max: 10_485_760,
    description: 'Quota (MiB) of a newly activated mail account when none is given (0: none)',
  },
  {
    key: 'mail.default_host',
    category: 'mail',
    type: 'string',
    default: '',
    pattern: /^$|^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
    patternHint: 'a host name (or empty)',
    maxLength: 253,
    description: 'mailHost of a newly activated mail account when none is given (empty: none)',
  },
];

const BY_KEY = new Map(SETTINGS.map((s) => [s.key, s]));

export const settingDef = (key: string): SettingDef | undefined => BY_KEY.get(key);

/** Why `value` does not fit `def` (a message for `body.value`), or undefined when it does. */
export function settingValueProblem(def: SettingDef, value: unknown): string | undefined {
  switch (def.type) {
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return 'must be an integer';
      if (value < def.min || value > def.max) return `must be between ${def.min} and ${def.max}`;
      return undefined;
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'must be a boolean';
    case 'enum':
      return typeof value === 'string' && def.values.includes(value) ? undefined : `must be one of ${def.values.join(', ')}`;
    case 'string':
      if (typeof value !== 'string') return 'must be a string';
      if (value.length > def.maxLength) return `must be at most ${def.maxLength} characters`;
      if (def.pattern && !def.pattern.test(value)) return `must be ${def.patternHint ?? `a string matching ${def.pattern.source}`}`;
      return undefined;
  }
}

/** Constraints shown next to a setting (min/max, allowed values). */
export function settingConstraints(def: SettingDef): Record<string, unknown> | undefined {
  switch (def.type) {
    case 'int':
      return { min: def.min, max: def.max };
    case 'enum':
      return { values: [...def.values] };
    case 'string':
      return { max_length: def.maxLength, ...(def.patternHint ? { format: def.patternHint } : {}) };
    case 'bool':
      return undefined;
  }
}

/** Typed defaults: `DEFAULTS['password.min_length']` = 12. */
export const DEFAULTS: Readonly<Record<string, SettingValue>> = Object.freeze(Object.fromEntries(SETTINGS.map((s) => [s.key, s.default])));
