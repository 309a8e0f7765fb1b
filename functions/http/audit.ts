import { route, httpFunction } from '../../lib/http/http-function.js';
import { accepted, ok } from '../../lib/http/respond.js';
import { page } from '../../lib/http/pagination.js';
import { queryAudit, type AuditCategory } from '../../lib/audit/audit.js';
import { readExport } from '../../lib/audit/export.js';
import { startTask } from '../../lib/tasks/workflows.js';
import { getTask } from '../../lib/tasks/task-store.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/core/errors.js';
import { writeAudit } from '../../lib/audit/audit.js';
import { platform } from '../../lib/platform.js';
import * as specs from './specs/audit.js';

const SECURITY: AuditCategory[] = ['authentication', 'authorization'];

export const auditLogsRoute = route(specs.auditLogs).handler(async (ctx) => {
  const { data, total } = await queryAudit((await platform()).db, ctx.query);
  return ok(page(data, total, ctx.query));
});

export const securityLogsRoute = route(specs.securityLogs).handler(async (ctx) => {
  const { data, total } = await queryAudit((await platform()).db, { ...ctx.query, categories: SECURITY });
  return ok(page(data, total, ctx.query));
});

export const createExportRoute = route(specs.createExport).handler(async (ctx) => {
  const p = await platform();
  const { format, security_only, ...filters } = ctx.body;
  const query = { format, ...filters, ...(security_only ? { categories: SECURITY } : {}) };
  const task = await startTask(p.db, p.workflows, {
    type: 'audit-export',
    stateMachine: 'audit-export',
    owner: ctx.actor!.dn,
    input: { query, cursor: { offset: 0, chunk: 0, rows: 0 } },
  });
  await writeAudit(p.db, {
    category: 'mutation',
    action: 'audit.export',
    actor: ctx.actor!.dn,
    target: `task:${task.id}`,
    changes: [{ attribute: 'query', old: null, new: query }],
    result: 'success',
    source_ip: ctx.sourceIp,
    request_id: ctx.requestId,
  });
  return accepted({ id: task.id, format, status: task.status === 'running' ? 'running' : 'pending', filters: query }, task);
});

export const downloadExportRoute = route(specs.downloadExport).handler(async (ctx) => {
  const p = await platform();
  let task;
  try {
    task = await getTask(p.db, ctx.params.id);
  } catch {
    throw new NotFoundError('EXPORT_NOT_FOUND', `Export ${ctx.params.id} not found`, { id: ctx.params.id });
  }
  if (task.type !== 'audit-export') throw new NotFoundError('EXPORT_NOT_FOUND', `Export ${ctx.params.id} not found`, { id: ctx.params.id });
  if (task.owner !== ctx.actor!.dn) {
    const d = await p.authorize(ctx.actor!, { action: 'read', objectType: 'task', ownerDn: task.owner });
    if (!d.allowed) throw new ForbiddenError();
  }
  if (task.status !== 'succeeded') {
    throw new ConflictError('EXPORT_NOT_READY', `Export ${task.id} is ${task.status}`, {
      id: task.id,
      status: task.status,
      task: `/api/v1/tasks/${task.id}`,
    });
  }
  const format = (task.result as { format?: string } | undefined)?.format ?? 'json';
  const body = await readExport(p.db, task.id);
  return {
    status: 200,
    raw: { contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8', body },
    headers: { 'Content-Disposition': `attachment; filename="audit-${task.id}.${format === 'csv' ? 'csv' : 'jsonl'}"` },
  };
});

export const routes = [auditLogsRoute, securityLogsRoute, createExportRoute, downloadExportRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
