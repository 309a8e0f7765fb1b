import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  BUILTIN_ROLES,
  BUILTIN_ROLE_IDS,
  OBJECT_TYPES,
  PERMISSION_MATRIX_MARKDOWN,
  getBuiltinRole,
  matrixCell,
} from '../../lib/acl/builtin-roles.js';
import {
  type AccessRequest,
  type Assignment,
  type Principal,
  type Role,
  dnEquals,
  effectivePermissions,
  evaluate,
  isDnWithin,
  normalizeDn,
  parseDn,
} from '../../lib/acl/engine.js';
import {
  ACTIONS,
  InvalidPermissionError,
  canonicalPermission,
  formatPermission,
  isValidPermission,
  parseAction,
  parsePermission,
  permissionToActionStrings,
  safeParsePermission,
} from '../../lib/acl/permissions.js';

const BASE = 'dc=example,dc=com';
const PEOPLE = `ou=people,${BASE}`;
const JDOE = `uid=jdoe,${PEOPLE}`;
const ALICE = `uid=alice,${PEOPLE}`;
const OPS_GROUP = `cn=ops,ou=groups,${BASE}`;

const jdoe: Principal = { dn: JDOE, groups: [] };

let seq = 0;
function assign(roleId: string, opts: Partial<Omit<Assignment, 'roleId'>> = {}): Assignment {
  seq += 1;
  return {
    id: opts.id ?? `a${seq}`,
    roleId,
    subject: opts.subject ?? { type: 'user', dn: JDOE },
    scope: opts.scope ?? { type: 'subtree' },
    priority: opts.priority ?? 0,
    deny: opts.deny ?? false,
  };
}

const role = (id: string, permissions: string[]): Role => ({ id, name: id, permissions });

const userWriter = role('user-writer', ['user:rw']);
const userReader = role('user-reader', ['user:r']);

describe('permissions: parsing letters', () => {
  it('parses letters into actions in canonical order and records s', () => {
    // Prepare
    const input = 'user:smdwrc';
    // Act
    const p = parsePermission(input);
    // Assess
    expect(p.objectType).toBe('user');
    expect(p.actions).toEqual(['create', 'read', 'write', 'delete', 'move']);
    expect(p.self).toBe(true);
    expect(formatPermission(p)).toBe('user:crwdms');
  });

  it('accepts the wildcard and dashed object types', () => {
    expect(parsePermission('*:r').objectType).toBe('*');
    expect(parsePermission('floating-ip:rw').actions).toEqual(['read', 'write']);
    expect(canonicalPermission('ssh-key:wr')).toBe('ssh-key:rw');
  });

  it.each([
    ['user', 'no colon'],
    ['user:', 'no letters'],
    [':r', 'no object type'],
    ['user:rx', 'unknown letter'],
    ['user:rr', 'repeated letter'],
    ['user:s', 's without an action'],
    ['User:r', 'upper-case type'],
    ['user:R', 'upper-case letter'],
    ['1user:r', 'type starting with a digit'],
    ['user:r:w', 'two colons'],
    [' user:r', 'surrounding whitespace'],
    ['us er:r', 'space in type'],
    ['**:r', 'bad wildcard'],
    [`${'a'.repeat(200)}:r`, 'too long'],
  ])('rejects %j (%s)', (input) => {
    // Act / Assess
    expect(() => parsePermission(input)).toThrow(InvalidPermissionError);
    expect(isValidPermission(input)).toBe(false);
    expect(safeParsePermission(input).ok).toBe(false);
  });

  it('rejects non-strings without throwing from the safe variant', () => {
    expect(safeParsePermission(42)).toEqual({ ok: false, error: expect.any(String) });
  });

  it('renders /auth/me strings, own-only grants suffixed with :own', () => {
    expect(permissionToActionStrings(parsePermission('group:rw'))).toEqual(['group:read', 'group:write']);
    expect(permissionToActionStrings(parsePermission('user:rs'))).toEqual(['user:read:own']);
  });

  it('parses actions by name or letter', () => {
    expect(parseAction('write')).toBe('write');
    expect(parseAction('W')).toBe('write');
    expect(parseAction('s')).toBeUndefined();
    expect(parseAction('execute')).toBeUndefined();
  });
});

