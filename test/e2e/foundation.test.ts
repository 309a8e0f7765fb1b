import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'ldapts';
import { client, startDevStack, type DevStack } from '../helpers/dev-stack.js';
import { sshaHash } from '../../local/slapd/slapd.js';

/**
 * The foundation, driven over HTTP against the stack as `npm run dev` starts it: real slapd, dynalite, the
 * Step Functions and SQS emulators and serverless offline.
 */
let stack: DevStack;
let call: ReturnType<typeof client>;
let adminToken: string;
const GUEST = { uid: 'jdoe', password: 'Jdoe-Secret-42' };

async function addUser(uid: string, password: string) {
  const ldap = new Client({ url: stack.ldapUrl });
  await ldap.bind('cn=admin,dc=example,dc=com', stack.ldapBindPassword);
  await ldap.add(`uid=${uid},ou=people,dc=example,dc=com`, {
    objectClass: ['inetOrgPerson'],
    uid,
    cn: 'John Doe',
    sn: 'Doe',
    mail: `${uid}@example.com`,
    userPassword: sshaHash(password),
  });
  await ldap.unbind();
}

async function login(username: string, password: string) {
  return call('POST', '/auth/login', { body: { username, password } });
}

async function waitTask(
  token: string,
  id: string,
  until: (s: string) => boolean = (s) => ['succeeded', 'failed', 'cancelled'].includes(s),
) {
  for (let i = 0; i < 200; i++) {
    const r = await call('GET', `/tasks/${id}`, { token });
    if (until(r.json.status)) return r.json;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`task ${id} did not finish`);
}

