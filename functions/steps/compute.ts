import { logger } from '../../lib/core/logger.js';
import { cloud } from '../../lib/compute/cloud.js';
import { STEPS } from '../../lib/compute/steps.js';
import { classifyStepError, CloudState } from '../../lib/compute/workflow.js';
import { platform } from '../../lib/platform.js';
import * as z from '../../lib/http/zod.js';

/**
 * The one Task Lambda of every cloud state machine: `{step, state}` → the next state. Errors leave with the
 * names the machines' Retry/Catch match (see lib/compute/workflow.ts).
 */
export async function handler(event: { step?: unknown; state?: unknown }): Promise<CloudState> {
  const step = typeof event?.step === 'string' ? STEPS[event.step] : undefined;
  const parsed = z.safeParse(CloudState, event?.state);
  if (!step || !parsed.success) {
    const err = new Error(
      `Invalid step input: ${step ? parsed.error?.issues.map((i) => i.path.join('.')).join(', ') : `unknown step ${String(event?.step)}`}`,
    );
    err.name = 'InvalidStepInput';
    throw err;
  }
  const s = parsed.data;
  logger.resetKeys();
  logger.appendKeys({ task_id: s.taskId, step: event.step as string, kind: s.kind, resource_id: s.id });
  try {
    return await step(s, { db: (await platform()).db, os: cloud() });
  } catch (e) {
    const classified = classifyStepError(e);
    logger.warn('cloud step failed', { error_name: classified.name, error_message: classified.message });
    throw classified;
  }
}
