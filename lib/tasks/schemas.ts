import * as z from '../http/zod.js';
import { TASK_STATUSES } from './task-store.js';

export const TaskIdParams = z.object({ id: z.uuid('not a task id') });
export const TaskView = z.object({
  id: z.string(),
  type: z.string(),
  status: z.enum(TASK_STATUSES),
  progress: z.integer().check(z.gte(0), z.lte(100)),
  step: z.optional(z.string()),
  owner: z.string(),
  target: z.optional(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.optional(z.string()),
  ended_at: z.optional(z.string()),
  error: z.optional(z.object({ code: z.string(), message: z.string(), details: z.optional(z.jsonObject()) })),
  result: z.optional(z.unknown()),
});
export const TaskLogLineView = z.object({
  timestamp: z.string(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
  step: z.optional(z.string()),
});
