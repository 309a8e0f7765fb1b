/**
 * Runs one execution with aws-local-stepfunctions: Lambda tasks through the invoker, Wait durations and Retry
 * intervals multiplied by `waitScale`, history recorded while running, the outcome settled into the record.
 */
import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, type RunOptions } from 'aws-local-stepfunctions';
import { readReferencePath, resolveFunctionName, type CompiledStateMachine, type TaskRoute } from './definition.js';
import type { ExecutionStore } from './executions.js';
import { recordHistory } from './history.js';
import type { LambdaOutcome } from './lambda-invoker.js';
import type { MachineRegistry } from './machines.js';
import { ROLE_ARN, str, type EmulatorLog, type ExecutionRecord, type TerminalFields, type TerminalStatus } from './model.js';

export interface RunHandle {
  abortedByUs: boolean;
  abort: () => void;
  internalAbort: AbortController;
  /** Resolves when the library's event log has been fully converted into history. */
  drained: Promise<void>;
}

/** An error a Task state fails with (`name` is the States error). */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** The default wait scale: env SFN_WAIT_SCALE when a non-negative number, else 1. */
export function envScale(): number {
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

export interface RunnerContext {
  service: string;
  stage: string;
  /** Multiplies Wait durations and Retry intervals. */
  waitScale: number;
  log: EmulatorLog;
  invokeLambda: (fn: string, payload: unknown) => Promise<LambdaOutcome>;
  machines: MachineRegistry;
  store: ExecutionStore;
  /** Running executions by executionArn (added at start, removed once settled). */
  runs: Map<string, RunHandle>;
  isShuttingDown(): boolean;
}

/** Starts running `rec` (a RUNNING record of `sm`, already stored) in the background. */
export function startRun(ctx: RunnerContext, sm: CompiledStateMachine, rec: ExecutionRecord): void {
  const { service, stage, waitScale, log, invokeLambda, runs, isShuttingDown } = ctx;
  const { persist, finish } = ctx.store;
  const machine = ctx.machines.runnable(sm);
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

  // History is also saved while running (debounced), not only on status changes.
  let persistTimer: NodeJS.Timeout | undefined;
  const schedulePersist = (): void => {
    if (persistTimer || isShuttingDown()) return;
    persistTimer = setTimeout(() => {
      persistTimer = undefined;
      if (rec.status === 'RUNNING' && !isShuttingDown()) void persist(rec);
    }, 250);
    persistTimer.unref();
  };
  const drained = recordHistory(rec, sm, execution.eventLogs, lambdaOutputs, schedulePersist).catch((err: unknown) =>
    log(`history of ${rec.executionArn} failed`, err),
  );

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

  const settle = async (status: TerminalStatus, fields: TerminalFields): Promise<void> => {
    await Promise.race([drained, new Promise((r) => setTimeout(r, 2000))]);
    runs.delete(rec.executionArn);
    if (isShuttingDown() || rec.status !== 'RUNNING') return;
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
}
