import { deleteExport, exportPage } from '../../lib/audit/export.js';
import { failTask, reportProgress, succeedTask } from '../../lib/tasks/workflows.js';
import { getTask, TERMINAL, updateTask } from '../../lib/tasks/task-store.js';
import type { Db } from '../../lib/store/dynamo.js';
import { stepHandler } from '../../lib/tasks/step-handler.js';
import { platform } from '../../lib/platform.js';
import * as z from '../../lib/http/zod.js';

const Query = z.object({
  format: z.enum(['csv', 'json']),
  action: z.optional(z.string()),
  actor: z.optional(z.string()),
  target: z.optional(z.string()),
  from: z.optional(z.string()),
  to: z.optional(z.string()),
  categories: z.optional(z.array(z.enum(['mutation', 'authentication', 'authorization']))),
});
const State = z.object({
  taskId: z.string(),
  query: Query,
  cursor: z.object({ offset: z.number(), chunk: z.number(), rows: z.number() }),
  done: z.optional(z.boolean()),
  total: z.optional(z.number()),
  error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});
type State = z.infer<typeof State>;

/** One page of the export: renders up to 500 events into a chunk and advances the cursor. */
export const page = stepHandler(State, async (s: State): Promise<State> => {
  const { db } = await platform();
  // StopExecution does not stop a running Lambda: a page that finds (or leaves) its task ended removes what
  // it wrote itself, since the compensation may already have run.
  if (await taskEnded(db, s.taskId)) {
    await deleteExport(db, s.taskId);
    return { ...s, done: true };
  }
  const { cursor, done, total } = await exportPage(db, s.taskId, s.query, s.cursor);
  const progress = total === 0 ? 99 : Math.min(99, (cursor.offset / total) * 100);
  const alive = await reportProgress(db, s.taskId, { progress, step: 'export', message: `Exported ${cursor.rows} of ${total} events` });
  if (!alive) await deleteExport(db, s.taskId);
  return { ...s, cursor, done: done || !alive, total };
});

async function taskEnded(db: Db, taskId: string): Promise<boolean> {
  return TERMINAL.includes((await getTask(db, taskId)).status);
}

export const finalize = stepHandler(State, async (s: State): Promise<State> => {
  const { db } = await platform();
  await succeedTask(db, s.taskId, {
    format: s.query.format,
    rows: s.cursor.rows,
    href: `/api/v1/audit/exports/${s.taskId}`,
  });
  // The task ended another way meanwhile (cancelled, failed by the safety net): its output must not stay.
  if ((await getTask(db, s.taskId)).status !== 'succeeded') await deleteExport(db, s.taskId);
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
