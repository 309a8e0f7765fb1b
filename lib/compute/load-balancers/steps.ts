/**
 * The steps of the load-balancer state machines:
 * - load-balancer-create: `load-balancer.create` → Wait/`load-balancer.advance` (⇄ until ready) →
 *   `load-balancer.finish-create`. Octavia locks a load balancer (PENDING_UPDATE) while any child is being
 *   made and answers 409 to the next change, so `advance` makes one child per call, and only when the load
 *   balancer is ACTIVE: it reads the live tree, finds the first piece of the plan that is missing (listener →
 *   its pool → each member → the monitor, listener after listener), makes it, and waits again. Looking at the
 *   live tree first makes it idempotent: a child whose create answer was lost is found, not made twice.
 * - cloud-delete through the hooks: a cascade delete, waited until Octavia answers 404.
 * Compensation deletes the load balancer with a cascade (made type `loadbalancer`), so nothing it holds is left.
 */
import { ConflictError, is404, unless404 } from '../../core/errors.js';
import { reportProgress } from '../../tasks/workflows.js';
import type { LoadBalancer, OpenStackClient } from '../../providers/openstack/index.js';
import { type KindHooks } from '../kinds.js';
import { getRecord, type CloudRecord } from '../records.js';
import {
  madeMainObject,
  cloudFault,
  finishCloudTask,
  nextRound,
  progress,
  readyState,
  type CloudState,
  type Step,
  type StepEnv,
} from '../workflow.js';
import { childName, liveListenerFor, liveTree, loadBalancerView, planOf, recordTag, type LiveTree } from './service.js';

/** A load balancer a previous attempt of this step made (the answer was lost): found by name and our tag. */
async function adoptable(os: OpenStackClient, r: CloudRecord): Promise<LoadBalancer | undefined> {
  for await (const lb of os.octavia.loadBalancers.list({ name: r.name }))
    if (lb.tags?.includes(recordTag(r.id)) && lb.provisioning_status !== 'PENDING_DELETE') return lb;
  return undefined;
}

const isError = (o: { provisioning_status: string }) => o.provisioning_status === 'ERROR';
const isPending = (o: { provisioning_status: string }) => o.provisioning_status.startsWith('PENDING_');

/** The next child the plan needs, made now; undefined when the tree is complete. */
async function makeNext(os: OpenStackClient, r: CloudRecord, tree: LiveTree): Promise<string | undefined> {
  const plan = planOf(r);
  const lbId = tree.lb.id;
  for (const l of plan.listeners) {
    const name = childName(r.name, l);
    const live = liveListenerFor(tree, l);
    if (!live) {
      await os.octavia.listeners.create({ loadbalancer_id: lbId, name, protocol: l.protocol, protocol_port: l.port });
      return `Listener ${l.protocol} ${l.port} requested`;
    }
    if (isError(live.listener)) throw cloudFault(`Listener ${l.protocol} ${l.port} (${live.listener.id})`, undefined);
    if (!live.pool) {
      await os.octavia.pools.create({ listener_id: live.listener.id, name, protocol: l.protocol, lb_algorithm: plan.algorithm });
      return `Pool ${plan.algorithm} for ${l.protocol} ${l.port} requested`;
    }
    const { pool, members, monitor } = live.pool;
    if (isError(pool)) throw cloudFault(`Pool ${pool.id} of ${l.protocol} ${l.port}`, undefined);
    for (const m of plan.members) {
      const have = members.find((x) => x.address === m.address && x.protocol_port === m.port);
      if (have) {
        if (isError(have)) throw cloudFault(`Member ${m.address}:${m.port} (${have.id})`, undefined);
        continue;
      }
      await os.octavia.members(pool.id).create({
        name: m.instance_id ? `${name}-${m.instance_id}` : `${name}-${m.address}`,
        address: m.address,
        protocol_port: m.port,
        ...(m.subnet_id && { subnet_id: m.subnet_id }),
      });
      return `Member ${m.address}:${m.port} of ${l.protocol} ${l.port} requested`;
    }
    const hm = plan.health_monitor;
    if (hm && !monitor) {
      await os.octavia.healthMonitors.create({
        pool_id: pool.id,
        name,
        type: hm.type,
        delay: hm.delay,
        timeout: hm.timeout,
        max_retries: hm.max_retries,
        ...(hm.url_path !== undefined && { url_path: hm.url_path }),
        ...(hm.expected_codes !== undefined && { expected_codes: hm.expected_codes }),
      });
      return `Health monitor ${hm.type} of ${l.protocol} ${l.port} requested`;
    }
    if (monitor && isError(monitor)) throw cloudFault(`Health monitor ${monitor.id} of ${l.protocol} ${l.port}`, undefined);
  }
  return undefined;
}

