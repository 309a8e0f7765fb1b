/**
 * The OpenStack provider contract against a real control plane: the one test/openstack/up.sh stands up on
 * this machine (Debian's Keystone/Nova/Neutron/Cinder/Glance), or any cloud given by the openrc variables.
 *
 * Configuration: the `OS_*` variables when `OS_AUTH_URL` is set, otherwise the openrc file up.sh writes
 * (`$OPENSTACK_OPENRC`, default `$BASE/admin-openrc.sh`, `BASE` default `/var/tmp/openstack-dev`).
 * The cloud needs the fixtures of test/openstack/seed.sh (m1.tiny, m1.small, cirros, an external network).
 *
 * Not part of `npm test`: run it with `npm run test:openstack` (test/openstack/run.sh brings the control
 * plane up, seeds it, runs the contract on the simulator and on the real cloud, and brings it down), or
 * `npx vitest run -c vitest.openstack.config.ts test/openstack/real-openstack.spec.ts` against a cloud
 * that is already up. When no cloud answers
 * it fails, with the reason, rather than skipping.
 */
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll } from 'vitest';
import { collect, createOpenStackClient, openStackConfigFromEnv, type OpenStackClient } from '../../lib/providers/openstack/index.js';
import { openStackContract } from '../contract/openstack.contract.js';

const OPENRC = process.env.OPENSTACK_OPENRC ?? `${process.env.BASE ?? '/var/tmp/openstack-dev'}/admin-openrc.sh`;

/** `export OS_X=value` lines of an openrc file (values quoted or not). */
function readOpenrc(file: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(?:export\s+)?(OS_[A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

function cloudEnv(): { env: NodeJS.ProcessEnv; from: string } {
  if (process.env.OS_AUTH_URL) return { env: process.env, from: 'the OS_* environment' };
  if (existsSync(OPENRC)) return { env: readOpenrc(OPENRC), from: OPENRC };
  throw new Error(
    `No real OpenStack configured: OS_AUTH_URL is unset and ${OPENRC} does not exist. ` +
      'Run `npm run test:openstack` (test/openstack/run.sh starts the control plane), or `bash test/openstack/up.sh` first.',
  );
}

let client: OpenStackClient;

beforeAll(async () => {
  const { env, from } = cloudEnv();
  const config = openStackConfigFromEnv(env);
  // Keystone answers its version document without a token: a cheap "is anything there".
  const probe = await fetch(config.authUrl, { signal: AbortSignal.timeout(5000) }).catch((e: unknown) => e as Error);
  if (probe instanceof Error || probe.status >= 500) {
    throw new Error(
      `No real OpenStack reachable at OS_AUTH_URL=${config.authUrl} (from ${from}): ` +
        `${probe instanceof Error ? `${probe.name}: ${(probe.cause as Error | undefined)?.message ?? probe.message}` : `HTTP ${probe.status}`}. ` +
        'Run `npm run test:openstack`, or `bash test/openstack/up.sh` (SKIP_INSTALL=1 when installed) first.',
    );
  }
  client = createOpenStackClient({ ...config, timeoutMs: 30_000 });

  const missing: string[] = [];
  const flavors = await collect(client.nova.listFlavors({}));
  for (const name of ['m1.tiny', 'm1.small']) if (!flavors.some((f) => f.name === name)) missing.push(`flavor ${name}`);
  if ((await collect(client.glance.listImages({ name: 'cirros', status: 'active' }))).length !== 1) missing.push('one active image cirros');
  if ((await collect(client.neutron.networks.list({ 'router:external': true }))).length === 0) missing.push('an external network');
  if (missing.length > 0) {
    throw new Error(`The cloud at ${config.authUrl} lacks the contract's fixtures (${missing.join(', ')}): run test/openstack/seed.sh.`);
  }
});

openStackContract(() => client, { pollMs: 250, waitMs: 120_000 });
