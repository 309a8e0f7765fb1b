/** Neutron security groups: the per-project `default` group (created on first sight, undeletable) and user groups. */
import { reply, type OsRequest, type Router } from './http.js';
import { envelope, findVisible, inUse, list, projectOf, show } from './neutron-api.js';
import { checkNeutronQuota, defaultSecurityGroup, neutronError, newSecurityGroup } from './neutron-core.js';
import type { Sim } from './sim.js';

export function registerSecurityGroups(sim: Sim, router: Router): void {
  const st = () => sim.state;
  const project = (req: OsRequest) => projectOf(req.token!);
  router
    .on('GET', '/v2.0/security-groups', (req) => {
      defaultSecurityGroup(sim, project(req));
      return list(sim, req, 'security_groups', 'SecurityGroup', Object.values(st().securityGroups));
    })
    .on('GET', '/v2.0/security-groups/:id', (req, { id }) =>
      show(req, 'security_group', findVisible(sim, req.token!, st().securityGroups, 'SecurityGroup', id!)),
    )
    .on('POST', '/v2.0/security-groups', (req) => {
      const inner = envelope(req, 'security_group', ['name', 'description', 'tenant_id', 'project_id', 'stateful']);
      defaultSecurityGroup(sim, project(req));
      checkNeutronQuota(sim, project(req), 'security_group');
      const sg = newSecurityGroup(sim, project(req), String(inner.name ?? ''), String(inner.description ?? ''));
      return reply(201, { security_group: sg });
    })
    .on('DELETE', '/v2.0/security-groups/:id', (req, { id }) => {
      const sg = findVisible(sim, req.token!, st().securityGroups, 'SecurityGroup', id!);
      if (sg.name === 'default')
        throw neutronError(409, 'SecurityGroupCannotRemoveDefault', 'Insufficient rights for removing default security group.');
      if (Object.values(st().ports).some((p) => (p.security_groups as string[]).includes(sg.id)))
        throw inUse('SecurityGroupInUse', `Security Group ${sg.id} in use.`);
      delete st().securityGroups[sg.id];
      return reply(204);
    });
}