describe('DN normalisation', () => {
  it('compares attribute types and values case-insensitively and ignores insignificant spaces', () => {
    expect(normalizeDn('uid=A, ou=People,DC=example,dc=com')).toBe('uid=a,ou=people,dc=example,dc=com');
    expect(dnEquals('uid=A ,  ou=People ,DC=example,dc=com', 'uid=a,ou=people,dc=example,dc=com')).toBe(true);
    expect(dnEquals('cn=John   Doe,dc=x', 'CN=john doe,DC=X')).toBe(true);
  });

  it('handles escapes, hex escapes, OID and long type names, multi-valued RDNs and ; separators', () => {
    expect(parseDn('cn=Doe\\, John,dc=x')[0]).toEqual([{ type: 'cn', value: 'Doe, John' }]);
    expect(dnEquals('cn=caf\\C3\\A9,dc=x', 'cn=CAFÉ,dc=x')).toBe(true);
    expect(dnEquals('2.5.4.3=x,domainComponent=y', 'cn=X,dc=Y')).toBe(true);
    expect(dnEquals('cn=a+sn=b,dc=x', 'SN=B + CN=A,dc=x')).toBe(true);
    expect(dnEquals('cn=a;dc=x', 'cn=a,dc=x')).toBe(true);
    expect(dnEquals('cn=a\\,b,dc=x', 'cn=a,b=,dc=x')).toBe(false);
  });

  it('keeps an escaped trailing space significant', () => {
    expect(dnEquals('cn=a\\ ,dc=x', 'cn=a,dc=x')).toBe(true); // caseIgnoreMatch folds it away
    expect(parseDn('cn=a\\ ,dc=x')[0]).toEqual([{ type: 'cn', value: 'a ' }]);
  });

  it('rejects malformed DNs', () => {
    for (const bad of ['cn', 'cn=a,', '=a', 'c n=a', 'cn=a,,dc=x', 'cn=\\']) {
      expect(() => parseDn(bad), bad).toThrow();
    }
    expect(dnEquals('cn=a,', 'cn=a,')).toBe(false);
  });

  it('subtree matches whole RDNs: ou=people2 is not under ou=people', () => {
    expect(isDnWithin(`uid=x,ou=people2,${BASE}`, PEOPLE, 'subtree')).toBe(false);
    expect(isDnWithin(`uid=x,ou=xpeople,${BASE}`, PEOPLE, 'subtree')).toBe(false);
    expect(isDnWithin(`uid=x,${PEOPLE}`, PEOPLE, 'subtree')).toBe(true);
    expect(isDnWithin(PEOPLE, PEOPLE, 'subtree')).toBe(true);
    expect(isDnWithin(BASE, PEOPLE, 'subtree')).toBe(false);
  });
});

describe('evaluate: subjects', () => {
  it('applies an assignment whose subject is the principal DN, compared after normalisation', () => {
    // Prepare
    const a = assign('user-reader', { subject: { type: 'user', dn: 'UID=JDoe, OU=People, DC=Example, DC=com' } });
    // Act
    const d = evaluate(jdoe, { action: 'read', objectType: 'user', objectDn: ALICE }, [userReader], [a]);
    // Assess
    expect(d.allowed).toBe(true);
    expect(d.matched?.assignmentId).toBe(a.id);
    expect(d.matched?.role.id).toBe('user-reader');
  });

  it('applies an assignment whose subject is one of the principal groups', () => {
    // Prepare
    const member: Principal = { dn: ALICE, groups: ['cn=OPS, ou=Groups,dc=example,dc=com'] };
    const a = assign('user-reader', { subject: { type: 'group', dn: OPS_GROUP } });
    // Act
    const d = evaluate(member, { action: 'read', objectType: 'user', objectDn: JDOE }, [userReader], [a]);
    // Assess
    expect(d.allowed).toBe(true);
  });

  it('ignores assignments for other users, other groups, and a user subject matching a group DN', () => {
    // Prepare
    const others = [
      assign('user-reader', { subject: { type: 'user', dn: ALICE } }),
      assign('user-reader', { subject: { type: 'group', dn: OPS_GROUP } }),
      assign('user-reader', { subject: { type: 'user', dn: OPS_GROUP } }),
    ];
    const principal: Principal = { dn: JDOE, groups: [`cn=devs,ou=groups,${BASE}`] };
    // Act
    const d = evaluate(principal, { action: 'read', objectType: 'user', objectDn: ALICE }, [userReader], others);
    // Assess
    expect(d).toEqual({ allowed: false, reason: 'No role grants user:r' });
  });

  it('ignores assignments whose role does not exist', () => {
    const d = evaluate(jdoe, { action: 'read', objectType: 'user' }, [], [assign('ghost')]);
    expect(d.allowed).toBe(false);
  });
});

