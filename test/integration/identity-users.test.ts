import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSlapd, type TestSlapd } from '../helpers/slapd.js';
import { startTestDynalite, type TestDynalite } from '../helpers/dynalite.js';
import type { IdentityDeps } from '../../lib/identity/deps.js';
import { createUser } from '../../lib/identity/create-user.js';
import { updateUser } from '../../lib/identity/update-user.js';
import { deleteUser } from '../../lib/identity/delete-user.js';
import { changePassword } from '../../lib/identity/change-password.js';
import { setLocked } from '../../lib/identity/lock-user.js';
import { findUser, listUsers, requireUser, userView } from '../../lib/identity/read-users.js';
import { changeMembers, createGroup, groupDetail, listGroups, requireGroup, updateGroup } from '../../lib/identity/groups.js';
import { parseFilter } from '../../lib/http/filter.js';
import { attrFirst } from '../../lib/providers/ldap/index.js';
import { putConfig, resetConfig } from '../../lib/config-store/store.js';
import { ApiError } from '../../lib/core/errors.js';

/** The identity use cases against a real slapd (sssvlv, ppolicy, pw-sha2) and dynalite (number counters). */
let ldap: TestSlapd;
let dyn: TestDynalite;
let d: IdentityDeps;
const PW = 'Correct-Horse-42';

const clauses = (...raw: string[]) => raw.map((r) => parseFilter(r) as Exclude<ReturnType<typeof parseFilter>, string>);
async function rejects(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  [ldap, dyn] = await Promise.all([startTestSlapd(), startTestDynalite()]);
  d = {
    ldap: ldap.client,
    db: dyn.db,
    baseDn: ldap.baseDn,
    peopleDn: `ou=people,${ldap.baseDn}`,
    groupsDn: `ou=groups,${ldap.baseDn}`,
    now: () => new Date('2026-01-17T10:30:00Z'),
  };
});

afterAll(async () => {
  await Promise.all([ldap?.destroy(), dyn?.stop()]);
});