beforeAll(async () => {
  stack = await startDevStack({ LOGIN_MAX_FAILURES: '3' });
  call = client(stack.api);
  await addUser(GUEST.uid, GUEST.password);
  const res = await login('admin', stack.adminPassword);
  adminToken = res.json.access_token;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('platform endpoints', () => {
  it('reports every dependency healthy with its latency', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.json.status).toBe('healthy');
    for (const dep of ['ldap', 'database', 'workflows']) {
      expect(res.json.checks[dep].status).toBe('up');
      expect(typeof res.json.checks[dep].latency_ms).toBe('number');
    }
  });

  it('answers info, the JWKS and an OpenAPI document listing every route', async () => {
    const info = await call('GET', '/info');
    expect(info.json).toMatchObject({ name: 'ApiBibind', api_version: 'v1', ldap_base: 'dc=example,dc=com' });
    expect(info.json.plugins).toEqual(expect.arrayContaining(['core', 'posix', 'ssh', 'sudo', 'dns', 'dhcp', 'mail']));
    const jwks = (await fetch(stack.api.replace('/api/v1', '/.well-known/jwks.json')).then((r) => r.json())) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys[0]!).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(jwks.keys[0]!.d).toBeUndefined();
    const doc = await call('GET', '/openapi.json');
    expect(doc.json.openapi).toBe('3.1.0');
    for (const p of [
      '/api/v1/auth/login',
      '/api/v1/auth/me',
      '/api/v1/tasks/{id}',
      '/api/v1/audit/logs',
      '/api/v1/logs/security',
      '/api/v1/authenticate',
      '/api/v1/token/validate',
    ]) {
      expect(Object.keys(doc.json.paths)).toContain(p);
    }
    const docs = await call('GET', '/docs');
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(docs.text).toContain('/api/v1/auth/login');
  });

  it('answers unknown routes, wrong methods and bad bodies in the error envelope', async () => {
    const missing = await call('GET', '/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('ROUTE_NOT_FOUND');
    const wrong = await call('DELETE', '/auth/me');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toContain('GET');
    const malformed = await call('POST', '/auth/login', { raw: '{"username":' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe('MALFORMED_JSON');
    const missingField = await call('POST', '/auth/login', { body: { username: 'admin' }, headers: { 'accept-language': 'fr' } });
    expect(missingField.status).toBe(400);
    expect(missingField.json.error.details.fields[0].field).toBe('body.password');
    expect(missingField.json.error.message).toContain('validation de la requête');
    const form = await call('POST', '/auth/login', { raw: 'a=b', headers: { 'content-type': 'text/plain' } });
    expect(form.status).toBe(415);
  });
});

describe('authentication', () => {
  it('logs in against slapd and answers the user and tokens', async () => {
    const res = await login('admin', stack.adminPassword);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ token_type: 'bearer', user: { dn: 'uid=admin,ou=people,dc=example,dc=com', uid: 'admin' } });
    expect(res.json.expires_in).toBeGreaterThan(0);
  });

  it('refuses a wrong password with INVALID_CREDENTIALS and throttles repeated failures', async () => {
    const wrong = await login(GUEST.uid, 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.text).not.toContain('not-the-password');
    await login(GUEST.uid, 'nope-2');
    await login(GUEST.uid, 'nope-3');
    const throttled = await login(GUEST.uid, GUEST.password);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers /auth/me with the admin permissions', async () => {
    const me = await call('GET', '/auth/me', { token: adminToken });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ uid: 'admin', cn: 'Administrator', mail: 'admin@example.com' });
    expect(me.json.permissions).toContain('user:write');
    expect(me.json.permissions).toContain('audit:read');
  });

  it('rotates refresh tokens once and revokes the family on reuse', async () => {
    const first = await login('admin', stack.adminPassword);
    const rotated = await call('POST', '/auth/refresh', { body: { refresh_token: first.json.refresh_token } });
    expect(rotated.status).toBe(200);
    expect((await call('GET', '/auth/me', { token: rotated.json.access_token })).status).toBe(200);
    const reuse = await call('POST', '/auth/refresh', { body: { refresh_token: first.json.refresh_token } });
    expect(reuse.status).toBe(401);
    expect(reuse.json.error.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await call('GET', '/auth/me', { token: rotated.json.access_token })).status).toBe(401);
    expect((await call('POST', '/auth/refresh', { body: { refresh_token: rotated.json.refresh_token } })).status).toBe(401);
  });

  it('refuses the access token right after logout', async () => {
    const s = await login('admin', stack.adminPassword);
    expect((await call('POST', '/auth/logout', { token: s.json.access_token })).status).toBe(204);
    const after = await call('GET', '/auth/me', { token: s.json.access_token });
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('TOKEN_REVOKED');
  });

  it('issues API keys, authenticates machine clients and revokes them at once', async () => {
    const created = await call('POST', '/api-keys', { token: adminToken, body: { name: 'ci', scopes: ['audit:r'] } });
    expect(created.status).toBe(201);
    expect(created.json.secret).toMatch(/^sk_/);
    const listed = await call('GET', '/api-keys', { token: adminToken });
    expect(listed.json.data.find((k: { id: string }) => k.id === created.json.id)).toBeDefined();
    expect(listed.text).not.toContain(created.json.secret);
    const bad = await call('POST', '/authenticate', { body: { key: created.json.key, secret: 'sk_wrong' } });
    expect(bad.status).toBe(401);
    const auth = await call('POST', '/authenticate', { body: { key: created.json.key, secret: created.json.secret } });
    expect(auth.status).toBe(200);
    const validation = await call('GET', '/token/validate', { token: auth.json.access_token });
    expect(validation.json).toMatchObject({
      active: true,
      sub: 'uid=admin,ou=people,dc=example,dc=com',
      kind: 'api-key',
      scopes: ['audit:r'],
    });
    // The key's scopes narrow its owner's rights: reading audit works, creating keys does not.
    expect((await call('GET', '/audit/logs?limit=1', { token: auth.json.access_token })).status).toBe(200);
    expect((await call('POST', '/api-keys', { token: auth.json.access_token, body: { name: 'x' } })).status).toBe(403);
    expect((await call('DELETE', `/api-keys/${created.json.id}`, { token: adminToken })).status).toBe(204);
    expect((await call('GET', '/token/validate', { token: auth.json.access_token })).json.active).toBe(false);
    expect((await call('GET', '/audit/logs?limit=1', { token: auth.json.access_token })).status).toBe(401);
    expect((await call('POST', '/authenticate', { body: { key: created.json.key, secret: created.json.secret } })).status).toBe(401);
  });
});

