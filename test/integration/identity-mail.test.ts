import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attrValues } from '../../lib/providers/ldap/index.js';
import { isMailAddress } from '../../lib/identity/mail/address.js';
import { startInProcessApi, type InProcessApi } from '../helpers/in-process-api.js';

/** §17 mail accounts through the Lambda handler, in-process, against a real slapd (misc + 55-mail schemas) and dynalite. */
let api: InProcessApi;
let handler: typeof import('../../functions/http/mail.js').handler;
const BASE = 'dc=example,dc=com';
const PEOPLE = `ou=people,${BASE}`;
const call = (method: string, uid: string, opts: { token?: string; body?: unknown } = {}) =>
  api.call(handler, method, `/api/v1/mail/users/${uid}`, { token: api.adminToken, ...opts });
const entry = async (dn: string) => (await api.ldap.client.get(dn, ['*']))!;

beforeAll(async () => {
  api = await startInProcessApi();
  handler = (await import('../../functions/http/mail.js')).handler;
  const add = (dn: string, uid: string, mail?: string) =>
    api.ldap.client.add(dn, { objectClass: ['inetOrgPerson'], uid, cn: uid, sn: uid, ...(mail ? { mail } : {}) });
  await add(`uid=alice,${PEOPLE}`, 'alice', 'alice@example.com');
  await add(`uid=bob,${PEOPLE}`, 'bob', 'bob@example.com');
  await add(`uid=nomail,${PEOPLE}`, 'nomail');
  // A user of a department's own people container.
  await api.ldap.client.add(`ou=Sales,${BASE}`, { objectClass: ['organizationalUnit'], ou: 'Sales' });
  await api.ldap.client.add(`ou=people,ou=Sales,${BASE}`, { objectClass: ['organizationalUnit'], ou: 'people' });
  await add(`uid=carol,ou=people,ou=Sales,${BASE}`, 'carol', 'carol@example.com');
});
afterAll(async () => {
  await api?.stop();
});

describe('addresses', () => {
  it.each(['a@example.com', 'first.last+tag@sub.example.co', "o'hara@example.org", 'x@[192.0.2.1]'])('accepts %s', (a) =>
    expect(isMailAddress(a)).toBe(true),
  );
  it.each([
    'plain',
    '@example.com',
    'a@b',
    'a..b@example.com',
    '.a@example.com',
    'a@-x.com',
    'a b@example.com',
    'é@example.com',
    'a@example.c0m',
    `${'x'.repeat(65)}@example.com`,
  ])('refuses %s', (a) => expect(isMailAddress(a)).toBe(false));
});

