/**
 * A local emulator of the AWS Step Functions API (AWS JSON 1.0: `X-Amz-Target: AWSStepFunctions.<Op>`),
 * used by the application through the unchanged `@aws-sdk/client-sfn` with only `endpoint` changed.
 *
 * State machines come from `state-machines/*.asl.yml` (reloaded when a file changes) and run with
 * aws-local-stepfunctions; their Lambda Tasks go through a pluggable invoker (serverless-offline's Lambda
 * endpoint by default). Executions are persisted as JSON under `dataDir/executions/`; executions left
 * RUNNING by a previous process are failed with `States.EmulatorRestarted` at start-up, and every terminal
 * transition is reported through `onExecutionStatusChange` with the EventBridge
 * "Step Functions Execution Status Change" event shape.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { createAwsJsonServer } from '../aws-json-server.js';
import {
  SFN_ACCOUNT_ID,
  SFN_REGION,
  lambdaArn,
  loadStateMachines,
  readReferencePath,
  resolveFunctionName,
  type CompiledStateMachine,
  type TaskRoute,
} from './definition.js';
import { httpInvoker, inProcessInvoker, type InProcessInvoke, type LambdaOutcome } from './lambda-invoker.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionStatusChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'Step Functions Execution Status Change';
  source: 'aws.states';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: ExecutionStatus;
    startDate: number;
    stopDate: number | null;
    input: string;
    inputDetails: { included: boolean };
    output: string | null;
    outputDetails: { included: boolean } | null;
    error: string | null;
    cause: string | null;
  };
}

export interface SfnEmulatorOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  stateMachinesDir: string;
  dataDir: string;
  service?: string;
  stage?: string;
  /** Multiplies Wait durations and Retry intervals (default: env SFN_WAIT_SCALE, else 1). */
  waitScale?: number;
  /** serverless-offline Lambda endpoint (default http://localhost:3002). Ignored when `invoke` is given. */
  lambdaEndpoint?: string;
  /** In-process Lambda invoker (tests): a thrown error is a function error whose errorType is `err.name`. */
  invoke?: InProcessInvoke;
  onExecutionStatusChange?: (ev: ExecutionStatusChangeEvent) => Promise<void>;
  /** Logger for emulator-side problems (default console.error). */
  log?: (msg: string, err?: unknown) => void;
}

export interface RunningSfnEmulator {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** epoch ms (sent as epoch seconds on the wire) */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
}

interface RunHandle {
  abortedByUs: boolean;
  abort: () => void;
  internalAbort: AbortController;
  /** Resolves when the library's event log has been fully converted into history. */
  drained: Promise<void>;
}

class SfnError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

const ROLE_ARN = `arn:aws:iam::${SFN_ACCOUNT_ID}:role/local-sfn-emulator`;
const RESTART_ERROR = 'States.EmulatorRestarted';
const RESTART_CAUSE = 'The local Step Functions emulator restarted while this execution was running';
const NAME_RE = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

const sec = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);
const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v ?? null));

function envScale(): number {
  const v = Number(process.env.SFN_WAIT_SCALE);
  return Number.isFinite(v) && v >= 0 && process.env.SFN_WAIT_SCALE !== '' && process.env.SFN_WAIT_SCALE !== undefined ? v : 1;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const t = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.min(ms, 2 ** 31 - 1),
    );
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}
function decodeToken(token: unknown): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as { offset: number };
    if (Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    /* fallthrough */
  }
  throw new SfnError('InvalidToken', 'Invalid Token: the pagination token is invalid');
}

