/** Floating IP association: the fixed IP must be reachable from the floating network through a router (Neutron's rule). */
import type { Wire } from './model.js';
import { inUse } from './neutron-api.js';
import { fixedIps, neutronError, notFound } from './neutron-core.js';
import type { Sim } from './sim.js';
import { isIpv4, isObject } from './util.js';

/** The router that connects `subnetId` to `externalNetworkId`, as required to associate a floating IP. */
function routerBetween(sim: Sim, subnetId: string, externalNetworkId: string): Wire | undefined {
  return Object.values(sim.state.routers).find(
    (r) =>
      isObject(r.external_gateway_info) &&
      r.external_gateway_info.network_id === externalNetworkId &&
      Object.values(sim.state.ports).some(
        (p) => p.device_id === r.id && p.device_owner === 'network:router_interface' && fixedIps(p).some((f) => f.subnet_id === subnetId),
      ),
  );
}

export function associate(sim: Sim, fip: Wire, portId: string | null, fixedIp?: unknown): void {
  if (portId === null) {
    Object.assign(fip, { port_id: null, fixed_ip_address: null, router_id: null, status: 'DOWN', port_details: null });
    sim.cancel(fip.id, 'neutron.fip.active');
    return;
  }
  const port = sim.state.ports[portId];
  if (!port) throw notFound('Port', portId);
  const v4 = fixedIps(port).filter((f) => isIpv4(f.ip_address));
  const chosen = typeof fixedIp === 'string' ? v4.find((f) => f.ip_address === fixedIp) : v4[0];
  if (!chosen)
    throw neutronError(
      400,
      'BadRequest',
      `Bad floatingip request: Port ${portId} does not have fixed ip ${typeof fixedIp === 'string' ? fixedIp : ''}.`,
    );
  const ext = String(fip.floating_network_id);
  const taken = Object.values(sim.state.floatingips).find(
    (f) => f.id !== fip.id && f.port_id === portId && f.fixed_ip_address === chosen.ip_address,
  );
  if (taken)
    throw inUse(
      'FloatingIPPortAlreadyAssociated',
      `Cannot associate floating IP ${String(fip.floating_ip_address)} (${fip.id}) with port ${portId} using fixed IP ${chosen.ip_address}, as that fixed IP already has a floating IP on external network ${ext}.`,
    );
  const router = routerBetween(sim, chosen.subnet_id, ext);
  if (!router)
    throw neutronError(
      404,
      'ExternalGatewayForFloatingIPNotFound',
      `External network ${ext} is not reachable from subnet ${chosen.subnet_id}.  Therefore, cannot associate Port ${portId} with a Floating IP.`,
    );
  Object.assign(fip, {
    port_id: portId,
    fixed_ip_address: chosen.ip_address,
    router_id: router.id,
    port_details: {
      name: port.name,
      network_id: port.network_id,
      mac_address: port.mac_address,
      admin_state_up: port.admin_state_up,
      status: port.status,
      device_id: port.device_id,
      device_owner: port.device_owner,
    },
  });
  // The L3 agent reports the floating IP ACTIVE a moment after the association.
  sim.later('neutron.fip.active', fip.id);
}