describe('authorization and audit', () => {
  it('denies a guest the audit log with 403 and records the denial in the security log', async () => {
    // The throttle test locked jdoe's login window: log in through a fresh user instead.
    await addUser('asmith', 'Asmith-Secret-42');
    const guest = await login('asmith', 'Asmith-Secret-42');
    expect(guest.status).toBe(200);
    const denied = await call('GET', '/audit/logs', { token: guest.json.access_token });
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('FORBIDDEN');
    const me = await call('GET', '/auth/me', { token: guest.json.access_token });
    expect(me.json.permissions).not.toContain('audit:read');
    const security = await call('GET', '/logs/security?limit=200', { token: adminToken });
    const actions = security.json.data.map((e: { action: string; result: string; actor: string }) => `${e.action}/${e.result}/${e.actor}`);
    expect(actions).toContain('audit:read/denied/uid=asmith,ou=people,dc=example,dc=com');
    expect(actions).toContain('login/failure/jdoe');
    expect(security.json.data.every((e: { category: string }) => e.category !== 'mutation')).toBe(true);
  });

  it('filters audit logs by action and actor with pagination', async () => {
    const res = await call('GET', '/audit/logs?action=login&limit=2&offset=0', { token: adminToken });
    expect(res.status).toBe(200);
    expect(res.json.data.length).toBe(2);
    expect(res.json.data.every((e: { action: string }) => e.action === 'login')).toBe(true);
    expect(res.json.pagination).toMatchObject({ limit: 2, offset: 0, has_more: true });
    const bad = await call('GET', '/audit/logs?from=yesterday', { token: adminToken });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.fields[0].field).toBe('query.from');
  });

  it('records API key creation with the secret redacted', async () => {
    await call('POST', '/api-keys', { token: adminToken, body: { name: 'audited' } });
    const res = await call('GET', '/audit/logs?action=api-key.create&limit=1', { token: adminToken });
    const changes = res.json.data[0].changes as { attribute: string; new: unknown }[];
    expect(changes.find((c) => c.attribute === 'secret')?.new).toBe('[REDACTED]');
    expect(res.text).not.toMatch(/sk_[A-Za-z0-9_-]{20,}/);
  });
});

describe('tasks: the audit export workflow', () => {
  it('exports the audit log through a state machine and serves the file', async () => {
    const res = await call('POST', '/audit/exports', {
      token: adminToken,
      body: { format: 'csv', action: 'login' },
      headers: { 'idempotency-key': 'export-1' },
    });
    expect(res.status).toBe(202);
    expect(res.json.task.href).toBe(`/api/v1/tasks/${res.json.task.id}`);
    expect(res.headers.get('location')).toBe(res.json.task.href);
    const again = await call('POST', '/audit/exports', {
      token: adminToken,
      body: { format: 'csv', action: 'login' },
      headers: { 'idempotency-key': 'export-1' },
    });
    expect(again.json.task.id).toBe(res.json.task.id);
    const reused = await call('POST', '/audit/exports', {
      token: adminToken,
      body: { format: 'json' },
      headers: { 'idempotency-key': 'export-1' },
    });
    expect(reused.status).toBe(422);

    const task = await waitTask(adminToken, res.json.task.id);
    expect(task).toMatchObject({ status: 'succeeded', progress: 100, type: 'audit-export' });
    expect(task.result.rows).toBeGreaterThan(0);
    const file = await call('GET', `/audit/exports/${task.id}`, { token: adminToken });
    expect(file.headers.get('content-type')).toContain('text/csv');
    const lines = file.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,timestamp,category,action,actor,target,result,source_ip,request_id,changes');
    expect(lines.length - 1).toBe(task.result.rows);
    expect(lines.slice(1).every((l) => l.includes(',login,'))).toBe(true);
    const logs = await call('GET', `/tasks/${task.id}/logs`, { token: adminToken });
    expect(logs.json.data.map((l: { message: string }) => l.message)).toContain('Task succeeded');
    const cancel = await call('POST', `/tasks/${task.id}/cancel`, { token: adminToken });
    expect(cancel.status).toBe(409);
    expect(cancel.json.error.code).toBe('TASK_NOT_CANCELLABLE');
  });

  it('hides a task from users who neither own it nor may read tasks', async () => {
    const res = await call('POST', '/audit/exports', { token: adminToken, body: { format: 'json' } });
    const guest = await login('asmith', 'Asmith-Secret-42');
    const peek = await call('GET', `/tasks/${res.json.task.id}`, { token: guest.json.access_token });
    expect(peek.status).toBe(404);
    expect(peek.json.error.code).toBe('TASK_NOT_FOUND');
    expect((await call('GET', '/tasks/not-a-uuid', { token: adminToken })).status).toBe(400);
  });
});
