import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { startInProcessApi, type Handler, type InProcessApi } from '../helpers/in-process-api.js';

/**
 * Heracles §16: a disabled plugin's endpoints answer 404 PLUGIN_DISABLED, every one of them, to everyone
 * (admin or guest), before any validation of the body, ACL check or directory access; enabled again, they
 * serve as before. Each area lists one valid request per route, and the test fails when an area gains a
 * route this table does not cover.
 */
let api: InProcessApi;
const BASE = 'dc=example,dc=com';

function sshKeyLine(comment: string): string {
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const x = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(x)]).toString('base64')} ${comment}`;
}

type Sample = [method: string, path: string, body?: unknown];
interface Area {
  plugin: string;
  module: () => Promise<{ handler: Handler; routes: { spec: { method: string; path: string } }[] }>;
  /** One valid request per route (the path template it exercises is matched by the router). */
  samples: Sample[];
  /** A request whose answer shows the area served again once the plugin is enabled. */
  enabled: Sample;
}

const soa = {
  primary_ns: 'ns1.example.org',
  admin_email: 'hostmaster@example.org',
  refresh: 3600,
  retry: 900,
  expire: 604800,
  minimum: 86400,
};
const dept = encodeURIComponent(`ou=Plugged,${BASE}`);

const AREAS: Area[] = [
  {
    plugin: 'systems',
    module: () => import('../../functions/http/systems.js') as never,
    samples: [
      ['GET', '/api/v1/systems'],
      ['GET', '/api/v1/systems/plug-srv'],
      ['POST', '/api/v1/systems', { cn: 'plug-srv', type: 'server' }],
      ['PUT', '/api/v1/systems/plug-srv', { description: 'x' }],
      ['DELETE', '/api/v1/systems/plug-srv'],
    ],
    enabled: ['GET', '/api/v1/systems'],
  },
  {
    plugin: 'sudo',
    module: () => import('../../functions/http/sudo.js') as never,
    samples: [
      ['GET', '/api/v1/sudo/rules'],
      ['GET', '/api/v1/sudo/rules/plug-rule'],
      ['POST', '/api/v1/sudo/rules', { cn: 'plug-rule', sudoUser: ['jdoe'], sudoHost: ['ALL'], sudoCommand: ['ALL'] }],
      ['PUT', '/api/v1/sudo/rules/plug-rule', { sudoOrder: 1 }],
      ['DELETE', '/api/v1/sudo/rules/plug-rule'],
    ],
    enabled: ['GET', '/api/v1/sudo/rules'],
  },
  {
    plugin: 'ssh',
    module: () => import('../../functions/http/ssh-keys.js') as never,
    samples: [
      ['GET', '/api/v1/users/admin/ssh-keys'],
      ['POST', '/api/v1/users/admin/ssh-keys', { public_key: sshKeyLine('plug@host') }],
      ['DELETE', `/api/v1/users/admin/ssh-keys/${encodeURIComponent('SHA256:abc')}`],
    ],
    enabled: ['GET', '/api/v1/users/admin/ssh-keys'],
  },
  {
    plugin: 'dns',
    module: () => import('../../functions/http/dns.js') as never,
    samples: [
      ['GET', '/api/v1/dns/zones'],
      ['POST', '/api/v1/dns/zones', { zoneName: 'plugged.example', soa }],
      ['GET', '/api/v1/dns/zones/plugged.example'],
      ['DELETE', '/api/v1/dns/zones/plugged.example'],
      ['GET', '/api/v1/dns/zones/plugged.example/records'],
      ['POST', '/api/v1/dns/zones/plugged.example/records', { name: 'www', type: 'A', value: '192.0.2.1' }],
      ['DELETE', '/api/v1/dns/zones/plugged.example/records/some-id'],
    ],
    enabled: ['GET', '/api/v1/dns/zones'],
  },
  {
    plugin: 'dhcp',
    module: () => import('../../functions/http/dhcp.js') as never,
    samples: [
      ['GET', '/api/v1/dhcp/services'],
      ['POST', '/api/v1/dhcp/services', { cn: 'plugged' }],
      ['GET', '/api/v1/dhcp/subnets'],
      ['POST', '/api/v1/dhcp/subnets', { cn: '10.9.0.0', netmask: 24, service: 'plugged' }],
      ['GET', '/api/v1/dhcp/hosts'],
      ['POST', '/api/v1/dhcp/hosts', { cn: 'plug-host', hwaddress: '00:11:22:33:44:55', service: 'plugged' }],
      ['GET', '/api/v1/dhcp/groups'],
      // A body the type's schema refuses: a disabled plugin answers 404 before looking at it.
      ['POST', '/api/v1/dhcp/groups', { cn: 'g', unknown_field: true }],
      ['GET', '/api/v1/dhcp/services/plugged'],
      ['PUT', '/api/v1/dhcp/services/plugged', { unknown_field: true }],
      ['DELETE', '/api/v1/dhcp/services/plugged'],
    ],
    enabled: ['GET', '/api/v1/dhcp/services'],
  },
  {
    plugin: 'mail',
    module: () => import('../../functions/http/mail.js') as never,
    samples: [
      ['GET', '/api/v1/mail/users/admin'],
      ['POST', '/api/v1/mail/users/admin', {}],
      ['DELETE', '/api/v1/mail/users/admin'],
    ],
    enabled: ['GET', '/api/v1/mail/users/admin'],
  },
  {
    plugin: 'departments',
    module: () => import('../../functions/http/departments.js') as never,
    samples: [
      ['GET', '/api/v1/departments'],
      ['GET', '/api/v1/departments/tree'],
      ['GET', `/api/v1/departments/${dept}`],
      ['POST', '/api/v1/departments', { ou: 'Plugged' }],
      ['PUT', `/api/v1/departments/${dept}`, { description: 'x' }],
      ['DELETE', `/api/v1/departments/${dept}`],
    ],
    enabled: ['GET', '/api/v1/departments'],
  },
];

/** `/api/v1/systems/{cn}` matches `/api/v1/systems/plug-srv` (one segment per parameter). */
const matches = (template: string, path: string) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path.split('?')[0]!);

beforeAll(async () => {
  api = await startInProcessApi();
});
afterAll(async () => {
  await api?.stop();
});

describe('disabled plugins', () => {
  it.each(AREAS.map((a) => [a.plugin, a] as const))(
    'the %s plugin: every route answers 404 PLUGIN_DISABLED to admin and guest alike, and serves again once enabled',
    async (_name, area) => {
      const { handler, routes } = await area.module();
      // Every route of the function has a sample: a route added later cannot escape the gate unnoticed.
      for (const r of routes) {
        const covered = area.samples.some(([m, p]) => m === r.spec.method && matches(r.spec.path, p));
        expect(covered, `${r.spec.method} ${r.spec.path} has no sample`).toBe(true);
      }
      const { setPluginEnabled } = await import('../../lib/plugins/state.js');
      await setPluginEnabled(api.dyn.db, area.plugin, false, api.ldap.adminDn);
      try {
        for (const [method, path, body] of area.samples) {
          for (const token of [api.adminToken, api.guestToken]) {
            const res = await api.call(handler, method, path, { token, body });
            expect([method, path, res.status, res.body?.error?.code]).toEqual([method, path, 404, 'PLUGIN_DISABLED']);
            expect(res.body.error.details).toMatchObject({ plugin: area.plugin });
          }
        }
      } finally {
        await setPluginEnabled(api.dyn.db, area.plugin, true, api.ldap.adminDn);
      }
      const [method, path] = area.enabled;
      expect((await api.call(handler, method, path, { token: api.adminToken })).status).toBe(200);
    },
  );

  it('writes nothing while disabled: a create sent then is not in the directory afterwards', async () => {
    const { handler } = await import('../../functions/http/systems.js');
    const { setPluginEnabled } = await import('../../lib/plugins/state.js');
    await setPluginEnabled(api.dyn.db, 'systems', false, api.ldap.adminDn);
    const refused = await api.call(handler, 'POST', '/api/v1/systems', {
      token: api.adminToken,
      body: { cn: 'ghost-srv', type: 'server' },
    });
    expect(refused.status).toBe(404);
    await setPluginEnabled(api.dyn.db, 'systems', true, api.ldap.adminDn);
    const res = await api.call(handler, 'GET', '/api/v1/systems/ghost-srv', { token: api.adminToken });
    expect([res.status, res.body.error.code]).toEqual([404, 'SYSTEM_NOT_FOUND']);
    expect(await api.ldap.client.get(`cn=ghost-srv,ou=systems,${BASE}`)).toBeNull();
  });

  it('the posix plugin (no routes of its own): POSIX fields of users and groups are refused (422 naming them), the rest works', async () => {
    const users = (await import('../../functions/http/users.js')).handler as Handler;
    const groups = (await import('../../functions/http/groups.js')).handler as Handler;
    const { setPluginEnabled } = await import('../../lib/plugins/state.js');
    const call = (h: Handler, method: string, path: string, body?: unknown) => api.call(h, method, path, { token: api.adminToken, body });
    await setPluginEnabled(api.dyn.db, 'posix', false, api.ldap.adminDn);
    try {
      const posixUser = await call(users, 'POST', '/api/v1/users', {
        uid: 'noposix',
        cn: 'N',
        sn: 'N',
        posix: { uidNumber: null, gidNumber: 10000 },
      });
      expect([posixUser.status, posixUser.body.error.code, posixUser.body.error.details]).toMatchObject([
        422,
        'PLUGIN_DISABLED',
        { plugin: 'posix', field: 'posix' },
      ]);
      expect((await call(users, 'POST', '/api/v1/users', { uid: 'noposix', cn: 'N', sn: 'N' })).status).toBe(201);
      const put = await call(users, 'PUT', '/api/v1/users/noposix', { loginShell: '/bin/sh', title: 'x' });
      expect([put.status, put.body.error.details.fields]).toEqual([422, ['loginShell']]);
      expect((await call(users, 'PUT', '/api/v1/users/noposix', { title: 'x' })).status).toBe(200);
      const group = await call(groups, 'POST', '/api/v1/groups', { cn: 'noposix-g', gidNumber: null });
      expect([group.status, group.body.error.details.field]).toEqual([422, 'gidNumber']);
      expect((await call(groups, 'POST', '/api/v1/groups', { cn: 'noposix-g' })).status).toBe(201);
    } finally {
      await setPluginEnabled(api.dyn.db, 'posix', true, api.ldap.adminDn);
    }
    const again = await call(groups, 'POST', '/api/v1/groups', { cn: 'posix-again', gidNumber: null });
    expect([again.status, typeof again.body.gidNumber]).toEqual([201, 'number']);
  });
});
