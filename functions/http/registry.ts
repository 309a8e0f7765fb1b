import type { Route } from '../../lib/http/types.js';
import { routes as auth } from './auth.js';
import { routes as apiKeys } from './api-keys.js';
import { routes as audit } from './audit.js';
import { routes as tasks } from './tasks.js';
import { routes as platformRoutes } from './platform.js';
import { routes as users } from './users.js';
import { routes as groups } from './groups.js';
import { routes as sshKeys } from './ssh-keys.js';
import { routes as sudo } from './sudo.js';
import { routes as systems } from './systems.js';
import { routes as departments } from './departments.js';
import { routes as config } from './config.js';
import { routes as plugins } from './plugins.js';
import { routes as mail } from './mail.js';
import { routes as acl } from './acl.js';
import { routes as schema } from './schema.js';
import { routes as dns } from './dns.js';
import { routes as dhcp } from './dhcp.js';
import { routes as instances } from './instances.js';
import { routes as catalog } from './catalog.js';
import { routes as loadBalancers } from './load-balancers.js';
import { routes as volumes } from './volumes.js';
import { routes as networks } from './networks.js';

/** Every route the API serves, by function: the OpenAPI document and the 404/405 fallback read it. */
export const FUNCTION_ROUTES: Record<string, Route<any, any, any>[]> = {
  auth,
  apiKeys,
  audit,
  tasks,
  platform: platformRoutes,
  users,
  groups,
  sshKeys,
  sudo,
  systems,
  departments,
  config,
  plugins,
  mail,
  acl,
  schema,
  dns,
  dhcp,
  instances,
  catalog,
  loadBalancers,
  volumes,
  networks,
};

export const ALL_ROUTES = Object.values(FUNCTION_ROUTES).flat();
