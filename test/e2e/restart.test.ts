import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { client, startDevStack, type DevStack } from '../helpers/dev-stack.js';
import { portInUse } from '../../local/stack/ports.js';

/** `npm run dev` twice on one data directory: what was stored survives, and stopping frees every port. */
describe('offline stack restart', () => {
  let dataDir: string;
  let stack: DevStack | undefined;

  afterAll(async () => {
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('keeps sessions, signing keys, tasks and audit across a restart and leaves nothing listening', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'apibibind-restart-'));
    stack = await startDevStack({}, { dataDir });
    let call = client(stack.api);
    const login = await call('POST', '/auth/login', { body: { username: 'admin', password: stack.adminPassword } });
    const token = login.json.access_token as string;
    const exp = await call('POST', '/audit/exports', { token, body: { format: 'json' } });
    for (let i = 0; i < 100; i++) {
      if ((await call('GET', `/tasks/${exp.json.task.id}`, { token })).json.status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const port = Number(new URL(stack.api).port);
    await stack.stop();
    expect(await portInUse(port)).toBe(false);

    stack = await startDevStack({}, { dataDir });
    call = client(stack.api);
    const me = await call('GET', '/auth/me', { token });
    expect(me.status).toBe(200);
    const task = await call('GET', `/tasks/${exp.json.task.id}`, { token });
    expect(task.json.status).toBe('succeeded');
    const logins = await call('GET', '/audit/logs?action=login', { token });
    expect(logins.json.pagination.total).toBeGreaterThanOrEqual(1);
  }, 240_000);
});

describe('a dependency going down', () => {
  let stack: DevStack | undefined;
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('answers 503 naming LDAP when slapd stops, while token-only routes keep working', async () => {
    stack = await startDevStack();
    const call = client(stack.api);
    const token = (await call('POST', '/auth/login', { body: { username: 'admin', password: stack.adminPassword } })).json
      .access_token as string;
    const pid = Number((await readFile(path.join(stack.dataDir, 'slapd', 'slapd.pid'), 'utf8')).trim());
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && (await portInUse(Number(new URL(stack.ldapUrl).port))); i++) await new Promise((r) => setTimeout(r, 100));

    const h = await call('GET', '/health');
    expect(h.status).toBe(503);
    expect(h.json.checks.ldap.status).toBe('down');
    expect(h.json.checks.database.status).toBe('up');
    const login = await call('POST', '/auth/login', { body: { username: 'admin', password: stack.adminPassword } });
    expect(login.status).toBe(503);
    expect(login.json.error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', details: { dependency: 'ldap' } });
    expect(login.text).not.toContain(stack.adminPassword);
    expect((await call('GET', '/auth/me', { token })).status).toBe(200);
  }, 240_000);
});
