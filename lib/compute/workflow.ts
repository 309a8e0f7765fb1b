/**
 * The runtime of the cloud workflows. Every cloud state machine (state-machines/instance-*.asl.yml,
 * volume-*, snapshot-*, load-balancer-*, cloud-delete, cloud-action) calls one step Lambda with
 * `{step, state}`; the step reads and returns the state. Rules every step keeps:
 * - idempotent: it may run twice (a retry after a timeout), so it looks before it makes, and records what it
 *   made on the record (`made`) before anything else can fail;
 * - its failures carry a name the state machine's Retry/Catch match: `CloudTransientError` (5xx, timeouts,
 *   unreachable, rate limits: retried with backoff), `CloudBusyError` (409 while the cloud object is busy:
 *   retried), `CloudFaultError` (the object went ERROR: not retried), `CloudPollTimeout` (the bounded Wait/Check
 *   loop ran out), `CloudRequestError` (the cloud refused the request: not retried);
 * - on a Catch, `compensate` deletes what was made (newest first), waits until it is gone, then fails the
 *   task with the cloud's message.
 */
import { ApiError, ConflictError, DependencyUnavailableError, RateLimitedError } from '../core/errors.js';
import * as z from '../http/zod.js';
import { writeAudit } from '../audit/audit.js';
import type { Db } from '../store/dynamo.js';
import { getTask, TERMINAL } from '../tasks/task-store.js';
import { failTask, reportProgress, startTask, succeedTask } from '../tasks/workflows.js';
import type { Platform } from '../platform.js';
import type { OpenStackClient } from '../providers/openstack/index.js';
import { pollSettings } from './cloud.js';
import {
  addMade,
  addTaskToHistory,
  CLOUD_KINDS,
  getRecord,
  patchRecord,
  type CloudKind,
  type CloudRecord,
  type MadeResource,
} from './records.js';
import { randomUUID } from 'node:crypto';

export const CloudState = z.object({
  taskId: z.string(),
  kind: z.enum(CLOUD_KINDS),
  id: z.string(),
  op: z.string(),
  input: z.record(z.string(), z.unknown()),
  poll: z.object({ seconds: z.number(), max: z.number(), round: z.number() }),
  /** Set by a check step: the awaited state is reached. */
  ready: z.optional(z.boolean()),
  /** Where a multi-phase step is (resize: `resize` → `confirm` → `volume`). */
  phase: z.optional(z.string()),
  /** Added by a Catch (`ResultPath: $.error`). */
  error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
  /** Compensation's own bookkeeping. */
  compensation: z.optional(z.object({ started: z.boolean(), code: z.string(), message: z.string() })),
});
export type CloudState = z.infer<typeof CloudState>;

export interface StepEnv {
  db: Db;
  os: OpenStackClient;
}

export type Step = (s: CloudState, env: StepEnv) => Promise<CloudState>;

/** A workflow error with the name its state machine matches; the message is `CODE: text`. */
export class CloudStepError extends Error {
  constructor(
    name: 'CloudTransientError' | 'CloudBusyError' | 'CloudFaultError' | 'CloudPollTimeout' | 'CloudRequestError',
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = name;
  }
}

/** The cloud object went ERROR: its fault message ends the task. */
export const cloudFault = (what: string, message: string | undefined) =>
  new CloudStepError('CloudFaultError', 'CLOUD_FAULT', `${what} went into ERROR${message ? `: ${message}` : ''}`);

/** Maps whatever a step threw onto the names the state machines know. */
export function classifyStepError(e: unknown): Error {
  if (e instanceof CloudStepError) return e;
  if (e instanceof DependencyUnavailableError || e instanceof RateLimitedError)
    return new CloudStepError('CloudTransientError', 'CLOUD_UNAVAILABLE', e.message);
  if (e instanceof ConflictError && e.code === 'CLOUD_CONFLICT')
    return new CloudStepError('CloudBusyError', 'CLOUD_CONFLICT', String(e.details?.cloudMessage ?? e.message));
  if (e instanceof ApiError) return new CloudStepError('CloudRequestError', e.code, String(e.details?.cloudMessage ?? e.message));
  // DynamoDB throttling and network errors of our own services are transient too.
  const name = (e as Error)?.name ?? '';
  if (/Throttl|TimeoutError|ECONN|ProvisionedThroughput|ServiceUnavailable|InternalServerError/.test(name))
    return new CloudStepError('CloudTransientError', 'INTERNAL_UNAVAILABLE', (e as Error).message);
  return e as Error;
}

/**
 * A create step made the resource's main cloud object: it is recorded as made and as the record's `cloud_id`
 * (with `patch`) in one write, the task shows it, and the state goes to its Wait/Check loop.
 */
export async function madeMainObject(
  db: Db,
  s: CloudState,
  made: MadeResource,
  report: { progress: number; step: string; message: string },
  patch: Partial<CloudRecord> = {},
): Promise<CloudState> {
  await addMade(db, s.kind, s.id, made, { ...patch, cloud_id: made.id });
  await reportProgress(db, s.taskId, report);
  return { ...s, ready: false, poll: { ...s.poll, round: 0 } };
}

