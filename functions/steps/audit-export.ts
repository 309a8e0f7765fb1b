import { z } from 'zod';
import { deleteExport, exportPage } from '../../lib/audit/export.js';
import { failTask, reportProgress, succeedTask } from '../../lib/tasks/workflows.js';
import { getTask, updateTask } from '../../lib/tasks/task-store.js';
import { stepHandler } from '../../lib/tasks/step-handler.js';
import { platform } from '../../lib/platform.js';

const Query = z.object({
  format: z.enum(['csv', 'json']),
  action: z.string().optional(),
  actor: z.string().optional(),
  target: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  categories: z.array(z.enum(['mutation', 'authentication', 'authorization'])).optional(),
});
const State = z.object({
  taskId: z.string(),
  query: Query,
  cursor: z.object({ offset: z.number(), chunk: z.number(), rows: z.number() }),
  done: z.boolean().optional(),
  total: z.number().optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
type State = z.infer<typeof State>;

/** One page of the export: renders up to 500 events into a chunk and advances the cursor. */
export const page = stepHandler(State, async (s: State): Promise<State> => {
  const { db } = await platform();
  const { cursor, done, total } = await exportPage(db, s.taskId, s.query, s.cursor);
  const progress = total === 0 ? 99 : Math.min(99, (cursor.offset / total) * 100);
  const alive = await reportProgress(db, s.taskId, { progress, step: 'export', message: `Exported ${cursor.rows} of ${total} events` });
  // A cancelled task stops at the next page instead of writing on.
  return { ...s, cursor, done: done || !alive, total };
});

export const finalize = stepHandler(State, async (s: State): Promise<State> => {
  const { db } = await platform();
  await succeedTask(db, s.taskId, {
    format: s.query.format,
    rows: s.cursor.rows,
    href: `/api/v1/audit/exports/${s.taskId}`,
  });
  return s;
});

/** Catch path: delete the chunks written so far, then record the failure with the cause. */
export const compensate = stepHandler(State, async (s: State): Promise<State> => {
  const { db } = await platform();
  const removed = await deleteExport(db, s.taskId);
  const task = await getTask(db, s.taskId);
  await updateTask(db, s.taskId, { context: { ...(task.context ?? {}), compensated: true }, step: 'compensate' });
  let message = 'The export failed';
  try {
    message = (JSON.parse(s.error?.Cause ?? '{}') as { errorMessage?: string }).errorMessage ?? message;
  } catch {
    message = s.error?.Cause?.slice(0, 300) ?? message;
  }
  await failTask(db, s.taskId, { code: s.error?.Error ?? 'EXPORT_FAILED', message: `${message} (removed ${removed} partial chunks)` });
  return s;
});
