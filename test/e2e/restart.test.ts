import { mkdtemp, rm } from 'node:fs/promises';
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