/** One more round of a Wait/Check loop, or CloudPollTimeout when the bound is reached. */
export function nextRound(s: CloudState, waitingFor: string): CloudState {
  const round = s.poll.round + 1;
  if (round > s.poll.max) {
    throw new CloudStepError('CloudPollTimeout', 'CLOUD_TIMEOUT', `Gave up waiting for ${waitingFor} after ${s.poll.max} checks`);
  }
  return { ...s, ready: false, poll: { ...s.poll, round } };
}

export const readyState = (s: CloudState, patch: Partial<CloudState> = {}): CloudState => ({
  ...s,
  ...patch,
  ready: true,
  poll: { ...s.poll, round: 0 },
});

/** Progress of a waited phase: `from`..`to` as the rounds pass (never reaching `to` before it is done). */
export async function progress(db: Db, s: CloudState, step: string, from: number, to: number, message?: string): Promise<boolean> {
  const share = Math.min(0.95, s.poll.round / Math.max(10, Math.min(s.poll.max, 30)));
  return reportProgress(db, s.taskId, { progress: from + (to - from) * share, step, ...(message && { message }) });
}

export async function taskEnded(db: Db, taskId: string): Promise<boolean> {
  return TERMINAL.includes((await getTask(db, taskId)).status);
}

/** Starts a workflow on a record: takes the record (one task at a time: 409 RESOURCE_BUSY), records the task. */
export async function startCloudTask(
  p: Pick<Platform, 'db' | 'workflows'>,
  req: {
    record: CloudRecord;
    op: string;
    stateMachine: string;
    actor: string;
    input?: Record<string, unknown>;
    /** For a new record: already written with this task as busy_task. */
    taskId?: string;
    recordPatch?: Partial<CloudRecord>;
  },
) {
  const { db } = p;
  const r = req.record;
  const taskId = req.taskId ?? randomUUID();
  if (!req.taskId) {
    const took = await patchRecord(db, r.kind, r.id, { busy_task: taskId, ...(req.recordPatch ?? {}) }, { notBusy: true });
    if (!took) {
      const now = await getRecord(db, r.kind, r.id, { includeDeleted: true });
      throw new ConflictError('RESOURCE_BUSY', `${r.kind} ${r.id} is being changed by another task`, {
        id: r.id,
        ...(now.busy_task && { task: `/api/v1/tasks/${now.busy_task}` }),
      });
    }
  }
  const type = `${r.kind}.${req.op}`;
  try {
    const task = await startTask(db, p.workflows, {
      id: taskId,
      type,
      stateMachine: req.stateMachine,
      owner: req.actor,
      target: `${r.kind}:${r.id}`,
      context: { kind: r.kind, id: r.id, op: req.op },
      input: {
        kind: r.kind,
        id: r.id,
        op: req.op,
        input: req.input ?? {},
        poll: { ...pollSettings(), round: 0 },
      },
    });
    // A new record (taskId given) was written with its create task in the history already.
    if (!req.taskId) await addTaskToHistory(db, r.kind, r.id, { task_id: task.id, action: req.op, at: task.created_at, by: req.actor });
    return task;
  } catch (e) {
    await patchRecord(db, r.kind, r.id, {}, { busyTask: taskId, remove: ['busy_task'] });
    throw e;
  }
}

/** The workflow succeeded: the task gets its result, the record is released (and changed by `patch`). */
export async function finishCloudTask(db: Db, s: CloudState, patch: Partial<CloudRecord>, result: unknown): Promise<void> {
  const r = await getRecord(db, s.kind, s.id, { includeDeleted: true });
  await patchRecord(db, s.kind, s.id, patch, { busyTask: s.taskId, remove: ['busy_task', 'fault'] });
  await succeedTask(db, s.taskId, result);
  await writeAudit(db, {
    category: 'mutation',
    action: `${s.kind}.${s.op}.completed`,
    actor: r.owner,
    target: `${s.kind}:${s.id}`,
    result: 'success',
    details: { task_id: s.taskId },
  });
}

/** The cause of a Catch as `{code, message}` (`CODE: text` from CloudStepError, else the raw message). */
export function causeOf(s: CloudState): { code: string; message: string } {
  let message = 'The cloud operation failed';
  try {
    message = (JSON.parse(s.error?.Cause ?? '{}') as { errorMessage?: string }).errorMessage ?? s.error?.Cause ?? message;
  } catch {
    message = s.error?.Cause?.slice(0, 500) ?? message;
  }
  const m = /^([A-Z][A-Z0-9_]+): (.*)$/s.exec(message);
  if (m) return { code: m[1]!, message: m[2]!.slice(0, 500) };
  return {
    code: s.error?.Error && /^[A-Z_]+$/.test(s.error.Error) ? s.error.Error : 'CLOUD_OPERATION_FAILED',
    message: message.slice(0, 500),
  };
}

/** The workflow failed for good (after compensation): the task ends failed with the cloud's message. */
export async function failCloudTask(db: Db, s: CloudState, patch: Partial<CloudRecord>, error: { code: string; message: string }) {
  const r = await getRecord(db, s.kind, s.id, { includeDeleted: true });
  await patchRecord(db, s.kind, s.id, { ...patch, fault: error }, { busyTask: s.taskId, remove: ['busy_task'] });
  await failTask(db, s.taskId, error);
  await writeAudit(db, {
    category: 'mutation',
    action: `${s.kind}.${s.op}.failed`,
    actor: r.owner,
    target: `${s.kind}:${s.id}`,
    result: 'failure',
    details: { task_id: s.taskId, code: error.code, message: error.message },
  });
}
