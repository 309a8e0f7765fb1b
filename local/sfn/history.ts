/** History events of an execution: appending them, and converting the aws-local-stepfunctions event log. */
import type { StateMachine } from 'aws-local-stepfunctions';
import { SFN_REGION, lambdaArn, type CompiledStateMachine, type TaskRoute } from './definition.js';
import { str, type ExecutionRecord } from './model.js';

type EventLogs = ReturnType<StateMachine['run']>['eventLogs'];

/** Appends an event to `rec.history` (ids are consecutive, `previousEventId` is the previous event's id). */
export function addEvent(rec: ExecutionRecord, type: string, details: Record<string, unknown> = {}, at = Date.now()): void {
  const last = rec.history[rec.history.length - 1];
  rec.history.push({ id: (last?.id ?? 0) + 1, previousEventId: last?.id ?? 0, timestamp: at, type, ...details });
}

/**
 * Converts the library's event log into AWS history events on `rec` until the execution ends. `lambdaOutputs`
 * holds the raw outputs of Lambda tasks by state name (queued by the task handlers); `onEvent` runs per event.
 */
export async function recordHistory(
  rec: ExecutionRecord,
  sm: CompiledStateMachine,
  eventLogs: EventLogs,
  lambdaOutputs: Map<string, unknown[]>,
  onEvent: () => void,
): Promise<void> {
  const stateType = (name: string, type: string): string => (sm.rewrittenWaits.has(name) ? 'Wait' : type);
  for await (const ev of eventLogs) {
    onEvent();
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
        if (t === 'Task') scheduleTaskEvents(rec, route, ev.state.input, at);
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
        if (stateType(ev.state.name, ev.state.type) === 'Task') scheduleTaskEvents(rec, sm.tasks.get(ev.state.name), ev.state.input, at);
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
}

function scheduleTaskEvents(rec: ExecutionRecord, route: TaskRoute | undefined, input: unknown, at: number): void {
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
