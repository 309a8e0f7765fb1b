// The contract of the load-balancer routes (apibibind spec §1b "POST /load-balancer"): path, permission, schemas.
import { routeSpec } from '../../../lib/http/http-function.js';
import * as z from '../../../lib/http/zod.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { ErrorBody, TaskRef } from '../../../lib/http/openapi-schemas.js';
import { IdParams } from '../../../lib/compute/schemas.js';
import { CreateLoadBalancerBody, LoadBalancerListQuery, LoadBalancerView } from '../../../lib/compute/load-balancers/schemas.js';

const withTask = z.extend(LoadBalancerView, { task: TaskRef });
const errors = {
  400: {
    description: 'VALIDATION_ERROR (an unknown network or subnet, or a member instance without an address on it, names the field)',
    schema: ErrorBody,
  },
  403: { description: 'FORBIDDEN', schema: ErrorBody },
  503: { description: 'SERVICE_UNAVAILABLE (openstack or the workflow engine)', schema: ErrorBody },
};

export const createLoadBalancer = routeSpec({
  method: 'POST',
  path: '/api/v1/load-balancer',
  summary:
    'Create a load balancer with its listeners, one pool per listener holding every member, and a health monitor (long-running: 202 + task)',
  tags: ['load-balancers'],
  permission: 'load-balancer:c',
  scoped: true,
  idempotent: true,
  body: CreateLoadBalancerBody,
  responses: {
    202: { description: 'The load balancer, PENDING_CREATE, with its task; Location: the task', schema: withTask },
    ...errors,
  },
});

export const listLoadBalancers = routeSpec({
  method: 'GET',
  path: '/api/v1/load-balancers',
  summary: 'Load balancers the caller may read, with their live provisioning and operating status',
  tags: ['load-balancers'],
  permission: 'load-balancer:r',
  scoped: true,
  query: LoadBalancerListQuery,
  responses: { 200: { description: 'Load balancers', schema: PageOf(LoadBalancerView) }, ...errors },
});

export const getLoadBalancer = routeSpec({
  method: 'GET',
  path: '/api/v1/load-balancer/{id}',
  summary: 'A load balancer: VIP, statuses, listeners with their pool, members and health monitor (live), owner, department',
  tags: ['load-balancers'],
  permission: 'load-balancer:r',
  scoped: true,
  params: IdParams,
  responses: {
    200: { description: 'The load balancer', schema: LoadBalancerView },
    404: { description: 'LOAD_BALANCER_NOT_FOUND', schema: ErrorBody },
    ...errors,
  },
});

export const deleteLoadBalancer = routeSpec({
  method: 'DELETE',
  path: '/api/v1/load-balancer/{id}',
  summary:
    'Delete a load balancer with everything it holds (cascade; 202 + task; it then answers 404). A second delete answers the same task.',
  tags: ['load-balancers'],
  permission: 'load-balancer:d',
  scoped: true,
  params: IdParams,
  responses: {
    202: { description: 'Deleting, with its task', schema: withTask },
    404: { description: 'LOAD_BALANCER_NOT_FOUND', schema: ErrorBody },
    409: { description: 'RESOURCE_BUSY (another task is changing it: cancel it first)', schema: ErrorBody },
    ...errors,
  },
});
