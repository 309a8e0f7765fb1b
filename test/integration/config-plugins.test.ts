import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessApi, type InProcessApi } from '../helpers/in-process-api.js';

/** §15 configuration and §16 plugins through their Lambda handlers, in-process (dynalite for the table). */
let api: InProcessApi;
let config: typeof import('../../functions/http/config.js').handler;
let plugins: typeof import('../../functions/http/plugins.js').handler;
let state: typeof import('../../lib/plugins/state.js');
let store: typeof import('../../lib/config-store/store.js');

beforeAll(async () => {
  api = await startInProcessApi();
  config = (await import('../../functions/http/config.js')).handler;
  plugins = (await import('../../functions/http/plugins.js')).handler;
  state = await import('../../lib/plugins/state.js');
  store = await import('../../lib/config-store/store.js');
});
afterAll(async () => {
  await api?.stop();
});

describe('config', () => {
  it('lists every category with typed settings at their defaults', async () => {
    const res = await api.call(config, 'GET', '/api/v1/config', { token: api.adminToken });
    expect(res.status).toBe(200);
    const ids = res.body.categories.map((c: { id: string }) => c.id);
    expect(ids).toEqual(['password', 'users', 'session', 'login', 'audit', 'mail']);
    const password = res.body.categories[0].settings;
    expect(password).toContainEqual({
      key: 'password.min_length',
      value: 12,
      default: 12,
      type: 'int',
      description: 'Minimum password length',
      is_default: true,
      constraints: { min: 8, max: 128 },
    });
    expect(password.find((s: { key: string }) => s.key === 'password.hash')).toMatchObject({
      value: 'SSHA512',
      type: 'enum',
      constraints: { values: ['ARGON2', 'SSHA512'] },
    });
    const users = res.body.categories[1].settings.map((s: { key: string; value: unknown }) => [s.key, s.value]);
    expect(users).toEqual(
      expect.arrayContaining([
        ['users.default_shell', '/bin/bash'],
        ['users.home_base', '/home'],
        ['uid_number.start', 10001],
        ['gid_number.start', 10001],
      ]),
    );
  });

  it('sets a value, reads it back (is_default false), audits old and new, and resets to the default', async () => {
    const put = await api.call(config, 'PUT', '/api/v1/config/password.min_length', { token: api.adminToken, body: { value: 16 } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ key: 'password.min_length', value: 16, default: 12, is_default: false, updated_by: api.ldap.adminDn });
    const get = await api.call(config, 'GET', '/api/v1/config/password.min_length', { token: api.adminToken });
    expect(get.body).toMatchObject({ value: 16, is_default: false });
    expect(await store.settingValue(api.dyn.db, 'password.min_length')).toBe(16);
    const [event] = await api.audit('config.update');
    // The key names a password setting: the audit keeps the values (attribute `value`, target config/<key>).
    expect(event).toMatchObject({
      target: 'config/password.min_length',
      actor: api.ldap.adminDn,
      changes: [{ attribute: 'value', old: 12, new: 16 }],
    });
    const del = await api.call(config, 'DELETE', '/api/v1/config/password.min_length', { token: api.adminToken });
    expect(del.status).toBe(204);
    const after = await api.call(config, 'GET', '/api/v1/config/password.min_length', { token: api.adminToken });
    expect(after.body).toMatchObject({ value: 12, is_default: true });
    expect((await api.audit('config.reset'))[0]).toMatchObject({ changes: [{ attribute: 'value', old: 16, new: 12 }] });
  });

  it('sets enum and string values', async () => {
    const hash = await api.call(config, 'PUT', '/api/v1/config/password.hash', { token: api.adminToken, body: { value: 'ARGON2' } });
    expect([hash.status, hash.body.value]).toEqual([200, 'ARGON2']);
    const shell = await api.call(config, 'PUT', '/api/v1/config/users.default_shell', {
      token: api.adminToken,
      body: { value: '/bin/zsh' },
    });
    expect([shell.status, shell.body.value]).toEqual([200, '/bin/zsh']);
  });

  it.each([
    ['password.min_length', 4, 'between 8 and 128'],
    ['password.min_length', 12.5, 'integer'],
    ['password.min_length', '16', 'integer'],
    ['password.hash', 'MD5', 'one of ARGON2, SSHA512'],
    ['users.home_base', 'relative/path', 'absolute path'],
  ])('refuses %s = %j with 400 naming body.value', async (key, value, message) => {
    const res = await api.call(config, 'PUT', `/api/v1/config/${key}`, { token: api.adminToken, body: { value } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.fields[0].field).toBe('body.value');
    expect(res.body.error.details.fields[0].message).toContain(message);
  });

  it('answers 400 without a value, 404 for an unknown key, 403 to a guest', async () => {
    const missing = await api.call(config, 'PUT', '/api/v1/config/password.min_length', { token: api.adminToken, body: {} });
    expect([missing.status, missing.body.error.details.fields[0].field]).toEqual([400, 'body.value']);
    const unknown = await api.call(config, 'GET', '/api/v1/config/nope.nothing', { token: api.adminToken });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'CONFIG_KEY_NOT_FOUND']);
    const unknownPut = await api.call(config, 'PUT', '/api/v1/config/nope.nothing', { token: api.adminToken, body: { value: 1 } });
    expect(unknownPut.status).toBe(404);
    const badKey = await api.call(config, 'GET', '/api/v1/config/NOT A KEY', { token: api.adminToken });
    expect([badKey.status, badKey.body.error.details.fields[0].field]).toEqual([400, 'path.key']);
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { value: 20 }],
      ['DELETE', undefined],
    ] as const) {
      const res = await api.call(config, method, '/api/v1/config/password.min_length', { token: api.guestToken, body });
      expect([method, res.status]).toEqual([method, 403]);
    }
    expect((await api.call(config, 'GET', '/api/v1/config')).status).toBe(401);
  });
});

