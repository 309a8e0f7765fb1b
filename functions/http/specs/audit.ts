// The contract of the audit routes (path, permission, schemas), apart from their handlers: the OpenAPI
// document and the 404/405 fallback read it without bundling what the handlers need.
import { routeSpec } from '../../../lib/http/http-function.js';
import * as z from '../../../lib/http/zod.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { AuditEventView, AuditLogQuery, CreateExportBody, ExportView } from '../../../lib/audit/schemas.js';
import { TaskIdParams } from '../../../lib/tasks/schemas.js';
import { ErrorBody, TaskRef } from '../../../lib/http/openapi-schemas.js';

export const auditLogs = routeSpec({
  method: 'GET',
  path: '/api/v1/audit/logs',
  summary: 'Audit events (mutations and authentication/authorization), newest first',
  tags: ['audit'],
  permission: 'audit:r',
  query: AuditLogQuery,
  responses: { 200: { description: 'Audit events', schema: PageOf(AuditEventView) }, 403: { description: 'FORBIDDEN', schema: ErrorBody } },
});

export const securityLogs = routeSpec({
  method: 'GET',
  path: '/api/v1/logs/security',
  summary: 'Security log: logins, refreshes, logouts, API key use and authorization denials',
  tags: ['audit'],
  permission: 'security-log:r',
  query: AuditLogQuery,
  responses: {
    200: { description: 'Security events', schema: PageOf(AuditEventView) },
    403: { description: 'FORBIDDEN', schema: ErrorBody },
  },
});

export const createExport = routeSpec({
  method: 'POST',
  path: '/api/v1/audit/exports',
  summary: 'Export audit events as CSV or JSON lines (long-running: answers 202 and a task)',
  tags: ['audit'],
  permission: 'audit:r',
  idempotent: true,
  body: CreateExportBody,
  responses: {
    202: { description: 'The export, pending, with its task', schema: z.extend(ExportView, { task: TaskRef }) },
    403: { description: 'FORBIDDEN', schema: ErrorBody },
    503: { description: 'Workflow engine unavailable', schema: ErrorBody },
  },
});

export const downloadExport = routeSpec({
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
});
