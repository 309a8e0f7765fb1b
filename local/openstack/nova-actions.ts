/** Nova server actions (resize/confirm/revert, start/stop, reboot) and volume attachments, with their state guards. */
import { reply, type OsRequest, type Router } from './http.js';
import type { Microversion } from './microversion.js';
import { wrappedFault as fault } from './microversion.js';
import type { Server } from './model.js';
import { setPortsStatus } from './neutron-core.js';
import { findServer } from './nova-servers.js';
import { checkComputeQuota } from './nova-view.js';
import type { Sim } from './sim.js';
import { isObject } from './util.js';

/**
 * The server an action applies to. While it is still being scheduled Nova only has a build request, which
 * actions cannot find: 404, as for an unknown server (GET and DELETE do see it).
 */
function actionTarget(sim: Sim, req: OsRequest, id: string): Server {
  const s = findServer(sim, req.token!, id);
  if (s.vmState === 'building' && s.taskState === 'scheduling') throw fault(404, `Instance ${id} could not be found.`);
  return s;
}

/** Nova's check_instance_state: vm_state first, then task_state. */
function guard(s: Server, action: string, vmStates: string[], taskStates: Array<string | null> = [null]): void {
  if (!vmStates.includes(s.vmState)) throw fault(409, `Cannot '${action}' instance ${s.id} while it is in vm_state ${s.vmState}`);
  if (!taskStates.includes(s.taskState)) throw fault(409, `Cannot '${action}' instance ${s.id} while it is in task_state ${s.taskState}`);
}

