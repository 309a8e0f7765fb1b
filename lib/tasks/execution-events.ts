import type { Db } from '../store/dynamo.js';
import { logger } from '../core/logger.js';
import { appendTaskLog, getTask, TERMINAL, updateTask, type Task } from './task-store.js';

/** The EventBridge "Step Functions Execution Status Change" event (the local emulator sends the same). */
export interface ExecutionStatusChange {
  source: 'aws.states';
  'detail-type': 'Step Functions Execution Status Change';
  detail: {
    executionArn: string;
    name: string;
    status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
    error?: string | null;
    cause?: string | null;
  };
}

/** Per task type: undo what a half-finished execution made. Must be idempotent. */
export type Compensator = (task: Task, db: Db) => Promise<void>;

/**
 * Safety net for executions that ended without recording their outcome (crash, timeout, emulator restart,
 * StopExecution): compensation runs, then the task ends failed (or stays cancelled) with a clear reason.
 */
export async function onExecutionStatusChange(
  db: Db,
  ev: ExecutionStatusChange,
  compensators: Record<string, Compensator> | ((type: string) => Compensator | undefined),
): Promise<void> {
  const { status, name: taskId } = ev.detail;
  if (status === 'RUNNING') return;
  let task: Task;
  try {
    task = await getTask(db, taskId);
  } catch {
    logger.warn('execution event for an unknown task', { task_id: taskId, status });
    return;
  }
  if (status === 'SUCCEEDED') {
    if (!TERMINAL.includes(task.status))
      await updateTask(db, taskId, { status: 'succeeded', progress: 100, ended_at: new Date().toISOString() });
    return;
  }
  const compensate = typeof compensators === 'function' ? compensators(task.type) : compensators[task.type];
  const alreadyCompensated = task.context?.compensated === true;
  if (compensate && !alreadyCompensated) {
    await appendTaskLog(db, taskId, { level: 'warn', message: `Execution ${status.toLowerCase()}: compensating` });
    await compensate(task, db);
  }
  if (!TERMINAL.includes(task.status)) {
    const reason = ev.detail.cause ?? ev.detail.error ?? `The workflow execution ended ${status}`;
    await updateTask(db, taskId, {
      status: status === 'ABORTED' && task.cancel_requested ? 'cancelled' : 'failed',
      ended_at: new Date().toISOString(),
      error: {
        code: status === 'TIMED_OUT' ? 'WORKFLOW_TIMED_OUT' : (ev.detail.error ?? 'WORKFLOW_FAILED'),
        message: String(reason).slice(0, 500),
      },
    });
    await appendTaskLog(db, taskId, { level: 'error', message: String(reason).slice(0, 500) });
  }
}