describe('users', () => {
  it('creates a POSIX user with an allocated uidNumber and a password slapd hashed and accepts on bind', async () => {
    const { user, changes } = await createUser(d, {
      uid: 'jdoe',
      cn: 'John Doe',
      sn: 'Doe',
      mail: 'jdoe@example.com',
      userPassword: PW,
      posix: { uidNumber: null, gidNumber: 10000, loginShell: '/bin/bash' },
    });
    expect(user).toMatchObject({
      dn: 'uid=jdoe,ou=people,dc=example,dc=com',
      uid: 'jdoe',
      objectClass: ['inetOrgPerson', 'posixAccount', 'shadowAccount'],
      uidNumber: 10001,
      gidNumber: 10000,
      homeDirectory: '/home/jdoe',
      tabs: { posix: true, sudo: false, ssh: false },
      locked: false,
    });
    expect(changes).toContainEqual({ attribute: 'userPassword', old: null, new: '[REDACTED]' });
    const stored = await ldap.client.get(user.dn, ['userPassword']);
    expect(attrFirst(stored!, 'userPassword')).toMatch(/^\{SSHA512\}/);
    await expect(ldap.client.bind(user.dn, PW)).resolves.toBeUndefined();
  });

  it('answers 409 USER_EXISTS when the uid already exists', async () => {
    const e = await rejects(createUser(d, { uid: 'jdoe', cn: 'x', sn: 'y' }));
    expect([e.status, e.code]).toEqual([409, 'USER_EXISTS']);
  });

  it('refuses a weak initial password listing the broken rules, and creates nothing', async () => {
    const e = await rejects(createUser(d, { uid: 'weakling', cn: 'W', sn: 'W', userPassword: 'weakling1' }));
    expect(e.code).toBe('PASSWORD_POLICY_VIOLATION');
    expect(e.details).toMatchObject({ field: 'userPassword', rules: ['min_length', 'character_classes', 'contains_uid'] });
    expect(await findUser(d, 'weakling')).toBeNull();
  });

  it('gives 10 concurrent creations with uidNumber null 10 distinct numbers, skipping numbers used in LDAP', async () => {
    await ldap.client.add('uid=manual,ou=people,dc=example,dc=com', {
      objectClass: ['inetOrgPerson', 'posixAccount'],
      uid: 'manual',
      cn: 'M',
      sn: 'M',
      uidNumber: '10003',
      gidNumber: '10000',
      homeDirectory: '/home/manual',
    });
    const made = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        createUser(d, { uid: `par${i}`, cn: `P ${i}`, sn: 'P', posix: { uidNumber: null, gidNumber: 10000 } }),
      ),
    );
    const numbers = made.map((m) => m.user.uidNumber as number);
    expect(new Set(numbers).size).toBe(10);
    expect(numbers).not.toContain(10001);
    expect(numbers).not.toContain(10003);
  });

  it('changes only the given fields, removes null ones and refuses removing a required one', async () => {
    const { user, changes } = await updateUser(d, 'jdoe', { cn: 'John M. Doe', telephoneNumber: '+33 1 98 76 54 32', mail: null });
    expect(user).toMatchObject({ cn: 'John M. Doe', sn: 'Doe', telephoneNumber: '+33 1 98 76 54 32', uidNumber: 10001 });
    expect(user.mail).toBeUndefined();
    expect(changes).toEqual(
      expect.arrayContaining([
        { attribute: 'cn', old: 'John Doe', new: 'John M. Doe' },
        { attribute: 'mail', old: 'jdoe@example.com', new: null },
      ]),
    );
    for (const field of ['sn', 'homeDirectory'] as const) {
      const e = await rejects(updateUser(d, 'jdoe', { [field]: null }));
      expect([e.status, e.code, e.details?.field]).toEqual([422, 'ATTRIBUTE_REQUIRED', field]);
    }
  });

  it('answers USER_NOT_FOUND with the uid and the search base (the whole base: departments included)', async () => {
    const e = await rejects(requireUser(d, 'ghost'));
    expect([e.status, e.code, e.details]).toEqual([404, 'USER_NOT_FOUND', { uid: 'ghost', search_base: 'dc=example,dc=com' }]);
  });

  it('pages in the directory with totals and has_more, sorted by uid', async () => {
    const all = await listUsers(d, { limit: 500, offset: 0, filter: clauses('uid:starts:par') });
    expect(all.total).toBe(10);
    expect(all.data.map((u) => u.uid)).toEqual([...Array(10).keys()].map((i) => `par${i}`));
    const p = await listUsers(d, { limit: 3, offset: 8, filter: clauses('uid:starts:par') });
    expect([p.total, p.data.map((u) => u.uid)]).toEqual([10, ['par8', 'par9']]);
    const past = await listUsers(d, { limit: 3, offset: 50, filter: clauses('uid:starts:par') });
    expect([past.total, past.data]).toEqual([10, []]);
    const none = await listUsers(d, { limit: 3, offset: 0, filter: clauses('uid:eq:nobody') });
    expect([none.total, none.data]).toEqual([0, []]);
  });

  it('filters with escaped values: an injection attempt matches nothing', async () => {
    expect((await listUsers(d, { limit: 50, offset: 0, filter: clauses('uid:eq:*)(uid=*') })).total).toBe(0);
    expect((await listUsers(d, { limit: 50, offset: 0, filter: clauses('cn:contains:*') })).total).toBe(0);
    const r = await listUsers(d, {
      limit: 50,
      offset: 0,
      filter: clauses('cn:contains:m. doe', 'uidNumber:eq:10001'),
      attributes: ['mail', 'cn'],
    });
    expect(r.data).toEqual([{ dn: 'uid=jdoe,ou=people,dc=example,dc=com', uid: 'jdoe', cn: 'John M. Doe' }]);
    expect((await rejects(listUsers(d, { limit: 5, offset: 0, filter: [], attributes: ['userPassword'] }))).status).toBe(400);
  });

  it('applies the password rules and needs the right current password when asked', async () => {
    const weak = await rejects(changePassword(d, 'jdoe', { new_password: 'jdoe-password' }, { requireCurrent: false }));
    expect(weak.details).toMatchObject({ field: 'new_password', rules: ['character_classes', 'contains_uid'] });
    const missing = await rejects(changePassword(d, 'jdoe', { new_password: 'Another-Secret-7' }, { requireCurrent: true }));
    expect(missing.code).toBe('CURRENT_PASSWORD_REQUIRED');
    const wrong = await rejects(
      changePassword(d, 'jdoe', { current_password: 'nope', new_password: 'Another-Secret-7' }, { requireCurrent: true }),
    );
    expect(wrong.code).toBe('INVALID_CURRENT_PASSWORD');
    await changePassword(d, 'jdoe', { current_password: PW, new_password: 'Another-Secret-7' }, { requireCurrent: true });
    await expect(ldap.client.bind('uid=jdoe,ou=people,dc=example,dc=com', 'Another-Secret-7')).resolves.toBeUndefined();
  });

  it('locks with pwdAccountLockedTime (binds then fail as locked) and unlocks', async () => {
    const locked = await setLocked(d, 'jdoe', true);
    expect(locked.state).toEqual({ uid: 'jdoe', locked: true, locked_at: '2026-01-17T10:30:00Z' });
    const e = await rejects(ldap.client.authenticate('jdoe', 'Another-Secret-7'));
    expect(e.code).toBe('ACCOUNT_LOCKED');
    expect(await userView(d, await requireUser(d, 'jdoe'))).toMatchObject({ locked: true, locked_at: '2026-01-17T10:30:00Z' });
    expect((await setLocked(d, 'jdoe', false)).state).toEqual({ uid: 'jdoe', locked: false, locked_at: null });
    await expect(ldap.client.authenticate('jdoe', 'Another-Secret-7')).resolves.toMatchObject({ uid: 'jdoe' });
  });
});