export function registerActions(sim: Sim, router: Router, mvOf: (req: OsRequest) => Microversion): void {
  const st = () => sim.state;
  const touch = (s: Server) => (s.updated = sim.iso());

  sim.handle('nova.resize.migrating', (id) => {
    const s = st().servers[id];
    if (s?.taskState === 'resize_prep') s.taskState = 'resize_migrating';
  });
  sim.handle('nova.resize', (id, newFlavor) => {
    const s = st().servers[id];
    if (!s || !s.taskState?.startsWith('resize_')) return;
    Object.assign(s, { oldFlavorId: s.flavorId, flavorId: newFlavor, vmState: 'resized', taskState: null, powerState: 1 });
    setPortsStatus(sim, s.id, 'ACTIVE');
    touch(s);
  });
  sim.handle('nova.resize.end', (id, arg) => {
    const s = st().servers[id];
    if (!s || s.vmState !== 'resized') return;
    if (arg === 'revert' && s.oldFlavorId) s.flavorId = s.oldFlavorId;
    // A server resized while SHUTOFF is SHUTOFF again after the confirm and after the revert (Nova's old_vm_state).
    const stopped = s.resumeState === 'stopped';
    Object.assign(s, {
      vmState: stopped ? 'stopped' : 'active',
      taskState: null,
      powerState: stopped ? 4 : 1,
      oldFlavorId: undefined,
      resumeState: undefined,
    });
    if (stopped) setPortsStatus(sim, s.id, 'DOWN');
    touch(s);
  });
  sim.handle('nova.power', (id, to) => {
    const s = st().servers[id];
    if (!s || s.taskState === 'deleting') return;
    Object.assign(s, { vmState: to === 'off' ? 'stopped' : 'active', taskState: null, powerState: to === 'off' ? 4 : 1 });
    setPortsStatus(sim, s.id, to === 'off' ? 'DOWN' : 'ACTIVE');
    touch(s);
  });
  sim.handle('cinder.attached', (volumeId, serverId) => {
    const v = st().volumes[volumeId];
    if (v?.status === 'attaching' && st().servers[serverId ?? '']) Object.assign(v, { status: 'in-use', updated: sim.iso() });
  });
  sim.handle('cinder.detached', (volumeId) => {
    const v = st().volumes[volumeId];
    if (v?.status === 'detaching') Object.assign(v, { status: 'available', attachments: [], updated: sim.iso() });
  });

  const actions: Record<string, (s: Server, arg: unknown, req: OsRequest) => number> = {
    resize(s, arg) {
      guard(s, 'resize', ['active', 'stopped']);
      if (!isObject(arg) || arg.flavorRef === undefined)
        throw fault(400, `Invalid input for field/attribute resize. Value: ${JSON.stringify(arg)}. 'flavorRef' is a required property`);
      const target = st().flavors[String(arg.flavorRef).split('/').pop()!];
      if (!target) throw fault(400, 'Unable to locate requested flavor.');
      if (target.id === s.flavorId) throw fault(400, 'When resizing, instances must change flavor!');
      const current = st().flavors[s.flavorId]!;
      if (s.imageId && target.disk < current.disk) throw fault(400, 'Resize error: Unable to resize disk down.');
      checkComputeQuota(sim, s.projectId, {
        cores: target.vcpus - current.vcpus,
        ram: target.ram - current.ram,
      });
      Object.assign(s, { taskState: 'resize_prep', resumeState: s.vmState });
      sim.later('nova.resize.migrating', s.id, 0.5);
      sim.later('nova.resize', s.id, 1, target.id);
      return 202;
    },
    confirmResize(s) {
      guard(s, 'confirmResize', ['resized']);
      if (sim.pending(s.id)) throw fault(409, `Cannot 'confirmResize' instance ${s.id} while it is in task_state resize_confirming`);
      sim.later('nova.resize.end', s.id, 0.2, 'confirm');
      return 204;
    },
    revertResize(s) {
      guard(s, 'revertResize', ['resized']);
      s.taskState = 'resize_reverting';
      sim.later('nova.resize.end', s.id, 1, 'revert');
      return 202;
    },
    'os-stop'(s) {
      guard(s, 'stop', ['active', 'error']);
      s.taskState = 'powering-off';
      sim.later('nova.power', s.id, 1, 'off');
      return 202;
    },
    'os-start'(s) {
      guard(s, 'start', ['stopped']);
      s.taskState = 'powering-on';
      sim.later('nova.power', s.id, 1, 'on');
      return 202;
    },
    reboot(s, arg) {
      const type = isObject(arg) ? arg.type : undefined;
      if (typeof type !== 'string' || !['HARD', 'SOFT'].includes(type.toUpperCase()))
        throw fault(
          400,
          `Invalid input for field/attribute type. Value: ${String(type)}. '${String(type)}' is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']`,
        );
      const hard = type.toUpperCase() === 'HARD';
      if (hard)
        guard(s, 'reboot', ['active', 'stopped', 'error', 'paused', 'suspended'], [null, 'rebooting', 'reboot_pending', 'reboot_started']);
      else guard(s, 'reboot', ['active']);
      s.taskState = hard ? 'rebooting_hard' : 'rebooting';
      sim.later('nova.power', s.id, 1, 'on');
      return 202;
    },
  };

  router.on('POST', '/v2.1/servers/:id/action', (req, { id }) => {
    mvOf(req);
    const s = actionTarget(sim, req, id!);
    if (!isObject(req.body) || Object.keys(req.body).length !== 1) throw fault(400, 'Malformed request body');
    const [name, arg] = Object.entries(req.body)[0]!;
    const action = actions[name];
    if (!action) throw fault(400, `There is no such action: ${name}`);
    const status = action(s, arg, req);
    touch(s);
    return reply(status);
  });

  const attachmentView = (req: OsRequest, s: Server, a: Server['volumes'][number]) => {
    const mv = mvOf(req);
    const v: Record<string, unknown> = { id: a.volumeId, serverId: s.id, volumeId: a.volumeId, device: a.device };
    if (mv.minor >= 70) v.tag = null;
    if (mv.minor >= 79) v.delete_on_termination = a.deleteOnTermination;
    if (mv.minor >= 89) {
      delete v.id;
      Object.assign(v, { attachment_id: a.attachmentId, bdm_uuid: a.attachmentId });
    }
    return v;
  };
  const attachment = (s: Server, volumeId: string) => {
    const a = s.volumes.find((x) => x.volumeId === volumeId);
    if (!a) throw fault(404, `Volume ${volumeId} is not attached to the instance ${s.id}.`);
    return a;
  };

  router
    .on('GET', '/v2.1/servers/:id/os-volume_attachments', (req, { id }) => {
      const s = findServer(sim, req.token!, id!);
      return reply(200, { volumeAttachments: s.volumes.map((a) => attachmentView(req, s, a)) });
    })
    .on('GET', '/v2.1/servers/:id/os-volume_attachments/:vol', (req, { id, vol }) => {
      const s = findServer(sim, req.token!, id!);
      return reply(200, { volumeAttachment: attachmentView(req, s, attachment(s, vol!)) });
    })
    .on('POST', '/v2.1/servers/:id/os-volume_attachments', (req, { id }) => {
      const s = actionTarget(sim, req, id!);
      const body = isObject(req.body) && isObject(req.body.volumeAttachment) ? req.body.volumeAttachment : undefined;
      if (!body || typeof body.volumeId !== 'string')
        throw fault(
          400,
          `Invalid input for field/attribute volumeAttachment. Value: ${JSON.stringify(req.body)}. 'volumeId' is a required property`,
        );
      guard(s, 'attach_volume', ['active', 'paused', 'stopped', 'resized', 'suspended', 'shelved', 'shelved_offloaded']);
      const v = st().volumes[body.volumeId];
      if (!v || v.projectId !== s.projectId) throw fault(404, `Volume ${body.volumeId} could not be found.`);
      if (v.status !== 'available')
        throw fault(400, `Invalid volume: volume '${v.id}' status must be 'available'. Currently in '${v.status}'`);
      const used = new Set(s.volumes.map((a) => a.device));
      let letter = 'b';
      while (used.has(`/dev/vd${letter}`)) letter = String.fromCharCode(letter.charCodeAt(0) + 1);
      const a = {
        volumeId: v.id,
        device: `/dev/vd${letter}`,
        attachmentId: sim.ids.uuid(),
        deleteOnTermination: body.delete_on_termination === true,
      };
      s.volumes.push(a);
      Object.assign(v, {
        status: 'attaching',
        updated: sim.iso(),
        attachments: [{ serverId: s.id, attachmentId: a.attachmentId, device: a.device, attachedAt: sim.iso() }],
      });
      sim.later('cinder.attached', v.id, 0.5, s.id);
      return reply(200, { volumeAttachment: attachmentView(req, s, a) });
    })
    .on('DELETE', '/v2.1/servers/:id/os-volume_attachments/:vol', (req, { id, vol }) => {
      const s = findServer(sim, req.token!, id!);
      const a = attachment(s, vol!);
      if (a.device === '/dev/vda' && !s.imageId) throw fault(400, "Can't detach root device volume");
      guard(s, 'detach_volume', ['active', 'paused', 'stopped', 'resized', 'suspended', 'shelved', 'shelved_offloaded']);
      s.volumes = s.volumes.filter((x) => x !== a);
      const v = st().volumes[a.volumeId];
      if (v) {
        Object.assign(v, { status: 'detaching', updated: sim.iso() });
        sim.later('cinder.detached', v.id, 0.5);
      }
      return reply(202);
    });
}
