/**
 * `npm run bench -- cloud [N]`: N (default 100) concurrent instance creates through the whole offline stack
 * (serverless offline → instance-create state machine in the Step Functions emulator → step Lambda → cloud),
 * against the same N creates made directly with the OpenStack client (create + poll until ACTIVE): the
 * floor. Then N concurrent deletes the same two ways. Nothing may be lost: every task must succeed and every
 * server must exist (then be gone) in the cloud.
 *
 * The cloud is the OpenStack simulator with zero latency and instant transitions, unless OS_AUTH_URL
 * names a real OpenStack (e.g. the one test/openstack/up.sh starts): then both flows run against it.
 * On the simulator, waits are scaled to 1/100 (SFN_WAIT_SCALE) and both sides poll every 10 ms, so the figure is
 * orchestration; on a real cloud both poll every second.
 */
import { client, startDevStack } from '../test/helpers/dev-stack.js';
import { createOpenStackClient, openStackConfigFromEnv, type OpenStackClient } from '../lib/providers/openstack/index.js';

export interface CloudCreateResult {
  cloud: string;
  n: number;
  apiCreateS: number;
  /** Until every POST answered 202. */
  acceptedS: number;
  directCreateS: number;
  apiDeleteS: number;
  directDeleteS: number;
  taskMedianMs: number;
  taskP95Ms: number;
  stepsPerCreate: number;
  /** One create alone through the API (task created → ended) and directly. */
  oneMs: number;
  oneFloorMs: number;
  /** (one create − its floor − the Wait) ÷ Task states. */
  overheadPerStepMs: number;
  /** Burst wall ÷ every Task state run: the stack's throughput cost per step on this machine. */
  amortisedStepMs: number;
  succeeded: number;
  serversSeen: number;
  leftAfterDelete: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

/** Servers named `prefix…` that still exist (Nova lists a deleted server as DELETED until it is purged). */
async function names(os: OpenStackClient, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const s of os.nova.listServers()) if (s.name.startsWith(prefix) && s.status !== 'DELETED') out.push(s.name);
  return out;
}

async function direct(os: OpenStackClient, n: number, flavorRef: string, imageRef: string, networkId: string, pollMs: number) {
  const t0 = performance.now();
  const ids = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const { id } = await os.nova.createServer({ name: `floor-${i}`, flavorRef, imageRef, networks: [{ uuid: networkId }] });
      for (;;) {
        const s = await os.nova.getServer(id);
        if (s.status === 'ACTIVE') return id;
        if (s.status === 'ERROR') throw new Error(`floor-${i} ERROR: ${s.fault?.message}`);
        await sleep(pollMs);
      }
    }),
  );
  const createS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      await os.nova.deleteServer(id);
      for (;;) {
        try {
          if ((await os.nova.getServer(id)).status === 'DELETED') return; // as the API's cloud-delete does
        } catch {
          return;
        }
        await sleep(pollMs);
      }
    }),
  );
  return { createS, deleteS: (performance.now() - t1) / 1000 };
}

