/**
 * Execution records: kept in memory, persisted as JSON under `dataDir/executions/` (one file per execution,
 * written atomically through a temporary file and a rename, writes of one execution serialised), restored at
 * start-up, and terminal transitions reported as EventBridge "Step Functions Execution Status Change" events.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SFN_ACCOUNT_ID, SFN_REGION } from './definition.js';
import type {
  EmulatorLog,
  ExecutionRecord,
  ExecutionStatusChangeEvent,
  SfnEmulatorOptions,
  TerminalFields,
  TerminalStatus,
} from './model.js';

export interface ExecutionStore {
  /** executionArn → record */
  readonly executions: Map<string, ExecutionRecord>;
  /** Saves `rec` (after any pending write of the same execution); failures are logged, never thrown. */
  persist(rec: ExecutionRecord): Promise<void>;
  /** Reports `rec`'s status to `onExecutionStatusChange` (failures logged). */
  fireStatusChange(rec: ExecutionRecord): Promise<void>;
  /** Ends `rec` with a terminal status, persists it and reports the change. */
  finish(rec: ExecutionRecord, status: TerminalStatus, fields: TerminalFields): Promise<void>;
  /** Loads the persisted executions; answers those a previous process left RUNNING. */
  restore(): Promise<ExecutionRecord[]>;
  /** Resolves once pending writes and status-change callbacks have settled. */
  settled(): Promise<void>;
}

/** `o` is the emulator's options (read when needed, like the callback). */
export async function createExecutionStore(
  o: Pick<SfnEmulatorOptions, 'dataDir' | 'onExecutionStatusChange'>,
  log: EmulatorLog,
): Promise<ExecutionStore> {
  const execDir = path.join(o.dataDir, 'executions');
  await mkdir(execDir, { recursive: true });
  const executions = new Map<string, ExecutionRecord>();
  const writes = new Map<string, Promise<void>>();
  const callbacks = new Set<Promise<void>>();

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
    if (!o.onExecutionStatusChange) return Promise.resolve();
    const p = o
      .onExecutionStatusChange(statusEvent(rec))
      .catch((err: unknown) => log(`onExecutionStatusChange for ${rec.executionArn} failed`, err));
    callbacks.add(p);
    void p.finally(() => callbacks.delete(p));
    return p;
  };

  const finish = async (rec: ExecutionRecord, status: TerminalStatus, fields: TerminalFields): Promise<void> => {
    rec.status = status;
    rec.stopDate = Date.now();
    if (fields.output !== undefined) rec.output = fields.output;
    if (fields.error !== undefined) rec.error = fields.error;
    if (fields.cause !== undefined) rec.cause = fields.cause;
    await persist(rec);
    await fireStatusChange(rec);
  };

  const restore = async (): Promise<ExecutionRecord[]> => {
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
    return restarted;
  };

  return {
    executions,
    persist,
    fireStatusChange,
    finish,
    restore,
    async settled() {
      await Promise.allSettled([...writes.values(), ...callbacks]);
    },
  };
}