describe('groups', () => {
  it('creates a groupOfNames + POSIX group with an allocated gidNumber and members by uid or DN', async () => {
    const { group } = await createGroup(d, {
      cn: 'developers',
      description: 'Development team',
      gidNumber: null,
      members: ['jdoe', 'uid=par1,ou=people,dc=example,dc=com'],
    });
    expect(group).toMatchObject({
      dn: 'cn=developers,ou=groups,dc=example,dc=com',
      objectClass: ['groupOfNames', 'apibibindPosixGroup'],
      gidNumber: 10001,
      members: [
        { uid: 'jdoe', cn: 'John M. Doe', dn: 'uid=jdoe,ou=people,dc=example,dc=com' },
        { uid: 'par1', cn: 'P 1', dn: 'uid=par1,ou=people,dc=example,dc=com' },
      ],
    });
    const entry = await ldap.client.get(group.dn, ['memberUid']);
    expect(entry?.attrs.memberUid?.sort()).toEqual(['jdoe', 'par1']);
  });

  it('names unknown members in a 400', async () => {
    const e = await rejects(changeMembers(d, 'developers', 'add', ['par2', 'ghost', 'uid=nobody,ou=people,dc=example,dc=com']));
    expect([e.status, e.code, e.details]).toEqual([
      400,
      'MEMBER_NOT_FOUND',
      { field: 'members', members: ['ghost', 'uid=nobody,ou=people,dc=example,dc=com'] },
    ]);
  });

  it('adds and removes members; an emptied group keeps its own DN as hidden placeholder', async () => {
    let { group } = await changeMembers(d, 'developers', 'add', ['par2']);
    expect((group.members as { uid: string }[]).map((m) => m.uid)).toEqual(['jdoe', 'par1', 'par2']);
    ({ group } = await changeMembers(d, 'developers', 'remove', ['jdoe', 'par1', 'par2']));
    expect(group.members).toEqual([]);
    const raw = await ldap.client.get(group.dn, ['member', 'memberUid']);
    expect(raw?.attrs.member).toEqual([group.dn]);
    expect(raw?.attrs.memberUid ?? []).toEqual([]);
    const listed = await listGroups(d, { limit: 10, offset: 0, filter: [] });
    expect(listed.data.find((g) => g.cn === 'developers')?.memberCount).toBe(0);
    ({ group } = await updateGroup(d, 'developers', { members: ['jdoe'], description: null }));
    expect(group.description).toBeUndefined();
    expect(group.members).toEqual([{ uid: 'jdoe', cn: 'John M. Doe', dn: 'uid=jdoe,ou=people,dc=example,dc=com' }]);
  });

  it('deleting a user removes its memberships', async () => {
    await createGroup(d, { cn: 'ops', members: ['jdoe', 'par3'] });
    await deleteUser(d, 'jdoe');
    expect(await findUser(d, 'jdoe')).toBeNull();
    const dev = await groupDetail(d, await requireGroup(d, 'developers'));
    expect(dev.members).toEqual([]);
    const ops = await groupDetail(d, await requireGroup(d, 'ops'));
    expect((ops.members as { uid: string }[]).map((m) => m.uid)).toEqual(['par3']);
    const raw = await ldap.client.get(dev.dn, ['memberUid']);
    expect(raw?.attrs.memberUid ?? []).toEqual([]);
  });
});

