// The contract of the instance routes (apibibind spec §1a): path, permission, schemas.
import { routeSpec } from '../../../lib/http/http-function.js';
import * as z from '../../../lib/http/zod.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { ErrorBody, TaskRef } from '../../../lib/http/openapi-schemas.js';
import { IdParams } from '../../../lib/compute/schemas.js';
import {
  CreateInstanceBody,
  InstanceActionBody,
  InstanceListQuery,
  InstanceView,
  UpdateInstanceBody,
} from '../../../lib/compute/instances/schemas.js';

const withTask = z.extend(InstanceView, { task: TaskRef });
const errors = {
  400: { description: 'VALIDATION_ERROR (unknown flavor, image, network or key pair names the field)', schema: ErrorBody },
  403: { description: 'FORBIDDEN', schema: ErrorBody },
  503: { description: 'SERVICE_UNAVAILABLE (openstack or the workflow engine)', schema: ErrorBody },
};

export const createInstance = routeSpec({
  method: 'POST',
  path: '/api/v1/instances',
  summary: 'Create a virtual machine (long-running: 202, the instance in BUILD and its task)',
  tags: ['instances'],
  permission: 'instance:c',
  scoped: true,
  idempotent: true,
  body: CreateInstanceBody,
  responses: {
    202: { description: 'The instance, BUILD, with its task; Location: the task', schema: withTask },
    ...errors,
    422: { description: 'QUOTA_EXCEEDED (with the limit), FLAVOR_TOO_SMALL', schema: ErrorBody },
  },
});

export const listInstances = routeSpec({
  method: 'GET',
  path: '/api/v1/instances',
  summary: 'Instances the caller may read, with their live status',
  tags: ['instances'],
  permission: 'instance:r',
  scoped: true,
  query: InstanceListQuery,
  responses: { 200: { description: 'Instances', schema: PageOf(InstanceView) }, ...errors },
});

export const getInstance = routeSpec({
  method: 'GET',
  path: '/api/v1/instances/{id}',
  summary: 'An instance: status (OpenStack vocabulary), flavor, image, addresses, floating IPs, volumes, owner, department',
  tags: ['instances'],
  permission: 'instance:r',
  scoped: true,
  params: IdParams,
  responses: {
    200: { description: 'The instance', schema: InstanceView },
    404: { description: 'INSTANCE_NOT_FOUND', schema: ErrorBody },
    ...errors,
  },
});

export const updateInstance = routeSpec({
  method: 'PUT',
  path: '/api/v1/instances/{id}',
  summary: 'Rename (200), or resize RAM/CPU through `flavor` and/or extend storage through `volume_size` (202 + task)',
  tags: ['instances'],
  permission: 'instance:w',
  scoped: true,
  params: IdParams,
  body: UpdateInstanceBody,
  responses: {
    200: { description: 'Renamed, or nothing to change', schema: InstanceView },
    202: { description: 'Resizing, with its task', schema: withTask },
    404: { description: 'INSTANCE_NOT_FOUND', schema: ErrorBody },
    409: { description: 'RESOURCE_BUSY (another task), INSTANCE_STATE_CONFLICT', schema: ErrorBody },
    422: { description: 'QUOTA_EXCEEDED, INSTANCE_HAS_NO_VOLUME, VOLUME_SHRINK_UNSUPPORTED', schema: ErrorBody },
    ...errors,
  },
});

export const deleteInstance = routeSpec({
  method: 'DELETE',
  path: '/api/v1/instances/{id}',
  summary: 'Delete a virtual machine (202 + task; the instance then answers 404). A second delete answers the same task.',
  tags: ['instances'],
  permission: 'instance:d',
  scoped: true,
  params: IdParams,
  responses: {
    202: { description: 'Deleting, with its task', schema: withTask },
    404: { description: 'INSTANCE_NOT_FOUND', schema: ErrorBody },
    409: { description: 'RESOURCE_BUSY (another task is changing it: cancel it first)', schema: ErrorBody },
    ...errors,
  },
});

export const instanceAction = routeSpec({
  method: 'POST',
  path: '/api/v1/instances/{id}/actions',
  summary: 'start, stop or reboot (SOFT/HARD) an instance (202 + task, done when Nova reports the new status)',
  tags: ['instances'],
  permission: 'instance:w',
  scoped: true,
  idempotent: true,
  params: IdParams,
  body: InstanceActionBody,
  responses: {
    202: { description: 'The instance with the action task', schema: withTask },
    404: { description: 'INSTANCE_NOT_FOUND', schema: ErrorBody },
    409: { description: 'INSTANCE_STATE_CONFLICT (e.g. start while ACTIVE), RESOURCE_BUSY', schema: ErrorBody },
    ...errors,
  },
});
