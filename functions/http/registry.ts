import type { Route } from '../../lib/http/types.js';
import { routes as auth } from './auth.js';
import { routes as apiKeys } from './api-keys.js';
import { routes as audit } from './audit.js';
import { routes as tasks } from './tasks.js';
import { routes as platformRoutes } from './platform.js';
import { routes as users } from './users.js';
import { routes as groups } from './groups.js';
import { routes as sshKeys } from './ssh-keys.js';

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
};

export const ALL_ROUTES = Object.values(FUNCTION_ROUTES).flat();
