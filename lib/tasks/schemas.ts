import { z } from 'zod';
import { TASK_STATUSES } from './task-store.js';

export const TaskIdParams = z.object({ id: z.uuid('not a task id') });
export const TaskView = z.object({
  id: z.string(),
  type: z.string(),
  status: z.enum(TASK_STATUSES),
  progress: z.number().int().min(0).max(100),
  step: z.string().optional(),
  owner: z.string(),
  target: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  started_at: z.string().optional(),
  ended_at: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }).optional(),
  result: z.unknown().optional(),
});
export const TaskLogLineView = z.object({
  timestamp: z.string(),
  level: z.enum(['info', 'warn', 'error']),
  message: z.string(),
  step: z.string().optional(),
});