describe('password hashing and rules as configured (config store §15)', () => {
  const ARGON2_PREFIX = '{ARGON2}$argon2id$v=19$m=19456,t=2,p=1$';
  const stored = async (dn: string) => attrFirst((await ldap.client.get(dn, ['userPassword']))!, 'userPassword')!;

  it('password.hash=ARGON2: the user gets an {ARGON2} argon2id value slapd verifies on bind (login works, a wrong password does not)', async () => {
    await putConfig(dyn.db, 'password.hash', 'ARGON2', ldap.adminDn);
    try {
      const { user, changes } = await createUser(d, { uid: 'kdfuser', cn: 'Argon User', sn: 'User', userPassword: PW });
      expect(changes).toContainEqual({ attribute: 'userPassword', old: null, new: '[REDACTED]' });
      const value = await stored(user.dn);
      expect(value.startsWith(ARGON2_PREFIX)).toBe(true);
      expect(value).not.toContain(PW);
      await expect(ldap.client.bind(user.dn, PW)).resolves.toBeUndefined();
      await expect(ldap.client.authenticate('kdfuser', PW)).resolves.toMatchObject({ uid: 'kdfuser', dn: user.dn });
      expect((await rejects(ldap.client.authenticate('kdfuser', 'Wrong-Horse-42'))).code).toBe('INVALID_CREDENTIALS');

      // A change (self-service: the current one is checked by a bind) writes a new salted value.
      await changePassword(d, 'kdfuser', { current_password: PW, new_password: 'Argon-Next-Pass-7' }, { requireCurrent: true });
      const next = await stored(user.dn);
      expect([next.startsWith(ARGON2_PREFIX), next === value]).toEqual([true, false]);
      await expect(ldap.client.bind(user.dn, 'Argon-Next-Pass-7')).resolves.toBeUndefined();
      expect((await rejects(ldap.client.bind(user.dn, PW))).code).toBe('INVALID_CREDENTIALS');
    } finally {
      await resetConfig(dyn.db, 'password.hash');
    }
  });

  it('password.hash back to its default (SSHA512): the next change goes through Password Modify and slapd stores {SSHA512}', async () => {
    await changePassword(d, 'kdfuser', { new_password: 'Back-To-Sha-512x' }, { requireCurrent: false });
    expect(await stored('uid=kdfuser,ou=people,dc=example,dc=com')).toMatch(/^\{SSHA512\}/);
    await expect(ldap.client.bind('uid=kdfuser,ou=people,dc=example,dc=com', 'Back-To-Sha-512x')).resolves.toBeUndefined();
  });

  it('applies password.min_length and password.require_classes from the config store, listing the broken rules', async () => {
    await putConfig(dyn.db, 'password.min_length', 20, ldap.adminDn);
    await putConfig(dyn.db, 'password.require_classes', 4, ldap.adminDn);
    try {
      const e = await rejects(changePassword(d, 'kdfuser', { new_password: 'correct-horse-42' }, { requireCurrent: false }));
      expect([e.status, e.code, e.details]).toEqual([
        422,
        'PASSWORD_POLICY_VIOLATION',
        { field: 'new_password', rules: ['min_length', 'character_classes'] },
      ]);
      await changePassword(d, 'kdfuser', { new_password: 'Correct-Horse-Battery-42' }, { requireCurrent: false });
    } finally {
      await resetConfig(dyn.db, 'password.min_length');
      await resetConfig(dyn.db, 'password.require_classes');
    }
    // Back to the defaults (12 characters, 3 classes): the same short password passes.
    await changePassword(d, 'kdfuser', { new_password: 'Correct-Horse-42' }, { requireCurrent: false });
  });
});