describe('evaluate: scopes', () => {
  const req = (objectDn?: string): AccessRequest => ({ action: 'write', objectType: 'user', objectDn });

  it('a global assignment applies everywhere, with or without objectDn', () => {
    const a = assign('user-writer');
    expect(evaluate(jdoe, req(ALICE), [userWriter], [a]).allowed).toBe(true);
    expect(evaluate(jdoe, req(), [userWriter], [a]).allowed).toBe(true);
  });

  it('a subtree assignment covers the DN and below, but not siblings sharing a prefix (ou=people2)', () => {
    // Prepare
    const a = assign('user-writer', { scope: { dn: PEOPLE, type: 'subtree' } });
    // Act / Assess
    expect(evaluate(jdoe, req(ALICE), [userWriter], [a]).allowed).toBe(true);
    expect(evaluate(jdoe, req(PEOPLE), [userWriter], [a]).allowed).toBe(true);
    expect(evaluate(jdoe, req(`uid=alice,ou=people2,${BASE}`), [userWriter], [a]).allowed).toBe(false);
    expect(evaluate(jdoe, req(BASE), [userWriter], [a]).allowed).toBe(false);
  });

  it('matches scope DNs case- and space-insensitively', () => {
    const a = assign('user-writer', { scope: { dn: 'OU=People , DC=Example,DC=COM', type: 'subtree' } });
    expect(evaluate(jdoe, req('UID=Alice,ou=people,dc=example,dc=com'), [userWriter], [a]).allowed).toBe(true);
  });

  it('a base assignment covers exactly its DN, not children', () => {
    const a = assign('user-writer', { scope: { dn: ALICE, type: 'base' } });
    expect(evaluate(jdoe, req('uid=ALICE,ou=People,dc=example,dc=com'), [userWriter], [a]).allowed).toBe(true);
    expect(evaluate(jdoe, req(`cn=x,${ALICE}`), [userWriter], [a]).allowed).toBe(false);
    expect(evaluate(jdoe, req(PEOPLE), [userWriter], [a]).allowed).toBe(false);
  });

  it('a request without objectDn only matches global assignments', () => {
    const scoped = assign('user-writer', { scope: { dn: PEOPLE, type: 'subtree' } });
    expect(evaluate(jdoe, req(), [userWriter], [scoped])).toEqual({ allowed: false, reason: 'No role grants user:w' });
  });

  it('create checks the parent container given as objectDn', () => {
    // Prepare
    const creator = role('user-creator', ['user:c']);
    const a = assign('user-creator', { scope: { dn: PEOPLE, type: 'subtree' } });
    // Act
    const inPeople = evaluate(jdoe, { action: 'create', objectType: 'user', objectDn: PEOPLE }, [creator], [a]);
    const inPeople2 = evaluate(jdoe, { action: 'create', objectType: 'user', objectDn: `ou=people2,${BASE}` }, [creator], [a]);
    // Assess
    expect(inPeople.allowed).toBe(true);
    expect(inPeople2.allowed).toBe(false);
  });

  it('an assignment with an unparseable scope DN never applies', () => {
    const a = assign('user-writer', { scope: { dn: 'not a dn', type: 'subtree' } });
    expect(evaluate(jdoe, req(ALICE), [userWriter], [a]).allowed).toBe(false);
  });
});

describe('evaluate: object types and letters', () => {
  it('the wildcard object type matches every type; letters must contain the action', () => {
    const r = role('star-reader', ['*:r']);
    const a = assign('star-reader');
    expect(evaluate(jdoe, { action: 'read', objectType: 'dns' }, [r], [a]).allowed).toBe(true);
    expect(evaluate(jdoe, { action: 'delete', objectType: 'dns' }, [r], [a]).reason).toBe('No role grants dns:d');
  });

  it('ignores invalid permission strings in a role instead of failing', () => {
    const r = role('messy', ['garbage', 'user:rx', 'user:d']);
    const d = evaluate(jdoe, { action: 'delete', objectType: 'user' }, [r], [assign('messy')]);
    expect(d.allowed).toBe(true);
  });

  it('denies malformed requests with a reason', () => {
    const a = assign('user-writer');
    expect(evaluate(jdoe, { action: 'write', objectType: '*' }, [userWriter], [a]).allowed).toBe(false);
    const bogus = { action: 'execute', objectType: 'user' } as unknown as AccessRequest;
    expect(evaluate(jdoe, bogus, [userWriter], [a]).reason).toMatch(/Unknown action/);
  });
});