export async function startSfnEmulator(opts: SfnEmulatorOptions): Promise<RunningSfnEmulator> {
  const service = opts.service ?? 'apibibind';
  const stage = opts.stage ?? 'local';
  const waitScale = opts.waitScale ?? envScale();
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? ((msg: string, err?: unknown) => console.error(`[sfn-emulator] ${msg}`, err ?? ''));
  const execDir = path.join(opts.dataDir, 'executions');
  await mkdir(execDir, { recursive: true });

  const http_ = opts.invoke ? undefined : httpInvoker(opts.lambdaEndpoint ?? 'http://localhost:3002');
  const invokeLambda: (fn: string, payload: unknown) => Promise<LambdaOutcome> = opts.invoke
    ? inProcessInvoker(opts.invoke)
    : http_!.invoke;

  const executions = new Map<string, ExecutionRecord>();
  const runs = new Map<string, RunHandle>();
  const writes = new Map<string, Promise<void>>();
  const callbacks = new Set<Promise<void>>();
  let shuttingDown = false;

  // ---------- state machines ----------
  let compiledCache = new Map<string, CompiledStateMachine>();
  const runnable = new WeakMap<CompiledStateMachine, StateMachine>();
  let loadErrors = new Map<string, string>();

  const machines = async (): Promise<Map<string, CompiledStateMachine>> => {
    const { machines: ms, errors } = await loadStateMachines(opts.stateMachinesDir, { service, stage, waitScale }, compiledCache);
    for (const [name, sm] of ms) {
      if (runnable.has(sm)) continue;
      try {
        runnable.set(sm, new StateMachine(sm.runnableDefinition as unknown as StateMachineDefinition));
      } catch (err) {
        ms.delete(name);
        errors.set(name, (err as Error).message);
      }
    }
    for (const [name, msg] of errors) {
      if (loadErrors.get(name) !== msg) log(`state machine ${name} not loaded: ${msg}`);
    }
    compiledCache = ms;
    loadErrors = errors;
    return ms;
  };

  const machineByArn = async (arn: unknown): Promise<CompiledStateMachine> => {
    if (typeof arn !== 'string' || !/^arn:aws:states:[^:]+:\d{12}:stateMachine:[^:]+$/.test(arn)) {
      throw new SfnError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`);
    }
    for (const sm of (await machines()).values()) if (sm.arn === arn) return sm;
    const short = arn.split(':').pop()!.replace(`${service}-${stage}-`, '');
    const why = loadErrors.get(short);
    throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'${why ? ` (load error: ${why})` : ''}`);
  };

  // ---------- persistence ----------
  const fileFor = (arn: string): string => path.join(execDir, `${encodeURIComponent(arn.split(':execution:')[1] ?? arn)}.json`);
  const persist = (rec: ExecutionRecord): Promise<void> => {
    const prev = writes.get(rec.executionArn) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        const file = fileFor(rec.executionArn);
        const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
        await writeFile(tmp, JSON.stringify(rec));
        await rename(tmp, file);
      })
      .catch((err: unknown) => log(`persisting ${rec.executionArn} failed`, err));
    writes.set(rec.executionArn, next);
    return next;
  };

  const statusEvent = (rec: ExecutionRecord): ExecutionStatusChangeEvent => ({
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: SFN_ACCOUNT_ID,
    time: new Date(rec.stopDate ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: SFN_REGION,
    resources: [rec.executionArn],
    detail: {
      executionArn: rec.executionArn,
      stateMachineArn: rec.stateMachineArn,
      name: rec.name,
      status: rec.status,
      startDate: rec.startDate,
      stopDate: rec.stopDate ?? null,
      input: rec.input,
      inputDetails: { included: true },
      output: rec.output ?? null,
      outputDetails: rec.output !== undefined ? { included: true } : null,
      error: rec.error ?? null,
      cause: rec.cause ?? null,
    },
  });

  const fireStatusChange = (rec: ExecutionRecord): Promise<void> => {
    if (!opts.onExecutionStatusChange) return Promise.resolve();
    const p = opts
      .onExecutionStatusChange(statusEvent(rec))
      .catch((err: unknown) => log(`onExecutionStatusChange for ${rec.executionArn} failed`, err));
    callbacks.add(p);
    void p.finally(() => callbacks.delete(p));
    return p;
  };

  const addEvent = (rec: ExecutionRecord, type: string, details: Record<string, unknown> = {}, at = Date.now()): void => {
    const last = rec.history[rec.history.length - 1];
    rec.history.push({ id: (last?.id ?? 0) + 1, previousEventId: last?.id ?? 0, timestamp: at, type, ...details });
  };

  const finish = async (
    rec: ExecutionRecord,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    fields: { output?: string; error?: string; cause?: string },
  ): Promise<void> => {
    rec.status = status;
    rec.stopDate = Date.now();
    if (fields.output !== undefined) rec.output = fields.output;
    if (fields.error !== undefined) rec.error = fields.error;
    if (fields.cause !== undefined) rec.cause = fields.cause;
    await persist(rec);
    await fireStatusChange(rec);
  };

  // ---------- running ----------
  const startRun = (sm: CompiledStateMachine, rec: ExecutionRecord): void => {
    const machine = runnable.get(sm)!;
    const internalAbort = new AbortController();
    const streaks = new Map<string, number>();
    const lambdaOutputs = new Map<string, unknown[]>();

    const callLambda = async (stateName: string, fnName: string, payload: unknown): Promise<unknown> => {
      if (internalAbort.signal.aborted) throw new TaskError('States.Runtime', 'Execution was stopped');
      const outcome = await invokeLambda(fnName, payload);
      if (outcome.ok) {
        streaks.delete(stateName);
        return outcome.payload;
      }
      streaks.set(stateName, (streaks.get(stateName) ?? 0) + 1);
      if (outcome.kind === 'service') throw new TaskError(outcome.error, outcome.cause);
      const { errorType, errorMessage, trace } = outcome;
      throw new TaskError(errorType, JSON.stringify({ errorType, errorMessage, trace }));
    };

    const handlerFor =
      (stateName: string, route: TaskRoute) =>
      async (input: unknown): Promise<never> => {
        let result: unknown;
        switch (route.kind) {
          case 'lambda':
            result = await callLambda(stateName, route.fnName, input);
            (lambdaOutputs.get(stateName) ?? lambdaOutputs.set(stateName, []).get(stateName)!).push(result);
            break;
          case 'lambdaInvoke': {
            const params = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
            const fn = resolveFunctionName(params.FunctionName, { service, stage });
            if (!fn) throw new TaskError('States.Runtime', 'lambda:invoke without a FunctionName');
            const payload = await callLambda(stateName, fn, params.Payload ?? {});
            result = {
              ExecutedVersion: '$LATEST',
              Payload: payload,
              SdkHttpMetadata: { HttpStatusCode: 200 },
              SdkResponseMetadata: { RequestId: randomUUID() },
              StatusCode: 200,
            };
            (lambdaOutputs.get(stateName) ?? lambdaOutputs.set(stateName, []).get(stateName)!).push(result);
            break;
          }
          case 'wait': {
            let ms = 0;
            if (route.secondsPath) {
              const s = readReferencePath(input, route.secondsPath);
              if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) {
                throw new TaskError('States.Runtime', `SecondsPath '${route.secondsPath}' is not a non-negative integer`);
              }
              ms = s * 1000;
            } else if (route.timestampPath) {
              const t = readReferencePath(input, route.timestampPath);
              const at = typeof t === 'string' ? Date.parse(t) : NaN;
              if (Number.isNaN(at)) throw new TaskError('States.Runtime', `TimestampPath '${route.timestampPath}' is not a timestamp`);
              ms = at - Date.now();
            }
            await sleep(ms * waitScale, internalAbort.signal);
            result = input;
            break;
          }
          case 'unsupported':
            throw new TaskError('States.Runtime', `Task resource not supported by the local emulator: ${route.resource}`);
        }
        return result as never;
      };

    const taskResourceLocalHandlers = new Proxy({} as NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>, {
      get: (_t, name) => {
        if (typeof name !== 'string') return undefined;
        const route = sm.tasks.get(name);
        return route ? handlerFor(name, route) : undefined;
      },
    });
    const scaled = waitScale !== 1;
    const waitTimeOverrides = new Proxy({} as Record<string, number>, {
      get: (_t, name) => {
        if (typeof name !== 'string') return undefined;
        const w = sm.waits.get(name);
        if (!w) return undefined;
        if (w.seconds !== undefined) return Math.round(w.seconds * 1000 * waitScale);
        if (w.timestamp !== undefined) return Math.max(0, Math.round((Date.parse(w.timestamp) - Date.now()) * waitScale));
        return undefined;
      },
    });
    const retryIntervalOverrides = new Proxy({} as Record<string, number[]>, {
      get: (_t, name) => {
        if (typeof name !== 'string') return undefined;
        const retriers = sm.retriers.get(name);
        if (!retriers) return undefined;
        const attempt = Math.max(0, (streaks.get(name) ?? 1) - 1);
        return retriers.map((r) => {
          let s = (r.IntervalSeconds ?? 1) * Math.pow(r.BackoffRate ?? 2, attempt);
          if (r.MaxDelaySeconds !== undefined) s = Math.min(s, r.MaxDelaySeconds);
          return Math.round(s * 1000 * waitScale);
        });
      },
    });

    const execution = machine.run(JSON.parse(rec.input) as never, {
      overrides: {
        taskResourceLocalHandlers,
        ...(scaled ? { waitTimeOverrides, retryIntervalOverrides } : {}),
      },
      context: {
        Execution: { Id: rec.executionArn, Name: rec.name, RoleArn: ROLE_ARN },
        StateMachine: { Id: sm.arn, Name: rec.stateMachineName },
      },
    });

    // Library event log → AWS history events.
    const stateType = (name: string, type: string): string => (sm.rewrittenWaits.has(name) ? 'Wait' : type);
    // History is also saved while running (debounced), not only on status changes.
    let persistTimer: NodeJS.Timeout | undefined;
    const schedulePersist = (): void => {
      if (persistTimer || shuttingDown) return;
      persistTimer = setTimeout(() => {
        persistTimer = undefined;
        if (rec.status === 'RUNNING' && !shuttingDown) void persist(rec);
      }, 250);
      persistTimer.unref();
    };
    const drained = (async () => {
      for await (const ev of execution.eventLogs) {
        schedulePersist();
        const at = ev.timestamp;
        switch (ev.type) {
          case 'ExecutionStarted':
            // Written at StartExecution time.
            break;
          case 'StateEntered': {
            const t = stateType(ev.state.name, ev.state.type);
            addEvent(
              rec,
              `${t}StateEntered`,
              { stateEnteredEventDetails: { name: ev.state.name, input: str(ev.state.input), inputDetails: { truncated: false } } },
              at,
            );
            const route = sm.tasks.get(ev.state.name);
            if (t === 'Task') scheduleTaskEvents(route, ev.state.input, at);
            if (t === 'Parallel') addEvent(rec, 'ParallelStateStarted', {}, at);
            if (t === 'Map')
              addEvent(
                rec,
                'MapStateStarted',
                { mapStateStartedEventDetails: { length: Array.isArray(ev.state.input) ? ev.state.input.length : 0 } },
                at,
              );
            break;
          }
          case 'StateRetried': {
            if (stateType(ev.state.name, ev.state.type) === 'Task') scheduleTaskEvents(sm.tasks.get(ev.state.name), ev.state.input, at);
            break;
          }
          case 'StateFailed': {
            const t = stateType(ev.state.name, ev.state.type);
            const route = sm.tasks.get(ev.state.name);
            const error = ev.Error;
            const cause = str(ev.Cause);
            if (t === 'Task' && route?.kind === 'lambda') {
              addEvent(
                rec,
                error === 'States.Timeout' ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed',
                {
                  [error === 'States.Timeout' ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails']: {
                    error,
                    cause,
                  },
                },
                at,
              );
            } else if (t === 'Task' && route?.kind !== 'wait') {
              addEvent(
                rec,
                error === 'States.Timeout' ? 'TaskTimedOut' : 'TaskFailed',
                {
                  [error === 'States.Timeout' ? 'taskTimedOutEventDetails' : 'taskFailedEventDetails']: {
                    resourceType: 'lambda',
                    resource: 'invoke',
                    error,
                    cause,
                  },
                },
                at,
              );
            } else if (t === 'Parallel') {
              addEvent(rec, 'ParallelStateFailed', {}, at);
            } else if (t === 'Map') {
              addEvent(rec, 'MapStateFailed', {}, at);
            }
            break;
          }
          case 'StateExited': {
            const t = stateType(ev.state.name, ev.state.type);
            const route = sm.tasks.get(ev.state.name);
            if (t === 'Task' && (route?.kind === 'lambda' || route?.kind === 'lambdaInvoke')) {
              const raw = lambdaOutputs.get(ev.state.name)?.shift();
              if (route.kind === 'lambda') {
                addEvent(
                  rec,
                  'LambdaFunctionSucceeded',
                  { lambdaFunctionSucceededEventDetails: { output: str(raw), outputDetails: { truncated: false } } },
                  at,
                );
              } else {
                addEvent(
                  rec,
                  'TaskSucceeded',
                  {
                    taskSucceededEventDetails: {
                      resourceType: 'lambda',
                      resource: 'invoke',
                      output: str(raw),
                      outputDetails: { truncated: false },
                    },
                  },
                  at,
                );
              }
            }
            if (t === 'Parallel') addEvent(rec, 'ParallelStateSucceeded', {}, at);
            if (t === 'Map') addEvent(rec, 'MapStateSucceeded', {}, at);
            addEvent(
              rec,
              `${t}StateExited`,
              { stateExitedEventDetails: { name: ev.state.name, output: str(ev.state.output), outputDetails: { truncated: false } } },
              at,
            );
            break;
          }
          case 'MapIterationStarted':
          case 'MapIterationSucceeded':
          case 'MapIterationFailed': {
            const key = `${ev.type.charAt(0).toLowerCase()}${ev.type.slice(1)}EventDetails`;
            addEvent(rec, ev.type, { [key]: { name: ev.parentState.name, index: ev.index } }, at);
            break;
          }
          case 'ExecutionSucceeded':
            addEvent(
              rec,
              'ExecutionSucceeded',
              { executionSucceededEventDetails: { output: str(ev.output), outputDetails: { truncated: false } } },
              at,
            );
            break;
          case 'ExecutionFailed':
            addEvent(rec, 'ExecutionFailed', { executionFailedEventDetails: { error: ev.Error, cause: str(ev.Cause) } }, at);
            break;
          case 'ExecutionTimeout':
            addEvent(
              rec,
              'ExecutionTimedOut',
              { executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds)' } },
              at,
            );
            break;
          default:
            // ExecutionAborted is written by StopExecution; Parallel branch / StateCaught have no AWS event.
            break;
        }
      }
    })().catch((err: unknown) => log(`history of ${rec.executionArn} failed`, err));

    function scheduleTaskEvents(route: TaskRoute | undefined, input: unknown, at: number): void {
      if (route?.kind === 'lambda') {
        addEvent(
          rec,
          'LambdaFunctionScheduled',
          {
            lambdaFunctionScheduledEventDetails: {
              resource: lambdaArn(route.fnName),
              input: str(input),
              inputDetails: { truncated: false },
              timeoutInSeconds: 900,
            },
          },
          at,
        );
        addEvent(rec, 'LambdaFunctionStarted', {}, at);
      } else if (route?.kind === 'lambdaInvoke') {
        addEvent(
          rec,
          'TaskScheduled',
          { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: SFN_REGION, parameters: str(input) } },
          at,
        );
        addEvent(rec, 'TaskStarted', { taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } }, at);
      }
    }

    const handle: RunHandle = {
      abortedByUs: false,
      abort: () => {
        internalAbort.abort();
        execution.abort();
      },
      internalAbort,
      drained,
    };
    runs.set(rec.executionArn, handle);

    const settle = async (
      status: Exclude<ExecutionStatus, 'RUNNING'>,
      fields: { output?: string; error?: string; cause?: string },
    ): Promise<void> => {
      await Promise.race([drained, new Promise((r) => setTimeout(r, 2000))]);
      runs.delete(rec.executionArn);
      if (shuttingDown || rec.status !== 'RUNNING') return;
      await finish(rec, status, fields);
    };

    execution.result.then(
      (output) => settle('SUCCEEDED', { output: JSON.stringify(output ?? null) }),
      (err: unknown) => {
        if (err instanceof ExecutionAbortedError) return settle('ABORTED', {});
        if (err instanceof ExecutionTimeoutError) {
          return settle('TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds)' });
        }
        const inner = err instanceof ExecutionError && err.cause instanceof Error ? err.cause : (err as Error);
        const c = (inner as { cause?: unknown }).cause ?? inner?.message;
        return settle('FAILED', { error: inner?.name ?? 'States.Runtime', cause: str(c) });
      },
    );
  };

  // ---------- API ----------
  const getExecution = (arn: unknown): ExecutionRecord => {
    if (typeof arn !== 'string' || !/^arn:aws:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/.test(arn)) {
      throw new SfnError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`);
    }
    const rec = executions.get(arn);
    if (!rec) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return rec;
  };

  const describe = (rec: ExecutionRecord): Record<string, unknown> => ({
    executionArn: rec.executionArn,
    stateMachineArn: rec.stateMachineArn,
    name: rec.name,
    status: rec.status,
    startDate: sec(rec.startDate),
    ...(rec.stopDate !== undefined ? { stopDate: sec(rec.stopDate) } : {}),
    input: rec.input,
    inputDetails: { included: true },
    ...(rec.output !== undefined ? { output: rec.output, outputDetails: { included: true } } : {}),
    ...(rec.error !== undefined ? { error: rec.error } : {}),
    ...(rec.cause !== undefined ? { cause: rec.cause } : {}),
  });

  const paginate = <T>(items: T[], req: Record<string, unknown>, max = 1000): { page: T[]; nextToken?: string } => {
    const offset = decodeToken(req.nextToken);
    const size = typeof req.maxResults === 'number' && req.maxResults > 0 ? Math.min(req.maxResults, max) : max;
    const page = items.slice(offset, offset + size);
    return offset + size < items.length ? { page, nextToken: encodeToken(offset + size) } : { page };
  };

  const ops: Record<string, (req: Record<string, unknown>) => Promise<unknown>> = {
    async StartExecution(req) {
      const sm = await machineByArn(req.stateMachineArn);
      const input = req.input === undefined || req.input === null ? '{}' : req.input;
      if (typeof input !== 'string') throw new SfnError('InvalidExecutionInput', 'Invalid execution input: must be a JSON string');
      try {
        JSON.parse(input);
      } catch {
        throw new SfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: 'Unexpected token in JSON input'`);
      }
      const name = req.name === undefined || req.name === null ? randomUUID() : req.name;
      if (typeof name !== 'string' || !NAME_RE.test(name)) throw new SfnError('InvalidName', `Invalid Name: '${String(name)}'`);
      const smName = sm.arn.split(':').pop()!;
      const executionArn = `arn:aws:states:${SFN_REGION}:${SFN_ACCOUNT_ID}:execution:${smName}:${name}`;
      const existing = executions.get(executionArn);
      if (existing) {
        // AWS (STANDARD): same name + same input while RUNNING → same response; otherwise an error.
        if (existing.status === 'RUNNING' && existing.input === input) {
          return { executionArn, startDate: sec(existing.startDate) };
        }
        throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      const rec: ExecutionRecord = {
        executionArn,
        stateMachineArn: sm.arn,
        stateMachineName: smName,
        name,
        input,
        status: 'RUNNING',
        startDate: Date.now(),
        history: [],
      };
      addEvent(
        rec,
        'ExecutionStarted',
        {
          executionStartedEventDetails: { input, inputDetails: { truncated: false }, roleArn: ROLE_ARN },
        },
        rec.startDate,
      );
      executions.set(executionArn, rec);
      await persist(rec);
      startRun(sm, rec);
      return { executionArn, startDate: sec(rec.startDate) };
    },

    async DescribeExecution(req) {
      return describe(getExecution(req.executionArn));
    },

    async DescribeStateMachineForExecution(req) {
      const rec = getExecution(req.executionArn);
      const sm = await machineByArn(rec.stateMachineArn);
      return {
        stateMachineArn: sm.arn,
        name: rec.stateMachineName,
        definition: JSON.stringify(sm.deployedDefinition),
        roleArn: ROLE_ARN,
        updateDate: sec(sm.creationDate),
      };
    },

    async StopExecution(req) {
      const rec = getExecution(req.executionArn);
      if (rec.status !== 'RUNNING') return { stopDate: sec(rec.stopDate ?? Date.now()) };
      const handle = runs.get(rec.executionArn);
      const error = typeof req.error === 'string' ? req.error : undefined;
      const cause = typeof req.cause === 'string' ? req.cause : undefined;
      rec.status = 'ABORTED';
      rec.stopDate = Date.now();
      if (error !== undefined) rec.error = error;
      if (cause !== undefined) rec.cause = cause;
      if (handle) {
        handle.abortedByUs = true;
        handle.abort();
        await Promise.race([handle.drained, new Promise((r) => setTimeout(r, 1000))]);
      }
      addEvent(rec, 'ExecutionAborted', {
        executionAbortedEventDetails: { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) },
      });
      await persist(rec);
      void fireStatusChange(rec);
      return { stopDate: sec(rec.stopDate) };
    },

    async GetExecutionHistory(req) {
      const rec = getExecution(req.executionArn);
      let events = rec.history.map((e) => ({ ...e, timestamp: sec(e.timestamp) }) as Record<string, unknown>);
      if (req.includeExecutionData === false) {
        events = events.map(
          (e) =>
            JSON.parse(JSON.stringify(e, (k, v: unknown) => (['input', 'output', 'parameters'].includes(k) ? undefined : v))) as Record<
              string,
              unknown
            >,
        );
      }
      if (req.reverseOrder === true) events.reverse();
      const { page, nextToken } = paginate(events, req);
      return { events: page, ...(nextToken ? { nextToken } : {}) };
    },

    async ListExecutions(req) {
      const filterArn = req.stateMachineArn;
      if (filterArn !== undefined)
        await machineByArn(filterArn).catch((err: unknown) => {
          // A state machine whose file was removed still lists its past executions.
          if (![...executions.values()].some((e) => e.stateMachineArn === filterArn)) throw err;
        });
      const list = [...executions.values()]
        .filter((e) => filterArn === undefined || e.stateMachineArn === filterArn)
        .filter((e) => req.statusFilter === undefined || e.status === req.statusFilter)
        .sort((a, b) => b.startDate - a.startDate)
        .map((e) => ({
          executionArn: e.executionArn,
          stateMachineArn: e.stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: sec(e.startDate),
          ...(e.stopDate !== undefined ? { stopDate: sec(e.stopDate) } : {}),
        }));
      const { page, nextToken } = paginate(list, req, 1000);
      return { executions: page, ...(nextToken ? { nextToken } : {}) };
    },

    async ListStateMachines(req) {
      const list = [...(await machines()).values()]
        .sort((a, b) => a.arn.localeCompare(b.arn))
        .map((sm) => ({
          stateMachineArn: sm.arn,
          name: sm.arn.split(':').pop(),
          type: 'STANDARD',
          creationDate: sec(sm.creationDate),
        }));
      const { page, nextToken } = paginate(list, req);
      return { stateMachines: page, ...(nextToken ? { nextToken } : {}) };
    },

    async DescribeStateMachine(req) {
      const sm = await machineByArn(req.stateMachineArn);
      return {
        stateMachineArn: sm.arn,
        name: sm.arn.split(':').pop(),
        status: 'ACTIVE',
        definition: JSON.stringify(sm.deployedDefinition),
        roleArn: ROLE_ARN,
        type: 'STANDARD',
        creationDate: sec(sm.creationDate),
      };
    },
  };

  // ---------- restore ----------
  const restarted: ExecutionRecord[] = [];
  for (const f of await readdir(execDir)) {
    if (!f.endsWith('.json')) continue;
    try {
      const rec = JSON.parse(await readFile(path.join(execDir, f), 'utf8')) as ExecutionRecord;
      executions.set(rec.executionArn, rec);
      if (rec.status === 'RUNNING') restarted.push(rec);
    } catch (err) {
      log(`ignoring unreadable execution file ${f}`, err);
    }
  }

  const server = createAwsJsonServer({
    targetPrefix: 'AWSStepFunctions.',
    ops,
    unknownOperation: (what) => new SfnError('UnknownOperationException', `Operation not supported by the local emulator: ${what}`),
    fault: (err) => {
      if (err instanceof SfnError) return { status: err.status, type: `com.amazonaws.swf.service.model#${err.code}`, message: err.message };
      if (err instanceof SyntaxError)
        return { status: 400, type: 'com.amazonaws.swf.service.model#SerializationException', message: 'Malformed JSON body' };
      log('internal error', err);
      return { status: 500, type: 'com.amazonaws.swf.service.model#InternalFailure', message: (err as Error)?.message ?? String(err) };
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await machines();

  // Executions that were RUNNING when the previous process died cannot be resumed: fail them so the
  // application's status-change handler can mark its task failed and compensate.
  for (const rec of restarted) {
    addEvent(rec, 'ExecutionFailed', { executionFailedEventDetails: { error: RESTART_ERROR, cause: RESTART_CAUSE } });
    await finish(rec, 'FAILED', { error: RESTART_ERROR, cause: RESTART_CAUSE });
  }

  return {
    url: `http://${host}:${port}`,
    port,
    async stop() {
      shuttingDown = true;
      // Like a process exit: running executions stay RUNNING on disk (failed at the next start).
      for (const arn of runs.keys()) {
        const rec = executions.get(arn);
        if (rec?.status === 'RUNNING') void persist(rec);
      }
      for (const h of runs.values()) h.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.allSettled([...writes.values(), ...callbacks]);
      http_?.destroy();
    },
  };
}
