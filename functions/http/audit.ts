import { route, httpFunction } from '../../lib/http/http-function.js';
import { accepted, ok } from '../../lib/http/respond.js';
import { page, PageOf, PageQuery } from '../../lib/http/pagination.js';
import { queryAudit, type AuditCategory } from '../../lib/audit/audit.js';
import { readExport } from '../../lib/audit/export.js';
import { AuditEventView, AuditLogQuery, CreateExportBody, ExportView } from '../../lib/audit/schemas.js';
import { startTask } from '../../lib/tasks/workflows.js';
import { getTask } from '../../lib/tasks/task-store.js';
import { TaskIdParams } from '../../lib/tasks/schemas.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/core/errors.js';
import { writeAudit } from '../../lib/audit/audit.js';
import { ErrorBody, TaskRef } from '../../lib/http/openapi-schemas.js';
import { platform } from '../../lib/platform.js';

const SECURITY: AuditCategory[] = ['authentication', 'authorization'];

export const auditLogsRoute = route({
  method: 'GET',
  path: '/api/v1/audit/logs',
  summary: 'Audit events (mutations and authentication/authorization), newest first',
  tags: ['audit'],
  permission: 'audit:r',
  query: AuditLogQuery,
  responses: { 200: { description: 'Audit events', schema: PageOf(AuditEventView) }, 403: { description: 'FORBIDDEN', schema: ErrorBody } },
}).handler(async (ctx) => {
  const { data, total } = await queryAudit((await platform()).db, ctx.query);
  return ok(page(data, total, ctx.query));
});

export const securityLogsRoute = route({
  method: 'GET',
  path: '/api/v1/logs/security',
  summary: 'Security log: logins, refreshes, logouts, API key use and authorization denials',
  tags: ['audit'],
  permission: 'security-log:r',
  query: AuditLogQuery,
  responses: { 200: { description: 'Security events', schema: PageOf(AuditEventView) }, 403: { description: 'FORBIDDEN', schema: ErrorBody } },
}).handler(async (ctx) => {
  const { data, total } = await queryAudit((await platform()).db, { ...ctx.query, categories: SECURITY });
  return ok(page(data, total, ctx.query));
});

export const createExportRoute = route({
  method: 'POST',
  path: '/api/v1/audit/exports',
  summary: 'Export audit events as CSV or JSON lines (long-running: answers 202 and a task)',
  tags: ['audit'],
  permission: 'audit:r',
  idempotent: true,
  body: CreateExportBody,
  responses: {
    202: { description: 'The export, pending, with its task', schema: ExportView.extend({ task: TaskRef }) },
    403: { description: 'FORBIDDEN', schema: ErrorBody },
    503: { description: 'Workflow engine unavailable', schema: ErrorBody },
  },
}).handler(async (ctx) => {
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

export const downloadExportRoute = route({
  method: 'GET',
  path: '/api/v1/audit/exports/{id}',
  summary: 'Download a finished audit export (text/csv or application/x-ndjson)',
  tags: ['audit'],
  permission: 'audit:r',
  params: TaskIdParams,
  responses: {
    200: { description: 'The export file' },
    404: { description: 'EXPORT_NOT_FOUND', schema: ErrorBody },
    409: { description: 'EXPORT_NOT_READY (task still running, failed or cancelled)', schema: ErrorBody },
  },
}).handler(async (ctx) => {
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
    throw new ConflictError('EXPORT_NOT_READY', `Export ${task.id} is ${task.status}`, { id: task.id, status: task.status, task: `/api/v1/tasks/${task.id}` });
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
