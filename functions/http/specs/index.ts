import type { RouteSpec } from '../../../lib/http/types.js';
import * as auth from './auth.js';
import * as apiKeys from './api-keys.js';
import * as audit from './audit.js';
import * as tasks from './tasks.js';
import * as platform from './platform.js';
import * as users from './users.js';
import * as groups from './groups.js';
import * as sshKeys from './ssh-keys.js';
import * as sudo from './sudo.js';
import * as systems from './systems.js';
import * as departments from './departments.js';
import * as config from './config.js';
import * as plugins from './plugins.js';
import * as mail from './mail.js';
import * as acl from './acl.js';
import * as schema from './schema.js';
import * as dns from './dns.js';
import * as dhcp from './dhcp.js';
import * as instances from './instances.js';
import * as catalog from './catalog.js';
import * as volumes from './volumes.js';
import * as networks from './networks.js';
import * as loadBalancers from './load-balancers.js';

/**
 * Every route the API serves, as specs only, in the order of `ALL_ROUTES` (../registry.ts; a unit test keeps
 * the two equal). The OpenAPI document and the 404/405 fallback read this list: unlike the registry, it does
 * not pull every function's handlers (LDAP, workflows, exports, …) into their bundles.
 */
export const ALL_SPECS: RouteSpec<any, any, any>[] = [
  ...[auth.login, auth.refresh, auth.logout, auth.me],
  ...[apiKeys.authenticate, apiKeys.validate, apiKeys.createKey, apiKeys.listKeys, apiKeys.revokeKey],
  ...[audit.auditLogs, audit.securityLogs, audit.createExport, audit.downloadExport],
  ...[tasks.listTasks, tasks.getTask, tasks.taskLogs, tasks.cancelTask],
  ...[platform.health, platform.info, platform.jwks, platform.openapi, platform.docs],
  ...[
    users.listUsers,
    users.getUser,
    users.createUser,
    users.updateUser,
    users.deleteUser,
    users.changePassword,
    users.lockUser,
    users.unlockUser,
  ],
  ...[
    groups.listGroups,
    groups.getGroup,
    groups.createGroup,
    groups.updateGroup,
    groups.deleteGroup,
    groups.addMembers,
    groups.removeMembers,
  ],
  ...[sshKeys.listSshKeys, sshKeys.addSshKey, sshKeys.deleteSshKey],
  ...[sudo.listSudoRules, sudo.getSudoRule, sudo.createSudoRule, sudo.updateSudoRule, sudo.deleteSudoRule],
  ...[systems.listSystems, systems.getSystem, systems.createSystem, systems.updateSystem, systems.deleteSystem],
  ...[
    departments.listDepartments,
    departments.departmentTree,
    departments.getDepartment,
    departments.createDepartment,
    departments.updateDepartment,
    departments.deleteDepartment,
  ],
  ...[config.listConfig, config.getConfig, config.putConfig, config.resetConfig],
  ...[plugins.listPlugins, plugins.getPlugin, plugins.enablePlugin, plugins.disablePlugin],
  ...[mail.getMailAccount, mail.saveMailAccount, mail.deactivateMailAccount],
  ...[
    acl.listRoles,
    acl.getRole,
    acl.createRole,
    acl.updateRole,
    acl.deleteRole,
    acl.listAssignments,
    acl.createAssignment,
    acl.deleteAssignment,
    acl.checkAccess,
  ],
  ...[schema.listObjectTypes, schema.objectTypeForm],
  ...[dns.listZones, dns.createZone, dns.getZone, dns.deleteZone, dns.listRecords, dns.createRecord, dns.deleteRecord],
  ...[
    dhcp.listServices,
    dhcp.createService,
    dhcp.listSubnets,
    dhcp.createSubnet,
    dhcp.listHosts,
    dhcp.createHost,
    dhcp.listObjects,
    dhcp.createObject,
    dhcp.getObject,
    dhcp.updateObject,
    dhcp.deleteObject,
  ],
  ...[
    instances.createInstance,
    instances.listInstances,
    instances.getInstance,
    instances.updateInstance,
    instances.deleteInstance,
    instances.instanceAction,
  ],
  ...[catalog.listFlavors, catalog.listImages, catalog.getQuotas, catalog.lastReconciliation],
  ...[loadBalancers.createLoadBalancer, loadBalancers.listLoadBalancers, loadBalancers.getLoadBalancer, loadBalancers.deleteLoadBalancer],
  ...[
    volumes.createVolume,
    volumes.listVolumes,
    volumes.getVolume,
    volumes.extendVolume,
    volumes.attachVolume,
    volumes.detachVolume,
    volumes.deleteVolume,
    volumes.createSnapshot,
    volumes.listSnapshots,
    volumes.getSnapshot,
    volumes.deleteSnapshot,
  ],
  ...[
    networks.createNetwork,
    networks.listNetworks,
    networks.getNetwork,
    networks.deleteNetwork,
    networks.createFloatingIp,
    networks.listFloatingIps,
    networks.getFloatingIp,
    networks.associateFloatingIp,
    networks.disassociateFloatingIp,
    networks.deleteFloatingIp,
  ],
];