describe('evaluate: s (own object only)', () => {
  const selfEditor = role('self-editor', ['user:rws']);
  const a = assign('self-editor');

  it('grants on the caller own entry (objectDn equals principal DN, normalised)', () => {
    const d = evaluate(jdoe, { action: 'write', objectType: 'user', objectDn: 'UID=jdoe, ou=People,dc=example,dc=com' }, [selfEditor], [a]);
    expect(d.allowed).toBe(true);
    expect(d.reason).toBe('Role self-editor grants user:w on own object (global)');
  });

  it('grants when the caller is the owner of the target (ownerDn)', () => {
    const d = evaluate(jdoe, { action: 'write', objectType: 'user', objectDn: `cn=thing,${BASE}`, ownerDn: JDOE }, [selfEditor], [a]);
    expect(d.allowed).toBe(true);
  });

  it('does not grant on somebody else object, nor when the target is unknown', () => {
    expect(evaluate(jdoe, { action: 'write', objectType: 'user', objectDn: ALICE }, [selfEditor], [a]).allowed).toBe(false);
    expect(evaluate(jdoe, { action: 'write', objectType: 'user', objectDn: ALICE, ownerDn: ALICE }, [selfEditor], [a]).allowed).toBe(false);
    expect(evaluate(jdoe, { action: 'write', objectType: 'user' }, [selfEditor], [a]).allowed).toBe(false);
  });

  it('an unrestricted permission in the same role still grants on other objects', () => {
    const mixed = role('mixed', ['user:ws', 'user:r']);
    const b = assign('mixed');
    expect(evaluate(jdoe, { action: 'read', objectType: 'user', objectDn: ALICE }, [mixed], [b]).allowed).toBe(true);
    expect(evaluate(jdoe, { action: 'write', objectType: 'user', objectDn: ALICE }, [mixed], [b]).allowed).toBe(false);
  });
});

describe('evaluate: priority and deny', () => {
  const blocker = role('blocker', ['user:w']);

  it('at equal priority deny beats allow, whatever the order', () => {
    // Prepare
    const allow = assign('user-writer', { priority: 10 });
    const deny = assign('blocker', { priority: 10, deny: true });
    const request: AccessRequest = { action: 'write', objectType: 'user', objectDn: ALICE };
    // Act
    const d1 = evaluate(jdoe, request, [userWriter, blocker], [allow, deny]);
    const d2 = evaluate(jdoe, request, [userWriter, blocker], [deny, allow]);
    // Assess
    for (const d of [d1, d2]) {
      expect(d.allowed).toBe(false);
      expect(d.reason).toBe('Denied by role blocker at priority 10 (global)');
      expect(d.matched?.assignmentId).toBe(deny.id);
    }
  });

  it('a higher-priority allow beats a lower-priority deny', () => {
    const allow = assign('user-writer', { priority: 20, scope: { dn: PEOPLE, type: 'subtree' } });
    const deny = assign('blocker', { priority: 10, deny: true });
    const d = evaluate(jdoe, { action: 'write', objectType: 'user', objectDn: ALICE }, [userWriter, blocker], [deny, allow]);
    expect(d.allowed).toBe(true);
    expect(d.reason).toBe(`Role user-writer grants user:w on ${PEOPLE}`);
  });

  it('a higher-priority deny beats a lower-priority allow', () => {
    const allow = assign('user-writer', { priority: 1 });
    const deny = assign('blocker', { priority: 5, deny: true, scope: { dn: PEOPLE, type: 'subtree' } });
    const d = evaluate(jdoe, { action: 'write', objectType: 'user', objectDn: ALICE }, [userWriter, blocker], [allow, deny]);
    expect(d.allowed).toBe(false);
    expect(d.reason).toBe(`Denied by role blocker at priority 5 on ${PEOPLE}`);
  });

  it('a deny only denies what its role names', () => {
    const allow = assign('user-writer', { priority: 0 });
    const deny = assign('blocker', { priority: 99, deny: true });
    const d = evaluate(jdoe, { action: 'read', objectType: 'user', objectDn: ALICE }, [userWriter, blocker], [allow, deny]);
    expect(d.allowed).toBe(true);
  });

  it('a deny outside the target scope does not apply', () => {
    const allow = assign('user-writer');
    const deny = assign('blocker', { priority: 99, deny: true, scope: { dn: `ou=people2,${BASE}`, type: 'subtree' } });
    const d = evaluate(jdoe, { action: 'write', objectType: 'user', objectDn: ALICE }, [userWriter, blocker], [allow, deny]);
    expect(d.allowed).toBe(true);
    expect(d.reason).toBe('Role user-writer grants user:w (global)');
  });
});

