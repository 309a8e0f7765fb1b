import { PageQuery } from '../http/pagination.js';
import * as z from '../http/zod.js';

const dateTime = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time' });
const fromNotAfterTo = () =>
  z.refine<{ from?: string; to?: string }>((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });

export const AuditLogQuery = z
  .extend(PageQuery, {
    action: z.optional(z.maxText(128)),
    actor: z.optional(z.maxText(512)),
    target: z.optional(z.maxText(512)),
    from: z.optional(dateTime),
    to: z.optional(dateTime),
  })
  .check(fromNotAfterTo());

export const AuditEventView = z.object({
  id: z.string(),
  timestamp: z.string(),
  category: z.enum(['mutation', 'authentication', 'authorization']),
  action: z.string(),
  actor: z.string(),
  target: z.optional(z.string()),
  changes: z.optional(z.array(z.object({ attribute: z.string(), old: z.unknown(), new: z.unknown() }))),
  result: z.enum(['success', 'failure', 'denied']),
  source_ip: z.optional(z.string()),
  request_id: z.optional(z.string()),
  details: z.optional(z.jsonObject()),
});

export const CreateExportBody = z
  .object({
    format: z._default(z.enum(['csv', 'json']), 'csv'),
    action: z.optional(z.maxText(128)),
    actor: z.optional(z.maxText(512)),
    target: z.optional(z.maxText(512)),
    from: z.optional(dateTime),
    to: z.optional(dateTime),
    security_only: z._default(z.boolean(), false),
  })
  .check(fromNotAfterTo());

export const ExportView = z.object({
  id: z.string(),
  format: z.enum(['csv', 'json']),
  status: z.string(),
  filters: z.jsonObject(),
});