describe('mail accounts', () => {
  it('reads an inactive account: mail kept from inetOrgPerson, active false', async () => {
    const res = await call('GET', 'alice');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      uid: 'alice',
      dn: `uid=alice,${PEOPLE}`,
      active: false,
      mail: 'alice@example.com',
      mailAlternateAddress: [],
      mailForwardingAddress: [],
      mailHost: null,
      mailQuota: null,
      mailEnabled: false,
    });
  });

  it('activates (201): adds inetLocalMailRecipient + apibibindMailAccount, defaults from the config, audited', async () => {
    const { putConfig } = await import('../../lib/config-store/store.js');
    await putConfig(api.dyn.db, 'mail.default_quota_mb', 2048, api.ldap.adminDn);
    const res = await call('POST', 'alice', {
      body: { mailAlternateAddress: ['a.smith@example.com', 'alice@example.org'], mailForwardingAddress: ['alice@home.example.net'] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      uid: 'alice',
      dn: `uid=alice,${PEOPLE}`,
      active: true,
      mail: 'alice@example.com',
      mailAlternateAddress: ['a.smith@example.com', 'alice@example.org'],
      mailForwardingAddress: ['alice@home.example.net'],
      mailHost: null,
      mailQuota: 2048,
      mailEnabled: true,
    });
    const e = await entry(`uid=alice,${PEOPLE}`);
    expect(attrValues(e, 'objectClass')).toEqual(['inetOrgPerson', 'inetLocalMailRecipient', 'apibibindMailAccount']);
    expect(attrValues(e, 'mailLocalAddress')).toEqual(['a.smith@example.com', 'alice@example.org']);
    expect(attrValues(e, 'apibibindMailEnabled')).toEqual(['TRUE']);
    const [event] = await api.audit('mail.activate');
    expect(event).toMatchObject({ target: `uid=alice,${PEOPLE}`, actor: api.ldap.adminDn });
    expect(event!.changes).toEqual(
      expect.arrayContaining([
        { attribute: 'active', old: false, new: true },
        { attribute: 'mailQuota', old: null, new: 2048 },
        { attribute: 'objectClass', old: null, new: ['inetLocalMailRecipient', 'apibibindMailAccount'] },
      ]),
    );
  });

  it('updates (200): lists replace, null removes, mailEnabled toggles', async () => {
    const res = await call('POST', 'alice', {
      body: { mailAlternateAddress: ['a.smith@example.com'], mailHost: 'mx1.example.com', mailQuota: null, mailEnabled: false },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      mailAlternateAddress: ['a.smith@example.com'],
      mailHost: 'mx1.example.com',
      mailQuota: null,
      mailEnabled: false,
      active: true,
    });
    const [event] = await api.audit('mail.update');
    expect(event!.changes).toEqual(
      expect.arrayContaining([
        { attribute: 'mailAlternateAddress', old: ['a.smith@example.com', 'alice@example.org'], new: ['a.smith@example.com'] },
        { attribute: 'mailEnabled', old: true, new: false },
      ]),
    );
  });

  it('refuses addresses another user holds (409, escaped filters), given twice (400) or invalid (400)', async () => {
    const taken = await call('POST', 'bob', { body: { mailAlternateAddress: ['A.Smith@example.com'] } });
    expect([taken.status, taken.body.error.code, taken.body.error.details]).toEqual([
      409,
      'MAIL_ADDRESS_IN_USE',
      { field: 'mailAlternateAddress', address: 'A.Smith@example.com', dn: `uid=alice,${PEOPLE}` },
    ]);
    const primary = await call('POST', 'bob', { body: { mail: 'alice@example.com' } });
    expect([primary.status, primary.body.error.details.field]).toEqual([409, 'mail']);
    const twice = await call('POST', 'bob', { body: { mailAlternateAddress: ['b2@example.com', 'B2@example.com'] } });
    expect([twice.status, twice.body.error.details.fields[0].field]).toEqual([400, 'body.mailAlternateAddress.1']);
    const self = await call('POST', 'bob', { body: { mailAlternateAddress: ['bob@example.com'] } });
    expect([self.status, self.body.error.details.fields[0].field]).toEqual([400, 'body.mailAlternateAddress.0']);
    const invalid = await call('POST', 'bob', { body: { mailForwardingAddress: ['*)(uid=*'] } });
    expect([invalid.status, invalid.body.error.details.fields[0].field]).toEqual([400, 'body.mailForwardingAddress.0']);
    const quota = await call('POST', 'bob', { body: { mailQuota: -1 } });
    expect([quota.status, quota.body.error.details.fields[0].field]).toEqual([400, 'body.mailQuota']);
    expect((await call('GET', 'bob')).body.active).toBe(false);
  });

  it('needs a primary address (422 MAIL_REQUIRED) and accepts one with the activation', async () => {
    const missing = await call('POST', 'nomail', { body: {} });
    expect([missing.status, missing.body.error.code, missing.body.error.details.field]).toEqual([422, 'MAIL_REQUIRED', 'mail']);
    const ok = await call('POST', 'nomail', { body: { mail: 'nomail@example.com' } });
    expect([ok.status, ok.body.mail, ok.body.active]).toEqual([201, 'nomail@example.com', true]);
  });

  it('serves users of department containers', async () => {
    const res = await call('POST', 'carol', { body: { mailHost: 'mx2.example.com' } });
    expect([res.status, res.body.dn]).toEqual([201, `uid=carol,ou=people,ou=Sales,${BASE}`]);
  });

  it('deactivates (204): the mail classes and their attributes go, mail stays; then 404 MAIL_NOT_ACTIVE', async () => {
    expect((await call('DELETE', 'alice')).status).toBe(204);
    const e = await entry(`uid=alice,${PEOPLE}`);
    expect(attrValues(e, 'objectClass')).toEqual(['inetOrgPerson']);
    expect(attrValues(e, 'mail')).toEqual(['alice@example.com']);
    for (const a of ['mailLocalAddress', 'mailHost', 'apibibindMailEnabled', 'apibibindMailForwardingAddress'])
      expect(attrValues(e, a)).toEqual([]);
    const [event] = await api.audit('mail.deactivate');
    expect(event!.changes).toEqual(
      expect.arrayContaining([
        { attribute: 'active', old: true, new: false },
        { attribute: 'objectClass', old: ['inetLocalMailRecipient', 'apibibindMailAccount'], new: null },
      ]),
    );
    const again = await call('DELETE', 'alice');
    expect([again.status, again.body.error.code]).toEqual([404, 'MAIL_NOT_ACTIVE']);
    // Freed addresses can be taken by someone else.
    expect((await call('POST', 'bob', { body: { mailAlternateAddress: ['a.smith@example.com'] } })).status).toBe(201);
  });

  it('404 for an unknown user, 400 for a bad uid, 403 to a guest before 404, a scoped delegate limited to its subtree', async () => {
    const unknown = await call('GET', 'ghost');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'USER_NOT_FOUND']);
    const bad = await call('GET', '%2A%29%28uid');
    expect([bad.status, bad.body.error.details.fields[0].field]).toEqual([400, 'path.uid']);
    for (const [method, uid] of [
      ['GET', 'alice'],
      ['POST', 'alice'],
      ['DELETE', 'bob'],
      ['GET', 'ghost'],
    ] as const) {
      const res = await call(method, uid, { token: api.guestToken, body: method === 'POST' ? {} : undefined });
      expect([method, uid, res.status]).toEqual([method, uid, 403]);
    }
    const delegate = `uid=salesadmin,ou=people,${BASE}`;
    await api.grant(delegate, ['mail:rwd'], { dn: `ou=Sales,${BASE}`, type: 'subtree' });
    const token = await api.tokenFor(delegate);
    expect((await call('GET', 'carol', { token })).status).toBe(200);
    expect((await call('GET', 'alice', { token })).status).toBe(403);
  });

  it('answers 404 PLUGIN_DISABLED while the mail plugin is disabled', async () => {
    const { setPluginEnabled } = await import('../../lib/plugins/state.js');
    await setPluginEnabled(api.dyn.db, 'mail', false, api.ldap.adminDn);
    const res = await call('GET', 'alice');
    expect([res.status, res.body.error.code]).toEqual([404, 'PLUGIN_DISABLED']);
    await setPluginEnabled(api.dyn.db, 'mail', true, api.ldap.adminDn);
    expect((await call('GET', 'alice')).status).toBe(200);
  });
});
