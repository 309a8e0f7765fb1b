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
import type { AddressInfo } from 'node:net';
import { createAwsJsonServer } from '../aws-json-server.js';
import { createExecutionStore } from './executions.js';
import { addEvent } from './history.js';
import { httpInvoker, inProcessInvoker, type LambdaOutcome } from './lambda-invoker.js';
import { createMachineRegistry } from './machines.js';
import { SfnError, type RunningSfnEmulator, type SfnEmulatorOptions } from './model.js';
import { createSfnOperations } from './operations.js';
import { envScale, startRun, type RunHandle, type RunnerContext } from './runner.js';

export type {
  ExecutionRecord,
  ExecutionStatus,
  ExecutionStatusChangeEvent,
  HistoryEvent,
  RunningSfnEmulator,
  SfnEmulatorOptions,
} from './model.js';

const RESTART_ERROR = 'States.EmulatorRestarted';
const RESTART_CAUSE = 'The local Step Functions emulator restarted while this execution was running';

export async function startSfnEmulator(opts: SfnEmulatorOptions): Promise<RunningSfnEmulator> {
  const service = opts.service ?? 'apibibind';
  const stage = opts.stage ?? 'local';
  const waitScale = opts.waitScale ?? envScale();
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? ((msg: string, err?: unknown) => console.error(`[sfn-emulator] ${msg}`, err ?? ''));
  const store = await createExecutionStore(opts, log);

  const http_ = opts.invoke ? undefined : httpInvoker(opts.lambdaEndpoint ?? 'http://localhost:3002');
  const invokeLambda: (fn: string, payload: unknown) => Promise<LambdaOutcome> = opts.invoke
    ? inProcessInvoker(opts.invoke)
    : http_!.invoke;

  const runs = new Map<string, RunHandle>();
  let shuttingDown = false;

  const machines = createMachineRegistry({ stateMachinesDir: opts.stateMachinesDir, service, stage, waitScale, log });
  const runner: RunnerContext = {
    service,
    stage,
    waitScale,
    log,
    invokeLambda,
    machines,
    store,
    runs,
    isShuttingDown: () => shuttingDown,
  };
  const ops = createSfnOperations({ machines, store, runs, startRun: (sm, rec) => startRun(runner, sm, rec) });

  const restarted = await store.restore();

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
  await machines.machines();

  // Executions that were RUNNING when the previous process died cannot be resumed: fail them so the
  // application's status-change handler can mark its task failed and compensate.
  for (const rec of restarted) {
    addEvent(rec, 'ExecutionFailed', { executionFailedEventDetails: { error: RESTART_ERROR, cause: RESTART_CAUSE } });
    await store.finish(rec, 'FAILED', { error: RESTART_ERROR, cause: RESTART_CAUSE });
  }

  return {
    url: `http://${host}:${port}`,
    port,
    async stop() {
      shuttingDown = true;
      // Like a process exit: running executions stay RUNNING on disk (failed at the next start).
      for (const arn of runs.keys()) {
        const rec = store.executions.get(arn);
        if (rec?.status === 'RUNNING') void store.persist(rec);
      }
      for (const h of runs.values()) h.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.settled();
      http_?.destroy();
    },
  };
}