export async function measureCloudCreate(n = 100): Promise<CloudCreateResult> {
  const real = Boolean(process.env.OS_AUTH_URL);
  // On the simulator both sides poll every 10 ms (the orchestration is what is measured); on a real cloud
  // every second, as a client would (polling faster only loads the cloud's API on this small machine).
  const pollMs = real ? 1000 : 10;
  const stack = await startDevStack({
    OPENSTACK_TRANSITION_MS: '0',
    OPENSTACK_LATENCY_MS: '0',
    CLOUD_POLL_SECONDS: '1',
    SFN_WAIT_SCALE: real ? '1' : '0.01',
    LOG_LEVEL: 'ERROR',
  });
  try {
    const os = createOpenStackClient(
      real
        ? openStackConfigFromEnv()
        : {
            authUrl: `${stack.openstack}/identity/v3`,
            auth: {
              type: 'password',
              username: 'admin',
              password: 'admin',
              userDomain: 'Default',
              projectName: 'admin',
              projectDomain: 'Default',
            },
          },
    );
    const call = client(stack.api);
    const token = (await call('POST', '/auth/login', { body: { username: 'admin', password: stack.adminPassword } })).json.access_token;
    const flavor = (await call('GET', '/flavors?filter=name:eq:m1.tiny', { token })).json.data[0];
    const image = (await call('GET', '/images?filter=name:eq:cirros', { token })).json.data[0];
    let network: string | undefined;
    for await (const net of os.neutron.networks.list())
      if (!net['router:external'] && (!network || net.name === 'private')) network = net.id;

    // Room for N servers (the default project quotas allow 10 instances and 50 ports).
    const project = (await os.session()).projectId;
    await os.nova.http.put(`/os-quota-sets/${project}`, { quota_set: { instances: -1, cores: -1, ram: -1 } });
    await os.neutron.http.put(`/quotas/${project}`, { quota: { port: -1 } });

    const floor = await direct(os, n, flavor.id, image.id, network!, pollMs);
    const floorOne = await direct(os, 1, flavor.id, image.id, network!, pollMs);

    // One create alone (warm): the latency of the whole orchestration, and what each Task state costs.
    const one = await call('POST', '/instances', { token, body: { name: 'bench-alone', flavor: 'm1.tiny', image: 'cirros', network } });
    const oneTask = await waitTask(call, token, one.json.task.id);
    const oneMs = Date.parse(oneTask.ended_at) - Date.parse(oneTask.created_at);
    await waitTask(call, token, (await call('DELETE', `/instances/${one.json.id}`, { token })).json.task.id);

    const t0 = performance.now();
    const accepted = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        call('POST', '/instances', { token, body: { name: `bench-${i}`, flavor: 'm1.tiny', image: 'cirros', network: network } }),
      ),
    );
    const acceptedS = (performance.now() - t0) / 1000;
    const bad = accepted.filter((a) => a.status !== 202);
    if (bad.length) throw new Error(`${bad.length} creates refused: ${JSON.stringify(bad[0]!.json)}`);
    const tasks = await Promise.all(accepted.map((a) => waitTask(call, token, a.json.task.id)));
    const apiCreateS = (performance.now() - t0) / 1000;
    const succeeded = tasks.filter((t) => t.status === 'succeeded').length;
    const serversSeen = (await names(os, 'bench-')).length;
    const durations = tasks.map((t) => Date.parse(t.ended_at) - Date.parse(t.created_at));

    const t1 = performance.now();
    const deletes = await Promise.all(accepted.map((a) => call('DELETE', `/instances/${a.json.id}`, { token })));
    await Promise.all(deletes.map((d) => waitTask(call, token, d.json.task.id)));
    const apiDeleteS = (performance.now() - t1) / 1000;
    const leftAfterDelete = (await names(os, 'bench-')).length;

    // instance-create runs 3 Task states (create, check, finish) when the first check finds the server ACTIVE,
    // plus one Wait (the poll interval).
    const stepsPerCreate = 3;
    return {
      cloud: real ? `real OpenStack (${process.env.OS_AUTH_URL})` : 'simulator, 0 ms latency, instant transitions',
      n,
      apiCreateS,
      acceptedS,
      directCreateS: floor.createS,
      apiDeleteS,
      directDeleteS: floor.deleteS,
      taskMedianMs: quantile(durations, 0.5),
      taskP95Ms: quantile(durations, 0.95),
      stepsPerCreate,
      oneMs,
      oneFloorMs: floorOne.createS * 1000,
      overheadPerStepMs: Math.max(0, (oneMs - floorOne.createS * 1000 - pollMs) / stepsPerCreate),
      amortisedStepMs: (apiCreateS * 1000) / (n * stepsPerCreate),
      succeeded,
      serversSeen,
      leftAfterDelete,
    };
  } finally {
    await stack.stop();
  }
}

async function waitTask(call: ReturnType<typeof client>, token: string, id: string) {
  for (;;) {
    const r = await call('GET', `/tasks/${id}`, { token });
    if (['succeeded', 'failed', 'cancelled'].includes(r.json?.status)) return r.json;
    await sleep(50);
  }
}

export function printCloudCreate(r: CloudCreateResult): void {
  console.log(`| ${r.n} concurrent instance creates — ${r.cloud} | API (state machines) | direct client (floor) | ratio |`);
  console.log('|---|---:|---:|---:|');
  console.log(
    `| create → all ACTIVE, wall (s) | ${r.apiCreateS.toFixed(2)} | ${r.directCreateS.toFixed(2)} | ${(r.apiCreateS / r.directCreateS).toFixed(1)}× |`,
  );
  console.log(
    `| delete → all gone, wall (s) | ${r.apiDeleteS.toFixed(2)} | ${r.directDeleteS.toFixed(2)} | ${(r.apiDeleteS / r.directDeleteS).toFixed(1)}× |`,
  );
  console.log(`| … of which every POST answered 202 (s) | ${r.acceptedS.toFixed(2)} | | |`);
  console.log(`| each create task in the burst, median / p95 (ms) | ${r.taskMedianMs} / ${r.taskP95Ms} | | |`);
  console.log(`| one create alone → ACTIVE (ms) | ${r.oneMs} | ${r.oneFloorMs.toFixed(0)} | ${(r.oneMs / r.oneFloorMs).toFixed(1)}× |`);
  console.log(`| orchestration overhead per Task state, one create alone (ms) | ${r.overheadPerStepMs.toFixed(0)} | | |`);
  console.log(`| burst wall ÷ Task states run (${r.n} × ${r.stepsPerCreate}), ms | ${r.amortisedStepMs.toFixed(1)} | | |`);
  console.log(`| tasks succeeded / servers seen / left after delete | ${r.succeeded} / ${r.serversSeen} / ${r.leftAfterDelete} | | |\n`);
}
