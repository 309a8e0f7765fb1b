import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDynalite, type TestDynalite } from '../helpers/dynalite.js';
import { issueAccessToken } from '../helpers/tokens.js';
import { generatePrivateJwk } from '../../lib/auth/keys.js';
import { ACL_CACHE_MAX_AGE_MS, createAclSource } from '../../lib/acl/acl-source.js';
import { bumpAclVersion, insertAssignment, insertRole, removeAssignment } from '../../lib/acl-admin/store.js';
import type { Platform } from '../../lib/platform.js';

/**
 * Each container keeps its copy of the ACL while the version counter (read in the same round trip as the
 * session) stays: two platforms on one table stand for two Lambda containers.
 */
let dyn: TestDynalite;
let a: Platform;
let b: Platform;
let guestToken: string;
const BASE = 'dc=example,dc=com';
const GUEST = `uid=guest1,ou=people,${BASE}`;
const CREATE_USER = { action: 'create', objectType: 'user', objectDn: `ou=people,${BASE}` } as const;

/** Authenticates the token on `p` and asks the engine, as a request does; counts the ACL partition's loads. */
async function allowedOn(p: Platform, token: string): Promise<boolean> {
  const actor = await p.http.authenticate(token, { sourceIp: '127.0.0.1', requestId: 't' });
  return (await p.authorize(actor, CREATE_USER)).allowed;
}
const loads = new Map<Platform, number>();
function countLoads(p: Platform) {
  const items = p.db.items.bind(p.db);
  loads.set(p, 0);
  p.db.items = (input) => {
    if (input.ExpressionAttributeValues?.[':pk'] === 'ACL') loads.set(p, loads.get(p)! + 1);
    return items(input);
  };
}

const role = { id: 'cache-creators', name: 'cache-creators', permissions: ['user:c'] };
const assignment = {
  id: 'cache-guest-creates',
  roleId: role.id,
  subject: { type: 'user' as const, dn: GUEST },
  scope: { type: 'subtree' as const },
  priority: 10,
  deny: false,
};

beforeAll(async () => {
  dyn = await startTestDynalite();
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: dyn.url,
    TABLE_NAME: dyn.table,
    LDAP_BASE_DN: BASE,
    JWT_PRIVATE_JWKS: JSON.stringify([await generatePrivateJwk()]),
    LOG_LEVEL: 'SILENT',
  });
  const { resetConfig, config } = await import('../../lib/core/config.js');
  resetConfig();
  const { buildPlatform } = await import('../../lib/platform.js');
  [a, b] = await Promise.all([buildPlatform(config()), buildPlatform(config())]);
  countLoads(a);
  countLoads(b);
  guestToken = await issueAccessToken(a, GUEST);
});

afterAll(async () => {
  await dyn?.stop();
});

describe('the ACL copy of a container', () => {
  it('is loaded once and reused while nothing changes', async () => {
    expect(await allowedOn(b, guestToken)).toBe(false);
    const before = loads.get(b)!;
    for (let i = 0; i < 5; i++) expect(await allowedOn(b, guestToken)).toBe(false);
    expect(loads.get(b)).toBe(before);
  });

  it('sees a role assigned through another container on its next request, and its removal too', async () => {
    expect(await allowedOn(a, guestToken)).toBe(false);
    expect(await allowedOn(b, guestToken)).toBe(false);
    const at = new Date().toISOString();
    expect(await insertRole(a.db, { role, version: 1, refs: 1, created_at: at })).toBe(true);
    expect(await insertAssignment(a.db, { assignment, version: 1, created_at: at })).toBe(true);
    const before = loads.get(b)!;
    expect(await allowedOn(b, guestToken)).toBe(true);
    expect(loads.get(b)).toBe(before + 1);
    expect(await allowedOn(a, guestToken)).toBe(true);

    expect(await removeAssignment(a.db, assignment.id, 1)).toBe(true);
    expect(await allowedOn(b, guestToken)).toBe(false);
    expect(await allowedOn(a, guestToken)).toBe(false);
  });

  it('still sees a session revoked at once (the session is read on every request)', async () => {
    const token = await issueAccessToken(a, GUEST);
    await allowedOn(b, token);
    const { revokeSession } = await import('../../lib/auth/sessions.js');
    const { verifyToken } = await import('../../lib/auth/tokens.js');
    await revokeSession(a.db, (await verifyToken(a.ring, a.tokens, token, 'access')).sid, 'logout');
    await expect(allowedOn(b, token)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
  });
});

describe('createAclSource().at', () => {
  it('reloads when the version moves, and after ACL_CACHE_MAX_AGE_MS even if an increment was lost', async () => {
    let now = 1_000_000;
    let loadCount = 0;
    const counted = { ...dyn.db, items: (input: Parameters<typeof dyn.db.items>[0]) => (loadCount++, dyn.db.items(input)) };
    const source = createAclSource(counted, { bootstrapAdminDn: `uid=admin,ou=people,${BASE}`, now: () => now });
    const ids = async (v: number) => (await source.at(v)).assignments.map((x) => x.id);
    const first = await ids(7);
    expect(first).not.toContain('cache-lost-increment');
    // A write whose increment never happened (a crash between the two writes): the copy stays…
    await dyn.db.put({
      TableName: dyn.table,
      Item: { pk: 'ACL', sk: 'ASSIGNMENT#cache-lost-increment', assignment: { ...assignment, id: 'cache-lost-increment' } },
    });
    now += ACL_CACHE_MAX_AGE_MS - 1;
    expect(await ids(7)).toEqual(first);
    // …until it is too old,
    now += 1;
    expect(await ids(7)).toContain('cache-lost-increment');
    // and a new version is always read again.
    await dyn.db.delete({ TableName: dyn.table, Key: { pk: 'ACL', sk: 'ASSIGNMENT#cache-lost-increment' } });
    expect(await ids(7)).toContain('cache-lost-increment');
    expect(await ids(8)).not.toContain('cache-lost-increment');
    // An older version answered late does not replace the newer copy.
    await dyn.db.put({
      TableName: dyn.table,
      Item: { pk: 'ACL', sk: 'ASSIGNMENT#cache-lost-increment', assignment: { ...assignment, id: 'cache-lost-increment' } },
    });
    expect(await ids(7)).toContain('cache-lost-increment');
    expect(await ids(8)).not.toContain('cache-lost-increment'); // the copy at 8, not read again
    // A counter that went back (a restored table) is followed once the newer copy has aged out.
    now += ACL_CACHE_MAX_AGE_MS;
    const loadsBefore = loadCount;
    expect(await ids(3)).toContain('cache-lost-increment');
    expect(await ids(3)).toContain('cache-lost-increment');
    expect(loadCount).toBe(loadsBefore + 1);
    await dyn.db.delete({ TableName: dyn.table, Key: { pk: 'ACL', sk: 'ASSIGNMENT#cache-lost-increment' } });
  });

  it('counts every increment atomically', async () => {
    const read = async () => Number((await dyn.db.get({ TableName: dyn.table, Key: { pk: 'ACL', sk: 'VERSION' } })).Item?.v ?? 0);
    const before = await read();
    await Promise.all(Array.from({ length: 10 }, () => bumpAclVersion(dyn.db)));
    expect(await read()).toBe(before + 10);
  });
});
