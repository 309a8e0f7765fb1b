import { logger } from '../core/logger.js';
import * as z from '../http/zod.js';

/** A Step Functions task Lambda: validates its state, runs, and lets errors out with their `name` for Retry/Catch. */
export function stepHandler<S>(schema: z.Schema<S>, fn: (state: S) => Promise<S>) {
  return async function step(event: unknown): Promise<S> {
    const parsed = z.safeParse(schema, event);
    if (!parsed.success) {
      const err = new Error(`Invalid step input: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
      err.name = 'InvalidStepInput';
      throw err;
    }
    logger.resetKeys();
    logger.appendKeys({ task_id: (parsed.data as { taskId?: string }).taskId });
    return fn(parsed.data);
  };
}