describe('effectivePermissions', () => {
  it('lists type:action strings granted globally or anywhere, sorted, with own-only grants marked', () => {
    // Prepare
    const roles = [role('r1', ['group:rw', 'user:rs']), role('r2', ['dns:r'])];
    const assignments = [assign('r1'), assign('r2', { scope: { dn: `ou=dns,${BASE}`, type: 'subtree' } })];
    // Act
    const perms = effectivePermissions(jdoe, roles, assignments);
    // Assess
    expect(perms).toEqual(['dns:read', 'group:read', 'group:write', 'user:read:own']);
  });

  it('an unrestricted grant supersedes the own-only one', () => {
    const roles = [role('r1', ['user:rs']), role('r2', ['user:r'])];
    expect(effectivePermissions(jdoe, roles, [assign('r1'), assign('r2')])).toEqual(['user:read']);
  });

  it('drops grants fully covered by a deny of at least their priority, keeps others', () => {
    const roles = [role('w', ['user:rw', 'group:w']), role('no-user-w', ['user:w'])];
    const assignments = [
      assign('w', { priority: 1, scope: { dn: PEOPLE, type: 'subtree' } }),
      assign('no-user-w', { priority: 1, deny: true }),
    ];
    expect(effectivePermissions(jdoe, roles, assignments)).toEqual(['group:write', 'user:read']);
  });

  it('keeps a grant whose deny is of lower priority or narrower scope', () => {
    const roles = [role('w', ['user:w']), role('no-user-w', ['user:w'])];
    const lower = [assign('w', { priority: 5 }), assign('no-user-w', { priority: 1, deny: true })];
    const narrower = [assign('w'), assign('no-user-w', { deny: true, scope: { dn: PEOPLE, type: 'subtree' } })];
    expect(effectivePermissions(jdoe, roles, lower)).toEqual(['user:write']);
    expect(effectivePermissions(jdoe, roles, narrower)).toEqual(['user:write']);
  });

  it('lists wildcard grants as * or expands them over given object types', () => {
    const roles = [role('star', ['*:r']), role('no-secret', ['secret:r'])];
    const assignments = [assign('star'), assign('no-secret', { deny: true })];
    expect(effectivePermissions(jdoe, roles, assignments)).toEqual(['*:read']);
    expect(effectivePermissions(jdoe, roles, assignments, { objectTypes: ['user', 'secret'] })).toEqual(['user:read']);
  });

  it('lists nothing for a principal without assignments', () => {
    expect(effectivePermissions(jdoe, BUILTIN_ROLES, [])).toEqual([]);
  });
});

