// Types only: `@aws-sdk/client-sfn` is required when a workflow is first started, stopped or listed.
import type {
  ListStateMachinesCommandInput,
  ListStateMachinesCommandOutput,
  SFNClient,
  StartExecutionCommandInput,
  StartExecutionCommandOutput,
  StopExecutionCommandInput,
  StopExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { randomUUID } from 'node:crypto';
import { DependencyUnavailableError } from '../core/errors.js';
import { lazy, lazyClient, type LazyClient } from '../core/lazy.js';
import { logger } from '../core/logger.js';
import type { Db } from '../store/dynamo.js';
import { appendTaskLog, assertCancellable, createTask, getTask, updateTask, type Task } from './task-store.js';

/** `@aws-sdk/client-sfn` (~55 ms to require), once per container, only in a function that reaches Step Functions. */
const loadSfn = lazy(() => import('@aws-sdk/client-sfn'));

/** Step Functions, as the application uses it. Nothing is created before the first call. */
export interface Workflows {
  /** The SDK client, created on first `send`. */
  sfn: LazyClient<SFNClient>;
  arnPrefix: string;
  startExecution(input: StartExecutionCommandInput): Promise<StartExecutionCommandOutput>;
  stopExecution(input: StopExecutionCommandInput): Promise<StopExecutionCommandOutput>;
  listStateMachines(input: ListStateMachinesCommandInput): Promise<ListStateMachinesCommandOutput>;
}

export function createWorkflows(opts: { endpoint?: string; region: string; arnPrefix: string }): Workflows {
  const sfn = lazyClient(async () => {
    const { SFNClient } = await loadSfn();
    return new SFNClient({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
  });
  /** Runs `fn` with the client and the client-sfn command classes. */
  const withSfn = async <O>(fn: (client: SFNClient, cmd: Awaited<ReturnType<typeof loadSfn>>) => Promise<O>) =>
    fn(await sfn.get(), await loadSfn());
  return {
    sfn,
    arnPrefix: opts.arnPrefix,
    startExecution: (input) => withSfn((c, cmd) => c.send(new cmd.StartExecutionCommand(input))),
    stopExecution: (input) => withSfn((c, cmd) => c.send(new cmd.StopExecutionCommand(input))),
    listStateMachines: (input) => withSfn((c, cmd) => c.send(new cmd.ListStateMachinesCommand(input))),
  };
}

/**
 * Records a task and starts its state machine with the task id as the execution name (Step Functions
 * refuses a second execution of the same name, so a retried start never runs the workflow twice).
 */
export async function startTask(
  db: Db,
  wf: Workflows,
  req: {
    type: string;
    stateMachine: string;
    owner: string;
    target?: string;
    input: Record<string, unknown>;
    context?: Record<string, unknown>;
    id?: string;
  },
): Promise<Task> {
  const now = new Date().toISOString();
  const task: Task = {
    id: req.id ?? randomUUID(),
    type: req.type,
    status: 'pending',
    progress: 0,
    owner: req.owner,
    target: req.target,
    created_at: now,
    updated_at: now,
    context: req.context,
  };
  await createTask(db, task);
  await appendTaskLog(db, task.id, { level: 'info', message: `Task ${req.type} accepted` });
  try {
    const out = await wf.startExecution({
      stateMachineArn: `${wf.arnPrefix}${req.stateMachine}`,
      name: task.id,
      input: JSON.stringify({ taskId: task.id, ...req.input }),
    });
    await updateTask(db, task.id, { status: 'running', execution_arn: out.executionArn, started_at: new Date().toISOString() });
    return { ...task, status: 'running', execution_arn: out.executionArn };
  } catch (e) {
    logger.error('could not start workflow', { error: e as Error, task_id: task.id });
    await updateTask(db, task.id, {
      status: 'failed',
      ended_at: new Date().toISOString(),
      error: { code: 'WORKFLOW_START_FAILED', message: 'The workflow engine could not start this task' },
    });
    throw new DependencyUnavailableError('workflows', e);
  }
}

export async function cancelTask(db: Db, wf: Workflows, id: string, by: string): Promise<Task> {
  const task = await getTask(db, id);
  assertCancellable(task);
  await updateTask(db, id, { cancel_requested: true });
  if (task.execution_arn) {
    try {
      await wf.stopExecution({ executionArn: task.execution_arn, error: 'TaskCancelled', cause: `Cancelled by ${by}` });
    } catch (e) {
      if ((e as Error).name !== 'ExecutionDoesNotExist') throw new DependencyUnavailableError('workflows', e);
    }
  }
  // The execution's ABORTED event runs the workflow's compensation; the task is cancelled from now on.
  await updateTask(db, id, { status: 'cancelled', ended_at: new Date().toISOString(), step: task.step });
  await appendTaskLog(db, id, { level: 'warn', message: `Cancelled by ${by}` });
  return getTask(db, id);
}

/** Progress and log from a step: no-op once the task ended (a cancelled task stays cancelled). */
export async function reportProgress(db: Db, id: string, p: { progress: number; step: string; message?: string }): Promise<boolean> {
  const still = await updateTask(db, id, { progress: Math.max(0, Math.min(100, Math.round(p.progress))), step: p.step, status: 'running' });
  if (p.message) await appendTaskLog(db, id, { level: 'info', message: p.message, step: p.step });
  return still;
}

export async function succeedTask(db: Db, id: string, result: unknown): Promise<void> {
  await updateTask(db, id, { status: 'succeeded', progress: 100, result, ended_at: new Date().toISOString(), step: 'done' });
  await appendTaskLog(db, id, { level: 'info', message: 'Task succeeded', step: 'done' });
}

export async function failTask(db: Db, id: string, error: { code: string; message: string }): Promise<void> {
  await updateTask(db, id, { status: 'failed', error, ended_at: new Date().toISOString() });
  await appendTaskLog(db, id, { level: 'error', message: `${error.code}: ${error.message}` });
}
