/** The OpenStack provider contract against the simulator of local/openstack, with the openrc of its seeded admin. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenStackClient, openStackConfigFromEnv, type OpenStackClient } from '../../lib/providers/openstack/index.js';
import { startOpenStackSimulator, type RunningOpenStackSimulator } from '../../local/openstack/index.js';
import { openStackContract } from '../contract/openstack.contract.js';

let sim: RunningOpenStackSimulator;
let client: OpenStackClient;

beforeAll(async () => {
  // Long enough that a call right after a create still sees PENDING_* (the contract checks the 409s), short enough to be quick.
  sim = await startOpenStackSimulator({ port: 0, transitionMs: 150 });
  const config = openStackConfigFromEnv({
    OS_AUTH_URL: sim.url,
    OS_USERNAME: 'admin',
    OS_PASSWORD: 'admin',
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_NAME: 'admin',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: 'RegionOne',
    OS_INTERFACE: 'public',
  });
  client = createOpenStackClient({ ...config, timeoutMs: 5000 });
});

afterAll(async () => sim?.stop());

openStackContract(() => client, { pollMs: 20, waitMs: 10_000 });

describe('OpenStack simulator authentication', () => {
  it('authenticates with the seeded application credential, scoped to its project', async () => {
    const { id, secret } = sim.credentials.applicationCredential;
    const os = createOpenStackClient(
      openStackConfigFromEnv({ OS_AUTH_URL: sim.url, OS_APPLICATION_CREDENTIAL_ID: id, OS_APPLICATION_CREDENTIAL_SECRET: secret }),
    );
    expect((await os.session()).projectId).toBe(sim.credentials.projectId);
    expect((await os.nova.getFlavor('1')).name).toBe('m1.tiny');
  });

  it('answers a dependency error for a wrong password, without the password', async () => {
    const os = createOpenStackClient({
      authUrl: sim.url,
      auth: {
        type: 'password',
        username: 'admin',
        password: 'not-the-password',
        userDomain: 'Default',
        projectName: 'admin',
        projectDomain: 'Default',
      },
    });
    const e = await os.session().catch((err: unknown) => err);
    expect(e).toMatchObject({ name: 'DependencyUnavailableError', status: 503, details: { reason: 'authentication_failed', status: 401 } });
    expect(JSON.stringify(e)).not.toContain('not-the-password');
  });
});