describe('plugins', () => {
  it('lists the plugins with metadata, all enabled by default', async () => {
    const res = await api.call(plugins, 'GET', '/api/v1/plugins', { token: api.adminToken });
    expect(res.status).toBe(200);
    expect(res.body.data.map((p: { name: string }) => p.name)).toEqual([
      'core',
      'posix',
      'ssh',
      'sudo',
      'systems',
      'dns',
      'dhcp',
      'mail',
      'departments',
    ]);
    expect(res.body.data.find((p: { name: string }) => p.name === 'posix')).toEqual({
      name: 'posix',
      version: '1.0.0',
      description: 'POSIX account management',
      enabled: true,
      required: false,
      object_types: ['user', 'group', 'mixed-group'],
      tabs: [
        { id: 'posix-user', label: 'Unix', object_type: 'user' },
        { id: 'posix-group', label: 'POSIX', object_type: 'group' },
      ],
    });
  });

  it('disables and enables a plugin (state in the table, audited); assertPluginEnabled follows', async () => {
    await expect(state.assertPluginEnabled(api.dyn.db, 'dns')).resolves.toBeUndefined();
    const off = await api.call(plugins, 'POST', '/api/v1/plugins/dns/disable', { token: api.adminToken });
    expect([off.status, off.body.enabled, off.body.updated_by]).toEqual([200, false, api.ldap.adminDn]);
    const err = await state.assertPluginEnabled(api.dyn.db, 'dns').catch((e) => e);
    expect([err.status, err.code, err.details]).toEqual([404, 'PLUGIN_DISABLED', { plugin: 'dns' }]);
    const enabledOnly = await api.call(plugins, 'GET', '/api/v1/plugins?enabled=true', { token: api.adminToken });
    expect(enabledOnly.body.data.map((p: { name: string }) => p.name)).not.toContain('dns');
    const disabledOnly = await api.call(plugins, 'GET', '/api/v1/plugins?enabled=false', { token: api.adminToken });
    expect(disabledOnly.body.data.map((p: { name: string }) => p.name)).toEqual(['dns']);
    expect((await api.call(plugins, 'GET', '/api/v1/plugins/dns', { token: api.adminToken })).body.enabled).toBe(false);
    const on = await api.call(plugins, 'POST', '/api/v1/plugins/dns/enable', { token: api.adminToken });
    expect([on.status, on.body.enabled]).toEqual([200, true]);
    await expect(state.assertPluginEnabled(api.dyn.db, 'dns')).resolves.toBeUndefined();
    const events = await api.audit('plugin.');
    expect(events.map((e) => [e.action, e.target, e.changes])).toEqual(
      expect.arrayContaining([
        ['plugin.disable', 'plugin/dns', [{ attribute: 'enabled', old: true, new: false }]],
        ['plugin.enable', 'plugin/dns', [{ attribute: 'enabled', old: false, new: true }]],
      ]),
    );
  });

  it('refuses to disable core (422), answers 404 for an unknown plugin, 400 for a bad query, 403 to a guest', async () => {
    const core = await api.call(plugins, 'POST', '/api/v1/plugins/core/disable', { token: api.adminToken });
    expect([core.status, core.body.error.code]).toEqual([422, 'PLUGIN_REQUIRED']);
    const unknown = await api.call(plugins, 'GET', '/api/v1/plugins/nope', { token: api.adminToken });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'PLUGIN_NOT_FOUND']);
    const unknownToggle = await api.call(plugins, 'POST', '/api/v1/plugins/nope/enable', { token: api.adminToken });
    expect(unknownToggle.status).toBe(404);
    const badQuery = await api.call(plugins, 'GET', '/api/v1/plugins?enabled=yes', { token: api.adminToken });
    expect([badQuery.status, badQuery.body.error.details.fields[0].field]).toEqual([400, 'query.enabled']);
    expect((await api.call(plugins, 'GET', '/api/v1/plugins', { token: api.guestToken })).status).toBe(403);
    expect((await api.call(plugins, 'POST', '/api/v1/plugins/mail/disable', { token: api.guestToken })).status).toBe(403);
    expect((await api.call(plugins, 'GET', '/api/v1/plugins/mail', { token: api.adminToken })).body.enabled).toBe(true);
  });
});
