/** The Step Functions API operations (AWS JSON 1.0 request/response shapes) of the emulator. */
import { randomUUID } from 'node:crypto';
import { SFN_ACCOUNT_ID, SFN_REGION, type CompiledStateMachine } from './definition.js';
import type { ExecutionStore } from './executions.js';
import { addEvent } from './history.js';
import type { MachineRegistry } from './machines.js';
import { ROLE_ARN, SfnError, sec, type ExecutionRecord } from './model.js';
import type { RunHandle } from './runner.js';

const NAME_RE = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

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

export interface OperationsContext {
  machines: MachineRegistry;
  store: ExecutionStore;
  runs: Map<string, RunHandle>;
  startRun(sm: CompiledStateMachine, rec: ExecutionRecord): void;
}

export function createSfnOperations(ctx: OperationsContext): Record<string, (req: Record<string, unknown>) => Promise<unknown>> {
  const { machines, machineByArn } = ctx.machines;
  const { executions, persist, fireStatusChange } = ctx.store;
  const { runs, startRun } = ctx;

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

  return ops;
}