/** How many children the plan has, and how many the tree holds (progress). */
function countOf(r: CloudRecord, tree: LiveTree): { done: number; total: number } {
  const plan = planOf(r);
  const perListener = 2 + plan.members.length + (plan.health_monitor ? 1 : 0);
  let done = 0;
  for (const l of plan.listeners) {
    const live = liveListenerFor(tree, l);
    if (!live) continue;
    done += 1;
    if (!live.pool) continue;
    done += 1 + live.pool.members.length + (live.pool.monitor ? 1 : 0);
  }
  return { done: Math.min(done, plan.listeners.length * perListener), total: plan.listeners.length * perListener };
}

/** Anything of the tree still being provisioned (a child's own PENDING_* besides the load balancer's). */
const anyPending = (tree: LiveTree) =>
  (tree.listeners ?? []).some(
    (l) =>
      isPending(l.listener) ||
      (l.pool && (isPending(l.pool.pool) || l.pool.members.some(isPending) || (l.pool.monitor && isPending(l.pool.monitor)))),
  );

export const loadBalancerSteps: Record<string, Step> = {
  async 'load-balancer.create'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'load-balancer', s.id);
    if (r.cloud_id) return { ...s, ready: false };
    const plan = planOf(r);
    let lb = await adoptable(os, r);
    if (!lb) {
      lb = await os.octavia.loadBalancers.create({
        name: r.name,
        ...(plan.description && { description: plan.description }),
        vip_subnet_id: plan.subnet_id,
        tags: [recordTag(r.id)],
      });
    }
    return madeMainObject(
      db,
      s,
      { type: 'loadbalancer', id: lb.id },
      { progress: 10, step: 'provision', message: `Load balancer ${lb.id} requested (VIP ${lb.vip_address})` },
      { spec: { ...r.spec, vip_address: lb.vip_address, vip_port_id: lb.vip_port_id } },
    );
  },

  async 'load-balancer.advance'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'load-balancer', s.id);
    const tree = await liveTree(os, r);
    if (!tree) throw cloudFault('The load balancer', 'it disappeared from the cloud');
    const { lb } = tree;
    if (isError(lb)) throw cloudFault(`Load balancer ${lb.id}`, `provisioning_status ERROR, operating_status ${lb.operating_status}`);
    const { done, total } = countOf(r, tree);
    const share = total ? done / total : 1;
    if (isPending(lb) || anyPending(tree)) {
      if (lb.provisioning_status === 'PENDING_CREATE') await progress(db, s, 'provision', 10, 30);
      return nextRound(s, `load balancer ${lb.id} to become ACTIVE`);
    }
    const made = await makeNext(os, r, tree);
    if (!made) return readyState(s);
    await reportProgress(db, s.taskId, { progress: Math.round(30 + 65 * share), step: 'configure', message: made });
    return { ...s, ready: false, poll: { ...s.poll, round: 0 } };
  },

  async 'load-balancer.finish-create'(s: CloudState, { db, os }: StepEnv) {
    const r = await getRecord(db, 'load-balancer', s.id);
    const tree = await liveTree(os, r);
    await finishCloudTask(
      db,
      s,
      { state: 'active', made: [] },
      { load_balancer: loadBalancerView({ ...r, state: 'active', busy_task: undefined }, tree) },
    );
    return s;
  },
};

/** Cascade delete; a load balancer busy with another change (409) is asked again by `gone`. */
async function cascade(os: OpenStackClient, id: string): Promise<void> {
  try {
    await is404(() => os.octavia.deleteLoadBalancerCascade(id));
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
  }
}

export const loadBalancerHooks: KindHooks = {
  async destroy(r, os) {
    await cascade(os, r.cloud_id!);
  },
  async gone(r, os) {
    const lb = await unless404(() => os.octavia.loadBalancers.get(r.cloud_id!));
    if (!lb || lb.provisioning_status === 'DELETED') return true;
    if (lb.provisioning_status === 'ERROR') throw cloudFault(`Load balancer ${lb.id}`, 'its deletion failed');
    // The delete was refused while another change held it (409): ask again now that it is free.
    if (lb.provisioning_status === 'ACTIVE') await cascade(os, lb.id);
    return false;
  },
};
