import { z } from 'zod';
import { PageQuery } from '../http/pagination.js';

const dateTime = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time' });

export const AuditLogQuery = PageQuery.extend({
  action: z.string().max(128).optional(),
  actor: z.string().max(512).optional(),
  target: z.string().max(512).optional(),
  from: dateTime.optional(),
  to: dateTime.optional(),
}).refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: 'from must not be after to', path: ['from'] });

export const AuditEventView = z.object({
  id: z.string(),
  timestamp: z.string(),
  category: z.enum(['mutation', 'authentication', 'authorization']),
  action: z.string(),
  actor: z.string(),
  target: z.string().optional(),
  changes: z.array(z.object({ attribute: z.string(), old: z.unknown(), new: z.unknown() })).optional(),
  result: z.enum(['success', 'failure', 'denied']),
  source_ip: z.string().optional(),
  request_id: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const CreateExportBody = z
  .object({
    format: z.enum(['csv', 'json']).default('csv'),
    action: z.string().max(128).optional(),
    actor: z.string().max(512).optional(),
    target: z.string().max(512).optional(),
    from: dateTime.optional(),
    to: dateTime.optional(),
    security_only: z.boolean().default(false),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: 'from must not be after to', path: ['from'] });

export const ExportView = z.object({
  id: z.string(),
  format: z.enum(['csv', 'json']),
  status: z.string(),
  filters: z.record(z.string(), z.unknown()),
});
