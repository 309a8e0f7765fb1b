// The contract of the task routes (path, permission, schemas), apart from their handlers: the OpenAPI
// document and the 404/405 fallback read it without bundling what the handlers need.
import { routeSpec } from '../../../lib/http/http-function.js';
import { PageOf, PageQuery } from '../../../lib/http/pagination.js';
import { TaskIdParams, TaskLogLineView, TaskView } from '../../../lib/tasks/schemas.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';

export const getTask = routeSpec({
  method: 'GET',
  path: '/api/v1/tasks/{id}',
  summary: 'Status, progress, step, timestamps, error and result of a long-running task',
  tags: ['tasks'],
  permission: 'task:r',
  scoped: true,
  params: TaskIdParams,
  responses: { 200: { description: 'The task', schema: TaskView }, 404: { description: 'TASK_NOT_FOUND', schema: ErrorBody } },
});

export const taskLogs = routeSpec({
  method: 'GET',
  path: '/api/v1/tasks/{id}/logs',
  summary: "A task's log lines, oldest first",
  tags: ['tasks'],
  permission: 'task:r',
  scoped: true,
  params: TaskIdParams,
  query: PageQuery,
  responses: {
    200: { description: 'Log lines', schema: PageOf(TaskLogLineView) },
    404: { description: 'TASK_NOT_FOUND', schema: ErrorBody },
  },
});

export const cancelTask = routeSpec({
  method: 'POST',
  path: '/api/v1/tasks/{id}/cancel',
  summary: 'Cancel a running task: its workflow stops and compensation undoes what it made',
  tags: ['tasks'],
  permission: 'task:w',
  scoped: true,
  params: TaskIdParams,
  responses: {
    200: { description: 'The cancelled task', schema: TaskView },
    404: { description: 'TASK_NOT_FOUND', schema: ErrorBody },
    409: { description: 'TASK_NOT_CANCELLABLE (already ended)', schema: ErrorBody },
  },
});

export const listTasks = routeSpec({
  method: 'GET',
  path: '/api/v1/tasks',
  summary: 'Your tasks, newest first',
  tags: ['tasks'],
  permission: 'task:r',
  scoped: true,
  query: PageQuery,
  responses: { 200: { description: 'Tasks', schema: PageOf(TaskView) } },
});
