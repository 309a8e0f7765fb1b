/**
 * The six built-in roles of the Dihya IT & DevOps spec (RBAC: admin, devops, ops, développeur, auditeur,
 * guest), expressed as ACL roles over the object types of the whole product.
 *
 * Self-service (everyone authenticated): every role carries `user:rs` (read own entry), `task:rs` (read own
 * tasks) and `api-key:crwds` (manage own API keys). These are ordinary permissions, not special cases in
 * the engine, so a deny assignment can still take them away.
 */
import type { Role } from './engine.js';
import { ACTIONS, ACTION_LETTERS, type Permission, PERMISSION_LETTERS, objectTypeMatches, parsePermission } from './permissions.js';

export const OBJECT_TYPE_GROUPS = {
  identity: ['user', 'group', 'system', 'sudo', 'ssh-key', 'acl', 'department', 'dns', 'dhcp', 'mail'],
  platform: ['config', 'plugin', 'audit', 'security-log', 'task', 'api-key'],
  compute: ['instance', 'network', 'floating-ip', 'load-balancer', 'volume', 'snapshot', 'flavor', 'image', 'quota'],
  paas: ['deployment', 'framework', 'secret', 'automation', 'erp'],
  devops: ['pipeline', 'server', 'incident', 'script', 'inventory', 'monitoring'],
  slices: ['slices'],
} as const satisfies Record<string, readonly string[]>;

export type ObjectTypeGroup = keyof typeof OBJECT_TYPE_GROUPS;

/** Every object type of the product, in documentation order. */
export const OBJECT_TYPES: readonly string[] = Object.freeze(Object.values(OBJECT_TYPE_GROUPS).flat());

export const BUILTIN_ROLE_IDS = ['admin', 'devops', 'ops', 'developer', 'auditor', 'guest'] as const;
export type BuiltinRoleId = (typeof BUILTIN_ROLE_IDS)[number];

/** French names used by the Dihya spec. */
export const BUILTIN_ROLE_ALIASES: Readonly<Record<string, BuiltinRoleId>> = Object.freeze({
  développeur: 'developer',
  developpeur: 'developer',
  auditeur: 'auditor',
});

// Self-service for every role: read your own entry and tasks, manage your own API keys and SSH keys.
const SELF_SERVICE = ['user:rs', 'task:rs', 'api-key:crwds', 'ssh-key:crwds'];

const grant = (types: readonly string[], letters: string): string[] => types.map((t) => `${t}:${letters}`);

const CATALOG = ['flavor', 'image', 'framework'];

const devopsFull = [
  ...OBJECT_TYPE_GROUPS.compute.filter((t) => t !== 'quota'),
  ...OBJECT_TYPE_GROUPS.paas,
  ...OBJECT_TYPE_GROUPS.devops,
  ...OBJECT_TYPE_GROUPS.slices,
];

const role = (id: BuiltinRoleId, description: string, permissions: string[]): Role => ({
  id,
  name: id,
  description,
  permissions,
  builtin: true,
});

export const BUILTIN_ROLES: readonly Role[] = Object.freeze([
  role('admin', 'Full administrator access to every object type', ['*:crwdm']),
  role('devops', 'Full control of compute, PaaS, DevOps/CI and SLICES; read access to identity', [
    ...grant(devopsFull, 'crwdm'),
    'quota:r',
    ...grant(
      OBJECT_TYPE_GROUPS.identity.filter((t) => t !== 'acl'),
      'r',
    ),
    'ssh-key:crwds',
    'task:r',
    ...SELF_SERVICE,
  ]),
  role('ops', 'Operates compute (read/write, start/stop) and servers; handles incidents and monitoring', [
    ...grant(['instance', 'network', 'floating-ip', 'load-balancer', 'volume', 'server'], 'rw'),
    'snapshot:crw',
    ...grant(['flavor', 'image', 'quota'], 'r'),
    'incident:crw',
    'monitoring:rw',
    ...grant(['script', 'inventory', 'deployment', 'pipeline', 'automation', 'system', 'slices', 'task'], 'r'),
    'ssh-key:crwds',
    ...SELF_SERVICE,
  ]),
  role('developer', 'Creates, reads and updates own deployments, instances and pipelines; reads the catalog', [
    ...grant(['deployment', 'instance', 'pipeline'], 'crws'),
    ...grant(CATALOG, 'r'),
    'ssh-key:crwds',
    ...SELF_SERVICE,
  ]),
  role('auditor', 'Reads everything (audit and security logs included) except secrets; writes nothing', [
    ...grant(
      OBJECT_TYPES.filter((t) => t !== 'secret'),
      'r',
    ),
    ...SELF_SERVICE,
  ]),
  role('guest', 'Reads the catalog (flavors, images, frameworks)', [...grant(CATALOG, 'r'), ...SELF_SERVICE]),
]);

/** A built-in role by id or by its French alias (`développeur`, `auditeur`). */
export function getBuiltinRole(idOrAlias: string): Role | undefined {
  const key = idOrAlias.trim().toLowerCase();
  const id = BUILTIN_ROLE_ALIASES[key] ?? key;
  return BUILTIN_ROLES.find((r) => r.id === id);
}

export function isBuiltinRoleId(id: string): id is BuiltinRoleId {
  return (BUILTIN_ROLE_IDS as readonly string[]).includes(id);
}

/**
 * One matrix cell: unrestricted letters, then letters granted on own objects only, e.g. `r + cwd (own)`;
 * `—` for nothing.
 */
export function matrixCell(role: Role, objectType: string): string {
  const perms: Permission[] = role.permissions.map((p) => parsePermission(p));
  const any = new Set<string>();
  const own = new Set<string>();
  for (const p of perms) {
    if (!objectTypeMatches(p.objectType, objectType)) continue;
    for (const a of p.actions) (p.self ? own : any).add(ACTION_LETTERS[a]);
  }
  const order = (s: Set<string>) =>
    PERMISSION_LETTERS.split('')
      .filter((l) => s.has(l))
      .join('');
  const anyLetters = order(any);
  const ownLetters = order(new Set([...own].filter((l) => !any.has(l))));
  const parts = [anyLetters, ownLetters ? `${ownLetters} (own)` : ''].filter(Boolean);
  return parts.length ? parts.join(' + ') : '—';
}

/** The permission matrix (object types × roles) as a Markdown table. */
export function PERMISSION_MATRIX_MARKDOWN(roles: readonly Role[] = BUILTIN_ROLES, objectTypes: readonly string[] = OBJECT_TYPES): string {
  const header = `| Object type | ${roles.map((r) => r.id).join(' | ')} |`;
  const sep = `|---|${roles.map(() => ':---:').join('|')}|`;
  const rows = objectTypes.map((t) => `| \`${t}\` | ${roles.map((r) => matrixCell(r, t)).join(' | ')} |`);
  const legend = `Letters: ${ACTIONS.map((a) => `${ACTION_LETTERS[a]} ${a}`).join(', ')}; "(own)" = only on the caller's own object (\`s\`); — = nothing.`;
  return [header, sep, ...rows, '', legend, ''].join('\n');
}
