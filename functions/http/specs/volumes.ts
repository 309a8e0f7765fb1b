// The contract of the volume and snapshot routes (apibibind spec §1c): path, permission, schemas.
import { routeSpec } from '../../../lib/http/http-function.js';
import * as z from '../../../lib/http/zod.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { ErrorBody, TaskRef } from '../../../lib/http/openapi-schemas.js';
import { IdParams } from '../../../lib/compute/schemas.js';
import {
  AttachVolumeBody,
  CreateVolumeBody,
  DeleteVolumeQuery,
  ExtendVolumeBody,
  VolumeListQuery,
  VolumeView,
} from '../../../lib/compute/volumes/schemas.js';
import { CreateSnapshotBody, SnapshotListQuery, SnapshotView } from '../../../lib/compute/snapshots/schemas.js';

const volumeWithTask = z.extend(VolumeView, { task: TaskRef });
const snapshotWithTask = z.extend(SnapshotView, { task: TaskRef });
const errors = {
  400: {
    description: 'VALIDATION_ERROR (each field named; an unknown instance, volume or volume type names its field)',
    schema: ErrorBody,
  },
  403: { description: 'FORBIDDEN', schema: ErrorBody },
  503: { description: 'SERVICE_UNAVAILABLE (openstack or the workflow engine)', schema: ErrorBody },
};
const volumeNotFound = { 404: { description: 'VOLUME_NOT_FOUND', schema: ErrorBody } };
const snapshotNotFound = { 404: { description: 'SNAPSHOT_NOT_FOUND', schema: ErrorBody } };

export const createVolume = routeSpec({
  method: 'POST',
  path: '/api/v1/volume',
  summary: 'Create a block storage volume, attached to an instance when `instance_id` is given (202: the volume, creating, and its task)',
  tags: ['volumes'],
  permission: 'volume:c',
  scoped: true,
  idempotent: true,
  body: CreateVolumeBody,
  responses: {
    202: { description: 'The volume, creating, with its task; Location: the task', schema: volumeWithTask },
    ...errors,
    409: { description: 'INSTANCE_STATE_CONFLICT (the instance is not ACTIVE/SHUTOFF, or busy)', schema: ErrorBody },
    422: { description: 'QUOTA_EXCEEDED (volumes, gigabytes; with the limit)', schema: ErrorBody },
  },
});

export const listVolumes = routeSpec({
  method: 'GET',
  path: '/api/v1/volumes',
  summary: 'Volumes the caller may read, with their live Cinder status',
  tags: ['volumes'],
  permission: 'volume:r',
  scoped: true,
  query: VolumeListQuery,
  responses: { 200: { description: 'Volumes', schema: PageOf(VolumeView) }, ...errors },
});

export const getVolume = routeSpec({
  method: 'GET',
  path: '/api/v1/volume/{id}',
  summary: 'A volume: status (Cinder vocabulary), size, type, attachments, owner, department',
  tags: ['volumes'],
  permission: 'volume:r',
  scoped: true,
  params: IdParams,
  responses: { 200: { description: 'The volume', schema: VolumeView }, ...volumeNotFound, ...errors },
});

export const extendVolume = routeSpec({
  method: 'POST',
  path: '/api/v1/volume/{id}/extend',
  summary: 'Grow a volume to `new_size` GiB, attached or not (202 + task, done when Cinder reports the new size)',
  tags: ['volumes'],
  permission: 'volume:w',
  scoped: true,
  idempotent: true,
  params: IdParams,
  body: ExtendVolumeBody,
  responses: {
    202: { description: 'The volume with the extend task', schema: volumeWithTask },
    ...volumeNotFound,
    409: { description: 'VOLUME_STATE_CONFLICT (not available/in-use), RESOURCE_BUSY', schema: ErrorBody },
    422: { description: 'NEW_SIZE_TOO_SMALL (new_size ≤ size), QUOTA_EXCEEDED', schema: ErrorBody },
    ...errors,
  },
});