describe('built-in roles', () => {
  const as = (roleId: string, principal: Principal = jdoe) => ({
    can: (request: AccessRequest) =>
      evaluate(principal, request, BUILTIN_ROLES, [assign(roleId, { subject: { type: 'user', dn: principal.dn } })]),
  });

  it('ships the six Dihya roles as built-in, with valid permissions and French aliases', () => {
    expect(BUILTIN_ROLES.map((r) => r.id)).toEqual([...BUILTIN_ROLE_IDS]);
    for (const r of BUILTIN_ROLES) {
      expect(r.builtin).toBe(true);
      for (const p of r.permissions) expect(isValidPermission(p), `${r.id} ${p}`).toBe(true);
    }
    expect(getBuiltinRole('développeur')?.id).toBe('developer');
    expect(getBuiltinRole('Auditeur')?.id).toBe('auditor');
  });

  it('admin can do anything anywhere', () => {
    for (const action of ACTIONS) {
      expect(as('admin').can({ action, objectType: 'secret', objectDn: ALICE }).allowed).toBe(true);
    }
    expect(as('admin').can({ action: 'write', objectType: 'user', objectDn: ALICE }).reason).toBe('Role admin grants user:w (global)');
  });

  it('auditor reads everything including audit and security logs, writes nothing, cannot read secrets', () => {
    const auditor = as('auditor');
    expect(auditor.can({ action: 'read', objectType: 'audit' }).allowed).toBe(true);
    expect(auditor.can({ action: 'read', objectType: 'security-log' }).allowed).toBe(true);
    expect(auditor.can({ action: 'read', objectType: 'user', objectDn: ALICE }).allowed).toBe(true);
    expect(auditor.can({ action: 'write', objectType: 'user', objectDn: ALICE })).toEqual({
      allowed: false,
      reason: 'No role grants user:w',
    });
    expect(auditor.can({ action: 'read', objectType: 'secret' }).allowed).toBe(false);
    expect(auditor.can({ action: 'delete', objectType: 'instance' }).allowed).toBe(false);
  });

  it('guest reads the catalog only and cannot create instances', () => {
    const guest = as('guest');
    expect(guest.can({ action: 'read', objectType: 'flavor' }).allowed).toBe(true);
    expect(guest.can({ action: 'read', objectType: 'image' }).allowed).toBe(true);
    expect(guest.can({ action: 'create', objectType: 'instance', ownerDn: JDOE }).allowed).toBe(false);
    expect(guest.can({ action: 'read', objectType: 'user', objectDn: ALICE }).allowed).toBe(false);
  });

  it('developer writes only own deployments and reads the catalog', () => {
    const dev = as('developer');
    const own = `cn=app1,ou=deployments,${BASE}`;
    expect(dev.can({ action: 'create', objectType: 'deployment', objectDn: `ou=deployments,${BASE}`, ownerDn: JDOE }).allowed).toBe(true);
    expect(dev.can({ action: 'write', objectType: 'deployment', objectDn: own, ownerDn: JDOE }).allowed).toBe(true);
    expect(dev.can({ action: 'write', objectType: 'deployment', objectDn: own, ownerDn: ALICE }).allowed).toBe(false);
    expect(dev.can({ action: 'delete', objectType: 'deployment', objectDn: own, ownerDn: JDOE }).allowed).toBe(false);
    expect(dev.can({ action: 'read', objectType: 'framework' }).allowed).toBe(true);
    expect(dev.can({ action: 'create', objectType: 'flavor' }).allowed).toBe(false);
  });

  it('devops controls compute/paas/ci and only reads identity', () => {
    const devops = as('devops');
    expect(devops.can({ action: 'delete', objectType: 'instance' }).allowed).toBe(true);
    expect(devops.can({ action: 'write', objectType: 'pipeline' }).allowed).toBe(true);
    expect(devops.can({ action: 'read', objectType: 'secret' }).allowed).toBe(true);
    expect(devops.can({ action: 'read', objectType: 'group' }).allowed).toBe(true);
    expect(devops.can({ action: 'write', objectType: 'group' }).allowed).toBe(false);
    expect(devops.can({ action: 'write', objectType: 'acl' }).allowed).toBe(false);
  });

  it('ops operates compute (write = start/stop) and incidents but cannot delete instances or write scripts', () => {
    const ops = as('ops');
    expect(ops.can({ action: 'write', objectType: 'instance' }).allowed).toBe(true);
    expect(ops.can({ action: 'create', objectType: 'incident' }).allowed).toBe(true);
    expect(ops.can({ action: 'read', objectType: 'monitoring' }).allowed).toBe(true);
    expect(ops.can({ action: 'read', objectType: 'script' }).allowed).toBe(true);
    expect(ops.can({ action: 'delete', objectType: 'instance' }).allowed).toBe(false);
    expect(ops.can({ action: 'write', objectType: 'script' }).allowed).toBe(false);
  });

  it.each(BUILTIN_ROLE_IDS)('%s manages own api keys and reads own tasks and own entry', (id) => {
    const r = as(id);
    expect(r.can({ action: 'create', objectType: 'api-key', ownerDn: JDOE }).allowed).toBe(true);
    expect(r.can({ action: 'delete', objectType: 'api-key', objectDn: `cn=k1,${JDOE}`, ownerDn: JDOE }).allowed).toBe(true);
    expect(r.can({ action: 'read', objectType: 'task', ownerDn: JDOE }).allowed).toBe(true);
    expect(r.can({ action: 'read', objectType: 'user', objectDn: JDOE }).allowed).toBe(true);
  });

  it('a deny assignment can take self-service away (no special case)', () => {
    const noKeys: Role = { id: 'no-keys', name: 'no-keys', permissions: ['api-key:c'] };
    const d = evaluate(
      jdoe,
      { action: 'create', objectType: 'api-key', ownerDn: JDOE },
      [...BUILTIN_ROLES, noKeys],
      [assign('guest'), assign('no-keys', { deny: true })],
    );
    expect(d.allowed).toBe(false);
  });

  it('effectivePermissions of a guest lists catalog reads and self-service', () => {
    expect(effectivePermissions(jdoe, BUILTIN_ROLES, [assign('guest')])).toEqual([
      'api-key:create:own',
      'api-key:read:own',
      'api-key:write:own',
      'api-key:delete:own',
      'flavor:read',
      'framework:read',
      'image:read',
      'ssh-key:create:own',
      'ssh-key:read:own',
      'ssh-key:write:own',
      'ssh-key:delete:own',
      'task:read:own',
      'user:read:own',
    ]);
  });

  it('renders the permission matrix as a Markdown table with one row per object type', () => {
    const md = PERMISSION_MATRIX_MARKDOWN();
    expect(md.split('\n')[0]).toBe('| Object type | admin | devops | ops | developer | auditor | guest |');
    for (const t of OBJECT_TYPES) expect(md).toContain(`| \`${t}\` |`);
    expect(matrixCell(getBuiltinRole('developer') as Role, 'deployment')).toBe('crw (own)');
    expect(matrixCell(getBuiltinRole('auditor') as Role, 'secret')).toBe('—');
  });
});

