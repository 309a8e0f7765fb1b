/** The drift reconciliation against the OpenStack simulator: changes made outside the API are detected and recorded. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudApi, Handler } from '../helpers/cloud-api.js';

let api: CloudApi;
let h: Handler;
let catalog: Handler;

beforeAll(async () => {
  const { startCloudApi } = await import('../helpers/cloud-api.js');
  api = await startCloudApi();
  h = (await import('../../functions/http/instances.js')).handler as Handler;
  catalog = (await import('../../functions/http/catalog.js')).handler as Handler;
}, 60_000);

afterAll(async () => {
  await api?.stop();
});

async function instance(name: string) {
  const res = await api.call(h, 'POST', '/api/v1/instances', { token: api.adminToken, body: { name, flavor: 'm1.tiny', image: 'cirros' } });
  expect((await api.task(res.body.task.id)).status).toBe('succeeded');
  return (await api.call(h, 'GET', `/api/v1/instances/${res.body.id}`, { token: api.adminToken })).body;
}

describe('cloud reconciliation', () => {
  it('records servers deleted, renamed or resized outside the API, clears drift that no longer holds, audits it', async () => {
    const { reconcile } = await import('../../lib/compute/reconcile.js');
    const { cloud } = await import('../../lib/compute/cloud.js');
    const os = cloud();
    expect((await api.call(catalog, 'GET', '/api/v1/cloud/reconciliation', { token: api.adminToken })).status).toBe(404);
    const [kept, renamed, resized, deleted] = await Promise.all(['kept', 'renamed', 'resized', 'deleted'].map(instance));

    await os.nova.updateServer(renamed.openstack_id, { name: 'renamed-by-hand' });
    const small = (await os.nova.listFlavorsPage({})).items.find((f) => f.name === 'm1.small')!;
    await os.nova.resize(resized.openstack_id, small.id);
    await os.nova.deleteServer(deleted.openstack_id);
    await new Promise((r) => setTimeout(r, 200));

    const report = await reconcile(api.p.db, os, ['instance']);
    expect(report.checked.instance).toBe(4);
    const byId = Object.fromEntries(report.drift.map((d) => [d.id, d.drift]));
    expect(byId[kept.id]).toBeUndefined();
    expect(byId[deleted.id]).toMatchObject({ kind: 'deleted' });
    expect(byId[renamed.id]).toMatchObject({
      kind: 'changed',
      changes: [{ attribute: 'name', recorded: 'renamed', actual: 'renamed-by-hand' }],
    });
    expect(byId[resized.id]?.changes).toEqual(
      expect.arrayContaining([{ attribute: 'flavor_name', recorded: 'm1.tiny', actual: 'm1.small' }]),
    );

    const gone = await api.call(h, 'GET', `/api/v1/instances/${deleted.id}`, { token: api.adminToken });
    expect(gone.body).toMatchObject({ status: 'DELETED', drift: { kind: 'deleted' } });
    const last = await api.call(catalog, 'GET', '/api/v1/cloud/reconciliation', { token: api.adminToken });
    expect(last.status).toBe(200);
    expect(last.body.drift).toHaveLength(3);

    const { queryAudit } = await import('../../lib/audit/audit.js');
    const audit = await queryAudit(api.p.db, { action: 'cloud.drift', limit: 50, offset: 0 } as never);
    expect(audit.data.map((e: any) => e.target)).toEqual(expect.arrayContaining([`instance:${deleted.id}`, `instance:${renamed.id}`]));

    // The same drift is not recorded twice; fixed drift is cleared.
    await os.nova.updateServer(renamed.openstack_id, { name: 'renamed' });
    const again = await reconcile(api.p.db, os, ['instance']);
    expect(again.drift.map((d) => d.id)).not.toContain(deleted.id);
    expect(again.cleared.map((c) => c.id)).toContain(renamed.id);
    const fixed = await api.call(h, 'GET', `/api/v1/instances/${renamed.id}`, { token: api.adminToken });
    expect(fixed.body.drift).toBeUndefined();
  });

  it('releases a record held by a task that already ended, and sweeps what a failed workflow left', async () => {
    const { reconcile } = await import('../../lib/compute/reconcile.js');
    const { cloud } = await import('../../lib/compute/cloud.js');
    const records = await import('../../lib/compute/records.js');
    const os = cloud();
    const vm = await instance('stale');
    // A crashed workflow: the record still says a (finished) task holds it, and a server it made is recorded.
    const stray = await os.nova.createServer({ name: 'stray', flavorRef: '1', imageRef: vm.image.id, networks: 'none' } as never);
    const bad = records.newRecord('instance', { name: 'crashed', owner: 'uid=admin', department: api.baseDn, request: {}, state: 'error' });
    bad.made = [{ type: 'server', id: stray.id }];
    await records.putRecord(api.p.db, bad);
    await records.patchRecord(api.p.db, 'instance', vm.id, { busy_task: vm.id });
    const { createTask } = await import('../../lib/tasks/task-store.js');
    const now = new Date().toISOString();
    await createTask(api.p.db, {
      id: vm.id,
      type: 'instance.resize',
      status: 'failed',
      progress: 0,
      owner: 'x',
      created_at: now,
      updated_at: now,
    });

    const report = await reconcile(api.p.db, os, ['instance']);
    expect(report.released).toEqual([{ kind: 'instance', id: vm.id, task: vm.id }]);
    expect(report.swept.find((s) => s.id === bad.id)).toBeDefined();
    await new Promise((r) => setTimeout(r, 200));
    await reconcile(api.p.db, os, ['instance']);
    expect((await records.getRecord(api.p.db, 'instance', bad.id)).made).toEqual([]);
    expect(Object.values(api.cloud.state.servers).some((s: any) => s.id === stray.id)).toBe(false);
    expect((await records.getRecord(api.p.db, 'instance', vm.id)).busy_task).toBeUndefined();
  });
});
