import { route, httpFunction } from '../../lib/http/http-function.js';
import { ok } from '../../lib/http/respond.js';
import { page } from '../../lib/http/pagination.js';
import { getTask, listTasksOf, readTaskLogs, type Task } from '../../lib/tasks/task-store.js';
import { cancelTask } from '../../lib/tasks/workflows.js';
import { writeAudit } from '../../lib/audit/audit.js';
import { NotFoundError, ForbiddenError } from '../../lib/core/errors.js';
import type { RequestContext } from '../../lib/http/types.js';
import { platform } from '../../lib/platform.js';
import * as specs from './specs/tasks.js';

/** The public view: internal fields (execution ARN, compensation context) stay inside. */
export function taskView(t: Task) {
  const { execution_arn: _e, context: _c, cancel_requested: _r, ...view } = t;
  return view;
}

/** A task is readable by its owner and by whoever may read tasks; to anyone else it does not exist. */
async function readableTask(ctx: RequestContext<unknown, unknown, { id: string }>, action: 'read' | 'write'): Promise<Task> {
  const task = await getTask((await platform()).db, ctx.params.id);
  try {
    await ctx.authorize({ action, objectType: 'task', ownerDn: task.owner });
  } catch (e) {
    if (e instanceof ForbiddenError && task.owner !== ctx.actor!.dn)
      throw new NotFoundError('TASK_NOT_FOUND', `Task ${task.id} not found`, { id: task.id });
    throw e;
  }
  return task;
}

export const getTaskRoute = route(specs.getTask).handler(async (ctx) => ok(taskView(await readableTask(ctx, 'read'))));

export const taskLogsRoute = route(specs.taskLogs).handler(async (ctx) => {
  const task = await readableTask(ctx, 'read');
  const { data, total } = await readTaskLogs((await platform()).db, task.id, ctx.query.limit, ctx.query.offset);
  return ok(page(data, total, ctx.query));
});

export const cancelTaskRoute = route(specs.cancelTask).handler(async (ctx) => {
  const task = await readableTask(ctx, 'write');
  const p = await platform();
  const cancelled = await cancelTask(p.db, p.workflows, task.id, ctx.actor!.dn);
  await writeAudit(p.db, {
    category: 'mutation',
    action: 'task.cancel',
    actor: ctx.actor!.dn,
    target: `task:${task.id}`,
    changes: [{ attribute: 'status', old: task.status, new: cancelled.status }],
    result: 'success',
    source_ip: ctx.sourceIp,
    request_id: ctx.requestId,
  });
  return ok(taskView(cancelled));
});

export const listTasksRoute = route(specs.listTasks).handler(async (ctx) => {
  await ctx.authorize({ action: 'read', objectType: 'task', ownerDn: ctx.actor!.dn });
  const { data, total } = await listTasksOf((await platform()).db, ctx.actor!.dn, ctx.query.limit, ctx.query.offset);
  return ok(page(data.map(taskView), total, ctx.query));
});

export const routes = [listTasksRoute, getTaskRoute, taskLogsRoute, cancelTaskRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
