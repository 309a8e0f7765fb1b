/**
 * The store layer against a real DynamoDB API peer: dynalite started in-process on a free port, with the
 * application's table created by `ensureTable`. Every case uses its own keys, so cases are independent.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, RateLimitedError, UnprocessableError } from '../../lib/core/errors.js';
import { idempotencyStore } from '../../lib/store/idempotency.js';
import { getSession, putSession, revokeSession, rotateRefresh, type Session } from '../../lib/auth/sessions.js';
import { assertNotThrottled, clearFailures, recordFailure, type ThrottleSettings } from '../../lib/auth/throttle.js';
import { appendTaskLog, createTask, getTask, listTasksOf, readTaskLogs, updateTask, type Task } from '../../lib/tasks/task-store.js';
import { failTask, reportProgress, succeedTask } from '../../lib/tasks/workflows.js';
import { queryAudit, REDACTED, writeAudit, type NewAuditEvent } from '../../lib/audit/audit.js';
import { createApiKey, getApiKey, listApiKeys, markRevoked, verifyApiKey } from '../../lib/auth/api-keys.js';
import type { Db } from '../../lib/store/dynamo.js';
import type { HttpResult } from '../../lib/http/types.js';
import { startTestDynalite, type TestDynalite } from '../helpers/dynalite.js';

let dyn: TestDynalite;
let db: Db;

beforeAll(async () => {
  dyn = await startTestDynalite();
  db = dyn.db;
});

afterAll(async () => {
  await dyn?.stop();
});

const rawItem = async (pk: string, sk: string): Promise<Record<string, unknown> | undefined> =>
  (await db.doc.send(new GetCommand({ TableName: db.table, Key: { pk, sk }, ConsistentRead: true }))).Item;

const rejection = async (p: Promise<unknown>): Promise<unknown> => {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
};

// ---------------------------------------------------------------------------------------------------------
describe('idempotency store', () => {
  const scope = 'POST /api/v1/audit/exports uid=alice';
  const answer: HttpResult = { status: 202, body: { id: 'task-1', status: 'running' }, headers: { Location: '/api/v1/tasks/task-1' } };

  it('claims a fresh key on the first begin (no replay)', async () => {
    // Prepare
    const store = idempotencyStore(db);
    const key = randomUUID();
    // Act
    const out = await store.begin(scope, key, 'fingerprint-a');
    // Assess
    expect(out.replay).toBeUndefined();
  });

  it('replays the stored answer for the same key and fingerprint once completed', async () => {
    // Prepare
    const store = idempotencyStore(db);
    const key = randomUUID();
    await store.begin(scope, key, 'fingerprint-a');
    await store.complete(scope, key, answer);
    // Act
    const out = await store.begin(scope, key, 'fingerprint-a');
    // Assess
    expect(out.replay).toEqual(answer);
  });

  it('refuses the same key with another request fingerprint: 422 IDEMPOTENCY_KEY_REUSED', async () => {
    // Prepare
    const store = idempotencyStore(db);
    const key = randomUUID();
    await store.begin(scope, key, 'fingerprint-a');
    await store.complete(scope, key, answer);
    // Act
    const err = await rejection(store.begin(scope, key, 'fingerprint-b'));
    // Assess
    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('answers 409 IDEMPOTENCY_IN_PROGRESS while the first request is still running', async () => {
    // Prepare
    const store = idempotencyStore(db);
    const key = randomUUID();
    await store.begin(scope, key, 'fingerprint-a');
    // Act
    const err = await rejection(store.begin(scope, key, 'fingerprint-a'));
    // Assess
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ status: 409, code: 'IDEMPOTENCY_IN_PROGRESS' });
  });

  it('lets a retry claim the key again after release (the first attempt failed)', async () => {
    // Prepare
    const store = idempotencyStore(db);
    const key = randomUUID();
    await store.begin(scope, key, 'fingerprint-a');
    await store.release(scope, key);
    // Act
    const out = await store.begin(scope, key, 'fingerprint-b');
    // Assess
    expect(out.replay).toBeUndefined();
    await expect(store.begin(scope, key, 'fingerprint-b')).rejects.toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS' });
  });

  it('keeps keys of different scopes (callers) apart', async () => {
    // Prepare
    const store = idempotencyStore(db);
    const key = randomUUID();
    await store.begin(scope, key, 'fingerprint-a');
    // Act
    const other = await store.begin('POST /api/v1/audit/exports uid=bob', key, 'fingerprint-z');
    // Assess
    expect(other.replay).toBeUndefined();
  });

  it('lets a new request claim an expired record', async () => {
    // Prepare: records that expire at once
    const store = idempotencyStore(db, -1);
    const key = randomUUID();
    await store.begin(scope, key, 'fingerprint-a');
    await store.complete(scope, key, answer);
    // Act
    const out = await store.begin(scope, key, 'fingerprint-b');
    // Assess
    expect(out.replay).toBeUndefined();
  });

  it('lets exactly one of 10 concurrent begins with the same key claim it', async () => {
    // Prepare
    const store = idempotencyStore(db);
    const key = randomUUID();
    // Act
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => store.begin(scope, key, 'fingerprint-a')));
    // Assess
    const claimed = outcomes.filter((o) => o.status === 'fulfilled' && o.value.replay === undefined);
    const inProgress = outcomes.filter(
      (o) => o.status === 'rejected' && (o.reason as { code?: string }).code === 'IDEMPOTENCY_IN_PROGRESS',
    );
    expect(claimed).toHaveLength(1);
    expect(inProgress).toHaveLength(9);
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('sessions', () => {
  const newSession = (over: Partial<Session> = {}): Session => ({
    sid: randomUUID(),
    kind: 'user',
    dn: 'uid=alice,ou=people,dc=example,dc=com',
    uid: 'alice',
    groups: ['cn=devs,ou=groups,dc=example,dc=com'],
    status: 'active',
    refreshJti: 'jti-1',
    createdAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
    ...over,
  });

  it('rotates the refresh token once with the current jti and refuses its reuse', async () => {
    // Prepare
    const s = newSession();
    await putSession(db, s);
    // Act
    const first = await rotateRefresh(db, s.sid, 'jti-1', 'jti-2', ['cn=ops,ou=groups,dc=example,dc=com']);
    const reuse = await rotateRefresh(db, s.sid, 'jti-1', 'jti-3', []);
    // Assess
    expect(first).toBe(true);
    expect(reuse).toBe(false);
    const stored = await getSession(db, s.sid);
    expect(stored?.refreshJti).toBe('jti-2');
    expect(stored?.groups).toEqual(['cn=ops,ou=groups,dc=example,dc=com']);
  });

  it('accepts the next jti after a rotation (the chain goes on)', async () => {
    // Prepare
    const s = newSession();
    await putSession(db, s);
    await rotateRefresh(db, s.sid, 'jti-1', 'jti-2', s.groups);
    // Act
    const next = await rotateRefresh(db, s.sid, 'jti-2', 'jti-3', s.groups);
    // Assess
    expect(next).toBe(true);
    expect((await getSession(db, s.sid))?.refreshJti).toBe('jti-3');
  });

  it('lets exactly one of 10 concurrent rotations of the same jti win', async () => {
    // Prepare
    const s = newSession();
    await putSession(db, s);
    // Act
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => rotateRefresh(db, s.sid, 'jti-1', `next-${i}`, s.groups)));
    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await getSession(db, s.sid))?.refreshJti).toBe(`next-${winner}`);
  });

  it('refuses to create a second session with the same id', async () => {
    // Prepare
    const s = newSession();
    await putSession(db, s);
    // Act
    const err = await rejection(putSession(db, { ...s, dn: 'uid=mallory,ou=people,dc=example,dc=com' }));
    // Assess
    expect((err as Error).name).toBe('ConditionalCheckFailedException');
    expect((await getSession(db, s.sid))?.dn).toBe(s.dn);
  });

  it('marks a revoked session revoked with when and why, and refuses its rotation', async () => {
    // Prepare
    const s = newSession();
    await putSession(db, s);
    // Act
    await revokeSession(db, s.sid, 'logout');
    // Assess
    const stored = await getSession(db, s.sid);
    expect(stored?.status).toBe('revoked');
    expect(stored?.revokedReason).toBe('logout');
    expect(Date.parse(stored?.revokedAt ?? '')).not.toBeNaN();
    expect(await rotateRefresh(db, s.sid, 'jti-1', 'jti-2', s.groups)).toBe(false);
  });

  it('does not create a session when revoking an unknown one', async () => {
    // Prepare
    const sid = randomUUID();
    // Act
    await revokeSession(db, sid, 'logout');
    // Assess
    expect(await getSession(db, sid)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('login throttle', () => {
  const settings: ThrottleSettings = { max: 3, ipMax: 5, windowSeconds: 60 };
  const t0 = Date.UTC(2030, 0, 1, 12, 0, 0);

  it('counts failures per subject and answers 429 with retry_after once the maximum is reached', async () => {
    // Prepare
    const user = `user#${randomUUID()}`;
    for (let i = 0; i < 3; i++) await recordFailure(db, [user], settings, t0 + i * 1000);
    // Act
    const err = await rejection(assertNotThrottled(db, [user], settings, t0 + 10_000));
    // Assess
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ status: 429, code: 'RATE_LIMITED', details: { retry_after: 50 }, headers: { 'Retry-After': '50' } });
  });

  it('lets a subject below the maximum through', async () => {
    // Prepare
    const user = `user#${randomUUID()}`;
    for (let i = 0; i < 2; i++) await recordFailure(db, [user], settings, t0 + i);
    // Act + Assess
    await expect(assertNotThrottled(db, [user], settings, t0 + 100)).resolves.toBeUndefined();
  });

  it('keeps the counters of two users apart', async () => {
    // Prepare
    const alice = `user#${randomUUID()}`;
    const bob = `user#${randomUUID()}`;
    for (let i = 0; i < 3; i++) await recordFailure(db, [alice], settings, t0 + i);
    await recordFailure(db, [bob], settings, t0);
    // Act + Assess
    await expect(assertNotThrottled(db, [alice], settings, t0 + 100)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(assertNotThrottled(db, [bob], settings, t0 + 100)).resolves.toBeUndefined();
  });

  it('applies the separate, higher limit to a source IP', async () => {
    // Prepare: three users fail from one IP — each user under its own limit, the IP at 3 of 5
    const ip = `ip#${randomUUID()}`;
    for (let i = 0; i < 3; i++) await recordFailure(db, [`user#${randomUUID()}`, ip], settings, t0 + i);
    // Act + Assess
    await expect(assertNotThrottled(db, [ip], settings, t0 + 100)).resolves.toBeUndefined();
    for (let i = 0; i < 2; i++) await recordFailure(db, [`user#${randomUUID()}`, ip], settings, t0 + 10 + i);
    await expect(assertNotThrottled(db, [ip], settings, t0 + 100)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('resets once the window has passed', async () => {
    // Prepare
    const user = `user#${randomUUID()}`;
    for (let i = 0; i < 3; i++) await recordFailure(db, [user], settings, t0);
    await expect(assertNotThrottled(db, [user], settings, t0 + 59_000)).rejects.toBeInstanceOf(RateLimitedError);
    // Act: a failure after the window starts a new one
    const later = t0 + 61_000;
    await expect(assertNotThrottled(db, [user], settings, later)).resolves.toBeUndefined();
    await recordFailure(db, [user], settings, later);
    // Assess
    expect(await rawItem(`THROTTLE#${user}`, 'THROTTLE')).toMatchObject({ count: 1, windowStart: later });
    await expect(assertNotThrottled(db, [user], settings, later + 1000)).resolves.toBeUndefined();
  });

  it('forgets the failures of a subject on clearFailures (successful login)', async () => {
    // Prepare
    const user = `user#${randomUUID()}`;
    for (let i = 0; i < 3; i++) await recordFailure(db, [user], settings, t0);
    // Act
    await clearFailures(db, user);
    // Assess
    await expect(assertNotThrottled(db, [user], settings, t0 + 1000)).resolves.toBeUndefined();
  });

  it('counts concurrent failures without losing any', async () => {
    // Prepare
    const user = `user#${randomUUID()}`;
    await recordFailure(db, [user], settings, t0);
    // Act
    await Promise.all(Array.from({ length: 9 }, () => recordFailure(db, [user], settings, t0 + 10)));
    // Assess
    expect(await rawItem(`THROTTLE#${user}`, 'THROTTLE')).toMatchObject({ count: 10 });
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('tasks', () => {
  const owner = () => `uid=${randomUUID()},ou=people,dc=example,dc=com`;
  const newTask = (over: Partial<Task> = {}): Task => {
    const now = new Date().toISOString();
    return {
      id: randomUUID(),
      type: 'audit-export',
      status: 'running',
      progress: 0,
      owner: owner(),
      created_at: now,
      updated_at: now,
      ...over,
    };
  };

  it('records progress and step of a running task', async () => {
    // Prepare
    const t = newTask();
    await createTask(db, t);
    // Act
    const alive = await reportProgress(db, t.id, { progress: 42.4, step: 'export', message: 'Exported 42 events' });
    // Assess
    expect(alive).toBe(true);
    expect(await getTask(db, t.id)).toMatchObject({ status: 'running', progress: 42, step: 'export' });
  });

  it('keeps a cancelled task cancelled when a late step reports progress', async () => {
    // Prepare
    const t = newTask();
    await createTask(db, t);
    await updateTask(db, t.id, { status: 'cancelled', ended_at: new Date().toISOString() });
    // Act
    const alive = await reportProgress(db, t.id, { progress: 80, step: 'export' });
    // Assess
    expect(alive).toBe(false);
    expect(await getTask(db, t.id)).toMatchObject({ status: 'cancelled', progress: 0 });
  });

  it('keeps a cancelled task cancelled when a late step reports success or failure', async () => {
    // Prepare
    const t = newTask();
    await createTask(db, t);
    await updateTask(db, t.id, { status: 'cancelled' });
    // Act
    await succeedTask(db, t.id, { rows: 12 });
    await failTask(db, t.id, { code: 'LATE', message: 'late failure' });
    // Assess
    const after = await getTask(db, t.id);
    expect(after.status).toBe('cancelled');
    expect(after.result).toBeUndefined();
    expect(after.error).toBeUndefined();
  });

  it('never turns a succeeded task into a failed one', async () => {
    // Prepare
    const t = newTask();
    await createTask(db, t);
    await succeedTask(db, t.id, { rows: 3 });
    // Act
    const changed = await updateTask(db, t.id, { status: 'failed' });
    await failTask(db, t.id, { code: 'LATE', message: 'late failure' });
    // Assess
    expect(changed).toBe(false);
    expect(await getTask(db, t.id)).toMatchObject({ status: 'succeeded', progress: 100, result: { rows: 3 } });
  });

  it('refuses to create a task whose id exists', async () => {
    // Prepare
    const t = newTask();
    await createTask(db, t);
    // Act
    const err = await rejection(createTask(db, { ...t, owner: 'uid=mallory,ou=people,dc=example,dc=com' }));
    // Assess
    expect((err as Error).name).toBe('ConditionalCheckFailedException');
    expect((await getTask(db, t.id)).owner).toBe(t.owner);
  });

  it('answers TASK_NOT_FOUND for an unknown task, and updates nothing', async () => {
    // Prepare
    const id = randomUUID();
    // Act
    const changed = await updateTask(db, id, { progress: 5 });
    // Assess
    expect(changed).toBe(false);
    await expect(getTask(db, id)).rejects.toMatchObject({ status: 404, code: 'TASK_NOT_FOUND' });
  });

  it('returns log lines in the order they were written, with total and offset', async () => {
    // Prepare
    const t = newTask();
    await createTask(db, t);
    for (let i = 0; i < 25; i++) await appendTaskLog(db, t.id, { level: i % 2 ? 'warn' : 'info', message: `line ${i}`, step: 'export' });
    // Act
    const all = await readTaskLogs(db, t.id, 100, 0);
    const page = await readTaskLogs(db, t.id, 5, 10);
    // Assess
    expect(all.total).toBe(25);
    expect(all.data.map((l) => l.message)).toEqual(Array.from({ length: 25 }, (_, i) => `line ${i}`));
    expect(page.total).toBe(25);
    expect(page.data.map((l) => l.message)).toEqual(['line 10', 'line 11', 'line 12', 'line 13', 'line 14']);
  });

  it('lists the tasks of one owner newest first, without other owners’ tasks', async () => {
    // Prepare: created out of order
    const me = owner();
    const at = (d: number) => new Date(Date.UTC(2030, 0, d)).toISOString();
    for (const d of [3, 1, 5, 2, 4]) await createTask(db, newTask({ owner: me, created_at: at(d), id: `t-${d}-${randomUUID()}` }));
    await createTask(db, newTask({ created_at: at(6) }));
    // Act
    const all = await listTasksOf(db, me, 10, 0);
    const page = await listTasksOf(db, me, 2, 1);
    // Assess
    expect(all.total).toBe(5);
    expect(all.data.map((t) => t.created_at)).toEqual([at(5), at(4), at(3), at(2), at(1)]);
    expect(all.data.every((t) => t.owner === me)).toBe(true);
    expect(page.data.map((t) => t.created_at)).toEqual([at(4), at(3)]);
    expect(all.data[0]).not.toHaveProperty('gsi1pk');
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('audit log', () => {
  const event = (over: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
    category: 'mutation',
    action: 'user:update',
    actor: 'uid=admin,ou=people,dc=example,dc=com',
    target: 'uid=alice,ou=people,dc=example,dc=com',
    result: 'success',
    ...over,
  });

  it('redacts secret attributes in changes and details, in the stored item too', async () => {
    // Prepare
    const input = event({
      changes: [
        { attribute: 'userPassword', old: '{SSHA}old-hash', new: 'new-clear-password' },
        { attribute: 'secret', old: null, new: 'sk_top_secret' },
        { attribute: 'mail', old: 'a@example.com', new: 'b@example.com' },
      ],
      details: { token: 'eyJhbGciOi.secret.jwt', client_secret: 'cs-123', password: 'p4ss', reason: 'self-service' },
    });
    // Act
    const written = await writeAudit(db, input);
    // Assess
    const stored = await rawItem(`AUDIT#${written.timestamp.slice(0, 7)}`, `${written.timestamp}#${written.id}`);
    for (const e of [written, stored as unknown as typeof written]) {
      expect(e.changes).toEqual([
        { attribute: 'userPassword', old: REDACTED, new: REDACTED },
        { attribute: 'secret', old: null, new: REDACTED },
        { attribute: 'mail', old: 'a@example.com', new: 'b@example.com' },
      ]);
      expect(e.details).toEqual({ token: REDACTED, client_secret: REDACTED, password: REDACTED, reason: 'self-service' });
    }
    const text = JSON.stringify(stored);
    for (const secret of ['new-clear-password', '{SSHA}old-hash', 'sk_top_secret', 'eyJhbGciOi.secret.jwt', 'cs-123', 'p4ss']) {
      expect(text).not.toContain(secret);
    }
  });

  it('redacts secrets nested inside details', async () => {
    // Prepare
    const input = event({ details: { request: { body: { uid: 'alice', password: 'nested-clear-password' } } } });
    // Act
    const written = await writeAudit(db, input);
    // Assess
    const stored = await rawItem(`AUDIT#${written.timestamp.slice(0, 7)}`, `${written.timestamp}#${written.id}`);
    expect(JSON.stringify(stored)).not.toContain('nested-clear-password');
    expect(JSON.stringify(stored)).toContain('alice');
  });

  describe('queries over two months', () => {
    // A dedicated past window (no other case writes there): Jan/Feb 2021.
    const ts = (iso: string) => ({ timestamp: iso });
    const admin = 'uid=admin,ou=people,dc=example,dc=com';
    const bob = 'uid=bob,ou=people,dc=example,dc=com';
    const seeded: { id: string; timestamp: string }[] = [];

    beforeAll(async () => {
      const events: NewAuditEvent[] = [
        event({ ...ts('2021-01-20T08:00:00.000Z'), action: 'user:create' }),
        event({
          ...ts('2021-01-25T08:00:00.000Z'),
          category: 'authentication',
          action: 'login',
          actor: bob,
          target: bob,
          result: 'failure',
        }),
        event({ ...ts('2021-01-31T23:59:59.999Z'), action: 'user:update' }),
        event({ ...ts('2021-02-01T00:00:00.000Z'), category: 'authorization', action: 'task:read', actor: bob, result: 'denied' }),
        event({ ...ts('2021-02-03T10:00:00.000Z'), action: 'user:update', target: 'uid=carol,ou=people,dc=example,dc=com' }),
        event({ ...ts('2021-02-10T10:00:00.000Z'), category: 'authentication', action: 'login', actor: admin, target: admin }),
        event({ ...ts('2021-03-05T10:00:00.000Z'), action: 'user:update' }),
      ];
      for (const e of events) seeded.push(await writeAudit(db, e));
    });

    const window = { from: '2021-01-15T00:00:00.000Z', to: '2021-02-28T00:00:00.000Z' };

    it('reads both months of the window, newest first, and nothing outside it', async () => {
      // Act
      const out = await queryAudit(db, { ...window, limit: 50, offset: 0 });
      // Assess
      expect(out.total).toBe(6);
      expect(out.data.map((e) => e.timestamp)).toEqual([
        '2021-02-10T10:00:00.000Z',
        '2021-02-03T10:00:00.000Z',
        '2021-02-01T00:00:00.000Z',
        '2021-01-31T23:59:59.999Z',
        '2021-01-25T08:00:00.000Z',
        '2021-01-20T08:00:00.000Z',
      ]);
      expect(out.data[0]).not.toHaveProperty('pk');
    });

    it('honours from and to bounds inside a month', async () => {
      // Act
      const out = await queryAudit(db, { from: '2021-01-25T08:00:00.000Z', to: '2021-02-01T00:00:00.000Z', limit: 50, offset: 0 });
      // Assess
      expect(out.data.map((e) => e.timestamp)).toEqual([
        '2021-02-01T00:00:00.000Z',
        '2021-01-31T23:59:59.999Z',
        '2021-01-25T08:00:00.000Z',
      ]);
    });

    it('filters by action', async () => {
      const out = await queryAudit(db, { ...window, action: 'user:update', limit: 50, offset: 0 });
      expect(out.total).toBe(2);
      expect(out.data.every((e) => e.action === 'user:update')).toBe(true);
    });

    it('filters by actor', async () => {
      const out = await queryAudit(db, { ...window, actor: bob, limit: 50, offset: 0 });
      expect(out.data.map((e) => e.action)).toEqual(['task:read', 'login']);
    });

    it('filters by target', async () => {
      const out = await queryAudit(db, { ...window, target: 'uid=carol,ou=people,dc=example,dc=com', limit: 50, offset: 0 });
      expect(out.data.map((e) => e.timestamp)).toEqual(['2021-02-03T10:00:00.000Z']);
    });

    it('filters by categories (security log: authentication + authorization)', async () => {
      const out = await queryAudit(db, { ...window, categories: ['authentication', 'authorization'], limit: 50, offset: 0 });
      expect(out.total).toBe(3);
      expect(out.data.map((e) => e.category)).toEqual(['authentication', 'authorization', 'authentication']);
    });

    it('combines filters', async () => {
      const out = await queryAudit(db, { ...window, categories: ['authentication'], actor: bob, limit: 50, offset: 0 });
      expect(out.data).toHaveLength(1);
      expect(out.data[0]).toMatchObject({ action: 'login', actor: bob, result: 'failure' });
    });

    it('paginates across the month boundary with the full total', async () => {
      // Act
      const first = await queryAudit(db, { ...window, limit: 2, offset: 0 });
      const second = await queryAudit(db, { ...window, limit: 2, offset: 2 });
      const third = await queryAudit(db, { ...window, limit: 2, offset: 4 });
      const past = await queryAudit(db, { ...window, limit: 2, offset: 6 });
      // Assess
      expect([first.total, second.total, third.total, past.total]).toEqual([6, 6, 6, 6]);
      expect(second.data.map((e) => e.timestamp)).toEqual(['2021-02-01T00:00:00.000Z', '2021-01-31T23:59:59.999Z']);
      const ids = [...first.data, ...second.data, ...third.data].map((e) => e.id);
      expect(new Set(ids).size).toBe(6);
      expect(past.data).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
describe('API keys', () => {
  const owner = 'uid=alice,ou=people,dc=example,dc=com';

  it('verifies the secret shown at creation and records the last use', async () => {
    // Prepare
    const { apiKey, secret } = await createApiKey(db, { name: 'ci', owner, owner_uid: 'alice', scopes: ['task:r'] });
    // Act
    const verified = await verifyApiKey(db, apiKey.id, secret);
    // Assess
    expect(apiKey.id).toMatch(/^ak_[0-9a-f]{24}$/);
    expect(secret).toMatch(/^sk_/);
    expect(verified).toMatchObject({ id: apiKey.id, owner, scopes: ['task:r'] });
    expect(verified).not.toHaveProperty('secretHash');
    expect((await getApiKey(db, apiKey.id))?.last_used_at).toBeDefined();
  });

  it('refuses a wrong secret, an unknown key and a malformed id', async () => {
    // Prepare
    const { apiKey, secret } = await createApiKey(db, { name: 'ci', owner, owner_uid: 'alice' });
    // Act + Assess
    expect(await verifyApiKey(db, apiKey.id, `${secret}x`)).toBeUndefined();
    expect(await verifyApiKey(db, apiKey.id, '')).toBeUndefined();
    expect(await verifyApiKey(db, 'ak_000000000000000000000000', secret)).toBeUndefined();
    expect(await verifyApiKey(db, 'not-a-key', secret)).toBeUndefined();
    expect((await getApiKey(db, apiKey.id))?.last_used_at).toBeUndefined();
  });

  it('refuses a revoked key', async () => {
    // Prepare
    const { apiKey, secret } = await createApiKey(db, { name: 'ci', owner, owner_uid: 'alice' });
    // Act
    const revoked = await markRevoked(db, apiKey.id);
    // Assess
    expect(revoked.revoked_at).toBeDefined();
    expect(await verifyApiKey(db, apiKey.id, secret)).toBeUndefined();
  });

  it('refuses an expired key and accepts one expiring later', async () => {
    // Prepare
    const expired = await createApiKey(db, {
      name: 'old',
      owner,
      owner_uid: 'alice',
      expires_at: new Date(Date.now() - 1000).toISOString(),
    });
    const valid = await createApiKey(db, {
      name: 'new',
      owner,
      owner_uid: 'alice',
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    // Act + Assess
    expect(await verifyApiKey(db, expired.apiKey.id, expired.secret)).toBeUndefined();
    expect(await verifyApiKey(db, valid.apiKey.id, valid.secret)).toMatchObject({ id: valid.apiKey.id });
  });

  it('answers API_KEY_NOT_FOUND when revoking an unknown key', async () => {
    await expect(markRevoked(db, 'ak_ffffffffffffffffffffffff')).rejects.toMatchObject({ status: 404, code: 'API_KEY_NOT_FOUND' });
  });

  it('never stores the secret in clear', async () => {
    // Prepare
    const { apiKey, secret } = await createApiKey(db, { name: 'ci', owner, owner_uid: 'alice' });
    // Act
    const item = await rawItem(`APIKEY#${apiKey.id}`, 'APIKEY');
    // Assess
    expect(item).toBeDefined();
    const text = JSON.stringify(item);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(3));
    expect(Object.values(item!)).not.toContain(secret);
    expect(typeof item!.secretHash).toBe('string');
    expect(item!.secretHash).not.toBe(secret);
  });

  it('lists the keys of their owner only, newest first, without hashes', async () => {
    // Prepare
    const me = `uid=${randomUUID()},ou=people,dc=example,dc=com`;
    const a = await createApiKey(db, { name: 'first', owner: me, owner_uid: 'me' });
    await new Promise((r) => setTimeout(r, 5));
    const b = await createApiKey(db, { name: 'second', owner: me, owner_uid: 'me' });
    await createApiKey(db, { name: 'other', owner, owner_uid: 'alice' });
    // Act
    const keys = await listApiKeys(db, me);
    // Assess
    expect(keys.map((k) => k.id)).toEqual([b.apiKey.id, a.apiKey.id]);
    expect(keys.some((k) => 'secretHash' in k)).toBe(false);
  });
});