export const attachVolume = routeSpec({
  method: 'POST',
  path: '/api/v1/volume/{id}/attach',
  summary: 'Attach an available volume to one of our instances (202 + task, done when the volume is in-use)',
  tags: ['volumes'],
  permission: 'volume:w',
  scoped: true,
  idempotent: true,
  params: IdParams,
  body: AttachVolumeBody,
  responses: {
    202: { description: 'The volume with the attach task', schema: volumeWithTask },
    ...volumeNotFound,
    409: { description: 'VOLUME_STATE_CONFLICT (not available), INSTANCE_STATE_CONFLICT, RESOURCE_BUSY', schema: ErrorBody },
    ...errors,
  },
});

export const detachVolume = routeSpec({
  method: 'POST',
  path: '/api/v1/volume/{id}/detach',
  summary: 'Detach a volume from its instance (202 + task, done when the volume is available)',
  tags: ['volumes'],
  permission: 'volume:w',
  scoped: true,
  idempotent: true,
  params: IdParams,
  responses: {
    202: { description: 'The volume with the detach task', schema: volumeWithTask },
    ...volumeNotFound,
    409: { description: 'VOLUME_STATE_CONFLICT (not in-use), RESOURCE_BUSY', schema: ErrorBody },
    ...errors,
  },
});

export const deleteVolume = routeSpec({
  method: 'DELETE',
  path: '/api/v1/volume/{id}',
  summary: 'Delete a volume (202 + task; then 404). Refused while attached or, unless cascade=true, while it has snapshots.',
  tags: ['volumes'],
  permission: 'volume:d',
  scoped: true,
  params: IdParams,
  query: DeleteVolumeQuery,
  responses: {
    202: { description: 'Deleting, with its task (a second delete answers the same task)', schema: volumeWithTask },
    ...volumeNotFound,
    409: { description: 'VOLUME_IN_USE (detach first), VOLUME_HAS_SNAPSHOTS (or cascade=true), RESOURCE_BUSY', schema: ErrorBody },
    ...errors,
  },
});

export const createSnapshot = routeSpec({
  method: 'POST',
  path: '/api/v1/snapshot',
  summary: 'Snapshot one of our volumes (202: the snapshot, creating, and its task); an attached volume needs force: true',
  tags: ['snapshots'],
  permission: 'snapshot:c',
  scoped: true,
  idempotent: true,
  body: CreateSnapshotBody,
  responses: {
    202: { description: 'The snapshot, creating, with its task; Location: the task', schema: snapshotWithTask },
    ...errors,
    409: { description: 'VOLUME_IN_USE (names `force`), VOLUME_STATE_CONFLICT', schema: ErrorBody },
    422: { description: 'QUOTA_EXCEEDED (snapshots, gigabytes; with the limit)', schema: ErrorBody },
  },
});

export const listSnapshots = routeSpec({
  method: 'GET',
  path: '/api/v1/snapshots',
  summary: 'Snapshots the caller may read, with their live status and progress (filter=volume_id:eq:<id>)',
  tags: ['snapshots'],
  permission: 'snapshot:r',
  scoped: true,
  query: SnapshotListQuery,
  responses: { 200: { description: 'Snapshots', schema: PageOf(SnapshotView) }, ...errors },
});

export const getSnapshot = routeSpec({
  method: 'GET',
  path: '/api/v1/snapshot/{id}',
  summary: 'The state of a backup: status (creating/available/error/deleting), size, progress, its volume',
  tags: ['snapshots'],
  permission: 'snapshot:r',
  scoped: true,
  params: IdParams,
  responses: { 200: { description: 'The snapshot', schema: SnapshotView }, ...snapshotNotFound, ...errors },
});

export const deleteSnapshot = routeSpec({
  method: 'DELETE',
  path: '/api/v1/snapshot/{id}',
  summary: 'Delete a snapshot (202 + task; then 404). A second delete answers the same task.',
  tags: ['snapshots'],
  permission: 'snapshot:d',
  scoped: true,
  params: IdParams,
  responses: {
    202: { description: 'Deleting, with its task', schema: snapshotWithTask },
    ...snapshotNotFound,
    409: { description: 'RESOURCE_BUSY (another task is changing it)', schema: ErrorBody },
    ...errors,
  },
});