describe('properties', () => {
  const dnArb = fc.oneof(fc.constantFrom(JDOE, ALICE, PEOPLE, BASE, OPS_GROUP, `ou=people2,${BASE}`, '', 'garbage', 'cn=a,'), fc.string());
  const assignmentArb: fc.Arbitrary<Assignment> = fc.record({
    id: fc.string(),
    roleId: fc.constantFrom(...BUILTIN_ROLE_IDS, 'missing'),
    subject: fc.record({ type: fc.constantFrom('user' as const, 'group' as const), dn: dnArb }),
    scope: fc.record({ dn: fc.option(dnArb, { nil: undefined }), type: fc.constantFrom('base' as const, 'subtree' as const) }),
    priority: fc.oneof(fc.integer(), fc.double()),
    deny: fc.boolean(),
  });
  const requestArb: fc.Arbitrary<AccessRequest> = fc.record({
    action: fc.constantFrom(...ACTIONS),
    objectType: fc.oneof(fc.constantFrom(...OBJECT_TYPES), fc.string()),
    objectDn: fc.option(dnArb, { nil: undefined }),
    ownerDn: fc.option(dnArb, { nil: undefined }),
  });
  const principalArb: fc.Arbitrary<Principal> = fc.record({ dn: dnArb, groups: fc.array(dnArb, { maxLength: 3 }) });
  const rolesArb = fc.array(
    fc.record({ id: fc.constantFrom(...BUILTIN_ROLE_IDS), name: fc.string(), permissions: fc.array(fc.string(), { maxLength: 4 }) }),
    { maxLength: 3 },
  );

  it('evaluate never throws, and with no assignments always denies', () => {
    fc.assert(
      fc.property(
        principalArb,
        requestArb,
        fc.oneof(fc.constant([...BUILTIN_ROLES]), rolesArb),
        fc.array(assignmentArb, { maxLength: 5 }),
        (principal, request, roles, assignments) => {
          const d = evaluate(principal, request, roles, assignments);
          expect(typeof d.allowed).toBe('boolean');
          expect(typeof d.reason).toBe('string');
          expect(evaluate(principal, request, roles, []).allowed).toBe(false);
          expect(() => effectivePermissions(principal, roles, assignments)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
