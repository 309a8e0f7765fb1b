/**
 * The audit export workflow end to end on real local peers: the real state machine
 * (`state-machines/audit-export.asl.yml`) run by the Step Functions emulator, its step handlers
 * (`functions/steps/audit-export.ts`) invoked in-process, dynalite for the table, and the app's own
 * `startTask` / `cancelTask` talking to the emulator through @aws-sdk/client-sfn.
 *
 * `lib/platform.ts` reads its configuration once per process, so the environment is set before any app
 * module is imported (dynamic imports in beforeAll; vitest runs each file in its own process).
 */
import { DescribeExecutionCommand, type ExecutionStatus } from '@aws-sdk/client-sfn';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionStatusChangeEvent, RunningSfnEmulator, SfnEmulatorOptions } from '../../local/sfn/index.js';
import type { Db } from '../../lib/store/dynamo.js';
import type { Workflows } from '../../lib/tasks/workflows.js';
import type { Task } from '../../lib/tasks/task-store.js';
import type { TestDynalite } from '../helpers/dynalite.js';

const STATE_MACHINES_DIR = fileURLToPath(new URL('../../state-machines', import.meta.url));
const ARN_PREFIX = 'arn:aws:states:us-east-1:000000000000:stateMachine:apibibind-local-';
const FN = {
  page: 'apibibind-local-auditExportPage',
  finalize: 'apibibind-local-auditExportFinalize',
  compensate: 'apibibind-local-auditExportCompensate',
} as const;
const SEEDED_EVENTS = 1200;

// App modules, imported once the environment is set.
let store: typeof import('../../lib/tasks/task-store.js');
let workflows: typeof import('../../lib/tasks/workflows.js');
let executionEvents: typeof import('../../lib/tasks/execution-events.js');
let auditExport: typeof import('../../lib/audit/export.js');
let steps: typeof import('../../functions/steps/audit-export.js');
let workflowEvents: typeof import('../../functions/events/workflow-events.js');
let sfnLocal: typeof import('../../local/sfn/index.js');
let helpers: typeof import('../helpers/dynalite.js');

let dyn: TestDynalite;
let db: Db;
let sfn: RunningSfnEmulator;
let wf: Workflows;
const tmpDirs: string[] = [];
/** Status-change events the shared emulator delivered (not handled: cases run the handler themselves). */
const statusEvents: ExecutionStatusChangeEvent[] = [];

/**
 * Per task: a wrapper around the real step handler (fault injection, slow steps). Cases use their own
 * task ids, so wrappers never leak between cases.
 */
type Step = (payload: unknown) => Promise<unknown>;
type Wrapper = (fn: string, payload: unknown, real: Step) => Promise<unknown>;
const wrappers = new Map<string, Wrapper>();

const realStep = (fn: string): Step => {
  const handlers: Record<string, Step> = { [FN.page]: steps.page, [FN.finalize]: steps.finalize, [FN.compensate]: steps.compensate };
  const h = handlers[fn];
  if (!h) throw new Error(`no in-process handler for ${fn}`);
  return h;
};

const invoke: NonNullable<SfnEmulatorOptions['invoke']> = async (fn, payload) => {
  const taskId = (payload as { taskId?: string } | null)?.taskId ?? '';
  const wrap = wrappers.get(taskId);
  return wrap ? wrap(fn, payload, realStep(fn)) : realStep(fn)(payload);
};

async function startEmulator(
  dataDir: string,
  onExecutionStatusChange: SfnEmulatorOptions['onExecutionStatusChange'],
): Promise<RunningSfnEmulator> {
  return sfnLocal.startSfnEmulator({
    port: 0,
    stateMachinesDir: STATE_MACHINES_DIR,
    dataDir,
    service: 'apibibind',
    stage: 'local',
    waitScale: 0.01,
    invoke,
    onExecutionStatusChange,
    log: () => {},
  });
}

const newTmp = async (prefix: string): Promise<string> => {
  const d = await mkdtemp(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
};

beforeAll(async () => {
  const { freePort } = await import('../helpers/slapd.js');
  const dynPort = await freePort();
  const sfnPort = await freePort();
  Object.assign(process.env, {
    STAGE: 'local',
    AWS_REGION: 'us-east-1',
    TABLE_NAME: `apibibind-wf-${process.pid}`,
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynPort}`,
    SFN_ENDPOINT: `http://127.0.0.1:${sfnPort}`,
    STATE_MACHINE_ARN_PREFIX: ARN_PREFIX,
    LOG_LEVEL: 'SILENT',
    JWT_KEY_FILE: path.join(os.tmpdir(), `apibibind-no-such-key-${randomUUID()}.json`),
  });
  delete process.env.JWT_PRIVATE_JWKS;

  helpers = await import('../helpers/dynalite.js');
  store = await import('../../lib/tasks/task-store.js');
  workflows = await import('../../lib/tasks/workflows.js');
  executionEvents = await import('../../lib/tasks/execution-events.js');
  auditExport = await import('../../lib/audit/export.js');
  steps = await import('../../functions/steps/audit-export.js');
  workflowEvents = await import('../../functions/events/workflow-events.js');
  sfnLocal = await import('../../local/sfn/index.js');
  const { writeAudit } = await import('../../lib/audit/audit.js');

  dyn = await helpers.startTestDynalite({ table: process.env.TABLE_NAME, port: dynPort });
  db = dyn.db;

  // The shared emulator listens where SFN_ENDPOINT says (the app's own client could reach it too).
  sfn = await sfnLocal.startSfnEmulator({
    port: sfnPort,
    stateMachinesDir: STATE_MACHINES_DIR,
    dataDir: await newTmp('apibibind-sfn-'),
    service: 'apibibind',
    stage: 'local',
    waitScale: 0.01,
    invoke,
    onExecutionStatusChange: async (ev) => {
      statusEvents.push(ev);
    },
    log: () => {},
  });
  wf = workflows.createWorkflows({ endpoint: sfn.url, region: 'us-east-1', arnPrefix: ARN_PREFIX });

  // 1,200 audit events in the last minute, 25 written at a time.
  const base = Date.now() - 60_000;
  for (let i = 0; i < SEEDED_EVENTS; i += 25) {
    await Promise.all(
      Array.from({ length: 25 }, (_, j) =>
        writeAudit(db, {
          timestamp: new Date(base + (i + j) * 10).toISOString(),
          category: (i + j) % 3 === 0 ? 'authentication' : 'mutation',
          action: (i + j) % 3 === 0 ? 'login' : 'user:update',
          actor: `uid=user${(i + j) % 7},ou=people,dc=example,dc=com`,
          target: `uid=target${i + j},ou=people,dc=example,dc=com`,
          changes: [{ attribute: 'mail', old: `old${i + j}@example.com`, new: `new, "quoted" ${i + j}@example.com` }],
          result: 'success',
          source_ip: '10.0.0.1',
        }),
      ),
    );
  }
}, 120_000);

afterAll(async () => {
  await sfn?.stop();
  wf?.sfn.destroy();
  await dyn?.stop();
  await Promise.all(tmpDirs.map((d) => rm(d, { recursive: true, force: true })));
});

// ---------------------------------------------------------------------------------------------------------
const owner = 'uid=auditor,ou=people,dc=example,dc=com';

async function startExport(w: Workflows, format: 'csv' | 'json', wrap?: Wrapper): Promise<Task> {
  const id = randomUUID();
  if (wrap) wrappers.set(id, wrap);
  return workflows.startTask(db, w, {
    id,
    type: 'audit-export',
    stateMachine: 'audit-export',
    owner,
    input: { query: { format }, cursor: { offset: 0, chunk: 0, rows: 0 } },
  });
}

const executionStatus = async (w: Workflows, arn: string): Promise<ExecutionStatus | undefined> =>
  (await w.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status;

async function executionEnded(w: Workflows, arn: string): Promise<ExecutionStatus> {
  return helpers.waitFor(`execution ${arn} to end`, async () => {
    const s = await executionStatus(w, arn);
    return s !== 'RUNNING' && s;
  });
}

async function taskEnded(id: string): Promise<Task> {
  return helpers.waitFor(`task ${id} to end`, async () => {
    const t = await store.getTask(db, id);
    return store.TERMINAL.includes(t.status) && t;
  });
}

const chunksOf = async (taskId: string): Promise<number> => {
  // deleteExport answers how many it removed; readExport would hide empty chunks: count with a query.
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const out = await db.doc.send(
    new QueryCommand({
      TableName: db.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `EXPORT#${taskId}` },
      ConsistentRead: true,
    }),
  );
  return out.Count ?? 0;
};

/** Counts page invocations and blocks the `n`th one until released. */
function blockPage(n: number) {
  const entered = helpers.deferred();
  const release = helpers.deferred();
  const finished = helpers.deferred<unknown>();
  let pages = 0;
  const wrap: Wrapper = async (fn, payload, real) => {
    if (fn !== FN.page) return real(payload);
    pages++;
    if (pages !== n) return real(payload);
    entered.resolve();
    await release.promise;
    try {
      return await real(payload);
    } finally {
      finished.resolve(undefined);
    }
  };
  return { wrap, entered: entered.promise, release: () => release.resolve(), finished: finished.promise };
}

// ---------------------------------------------------------------------------------------------------------
describe('audit export state machine', () => {
  it('exports 1,200 events as CSV over several pages: progress 100, 1,200 rows, 1,201 lines', async () => {
    // Prepare
    const pages: number[] = [];
    const task = await startExport(wf, 'csv', async (fn, payload, real) => {
      if (fn === FN.page) pages.push((payload as { cursor: { offset: number } }).cursor.offset);
      return real(payload);
    });
    // Act
    const status = await executionEnded(wf, task.execution_arn!);
    const ended = await taskEnded(task.id);
    // Assess
    expect(status).toBe('SUCCEEDED');
    expect(pages).toEqual([0, 500, 1000]);
    expect(ended).toMatchObject({ status: 'succeeded', progress: 100, result: { format: 'csv', rows: SEEDED_EVENTS } });
    const csv = await auditExport.readExport(db, task.id);
    const lines = csv.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(SEEDED_EVENTS + 1);
    expect(lines[0]).toBe('id,timestamp,category,action,actor,target,result,source_ip,request_id,changes');
    const ids = lines.slice(1).map((l) => l.split(',')[0]);
    expect(new Set(ids).size).toBe(SEEDED_EVENTS);
    expect(await chunksOf(task.id)).toBe(3);
    const logs = await store.readTaskLogs(db, task.id, 100, 0);
    expect(logs.data.map((l) => l.message)).toEqual(
      expect.arrayContaining(['Exported 500 of 1200 events', 'Exported 1200 of 1200 events', 'Task succeeded']),
    );
  });

  it('exports JSON lines: one JSON object per line, one line per event', async () => {
    // Prepare
    const task = await startExport(wf, 'json');
    // Act
    await executionEnded(wf, task.execution_arn!);
    const ended = await taskEnded(task.id);
    // Assess
    expect(ended).toMatchObject({ status: 'succeeded', progress: 100, result: { format: 'json', rows: SEEDED_EVENTS } });
    const body = await auditExport.readExport(db, task.id);
    const lines = body.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(SEEDED_EVENTS);
    const events = lines.map((l) => JSON.parse(l) as { id: string; action: string; changes: unknown[] });
    expect(events.every((e) => typeof e.id === 'string' && typeof e.action === 'string' && Array.isArray(e.changes))).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(SEEDED_EVENTS);
  });

  it('compensates a failing page step: the task fails with the error message and no chunk remains', async () => {
    // Prepare: the 2nd page throws (not retryable)
    let pages = 0;
    const task = await startExport(wf, 'csv', async (fn, payload, real) => {
      if (fn === FN.page && ++pages === 2) {
        const err = new Error('the export store is broken');
        err.name = 'ExportBroken';
        throw err;
      }
      return real(payload);
    });
    // Act
    const status = await executionEnded(wf, task.execution_arn!);
    const ended = await taskEnded(task.id);
    // Assess
    expect(status).toBe('FAILED');
    expect(pages).toBe(2);
    expect(ended.status).toBe('failed');
    expect(ended.error?.code).toBe('ExportBroken');
    expect(ended.error?.message).toContain('the export store is broken');
    expect(ended.context?.compensated).toBe(true);
    expect(await chunksOf(task.id)).toBe(0);
  });

  it('retries a transient DependencyUnavailableError and then succeeds', async () => {
    // Prepare: the first attempt of the first page fails transiently
    let attempts = 0;
    const task = await startExport(wf, 'csv', async (fn, payload, real) => {
      if (fn === FN.page && ++attempts === 1) {
        const err = new Error('Dependency unavailable: database');
        err.name = 'DependencyUnavailableError';
        throw err;
      }
      return real(payload);
    });
    // Act
    const status = await executionEnded(wf, task.execution_arn!);
    const ended = await taskEnded(task.id);
    // Assess
    expect(status).toBe('SUCCEEDED');
    expect(attempts).toBe(4); // 1 failed + 3 pages
    expect(ended).toMatchObject({ status: 'succeeded', progress: 100, result: { rows: SEEDED_EVENTS } });
    expect((await auditExport.readExport(db, task.id)).split('\r\n')).toHaveLength(SEEDED_EVENTS + 2);
  });

  it('cancels while a slow page step runs: task cancelled, execution ABORTED, compensation removes the chunks', async () => {
    // Prepare: the 2nd page blocks (the 1st already wrote its chunk)
    const slow = blockPage(2);
    const task = await startExport(wf, 'csv', slow.wrap);
    await slow.entered;
    expect(await chunksOf(task.id)).toBe(1);
    // Act
    const cancelled = await workflows.cancelTask(db, wf, task.id, 'uid=admin,ou=people,dc=example,dc=com');
    const status = await executionStatus(wf, task.execution_arn!);
    // The in-flight Lambda is not killed by StopExecution: it finishes, reports (ignored) progress.
    slow.release();
    await slow.finished;
    const aborted = await helpers.waitFor('the ABORTED event', async () =>
      statusEvents.find((e) => e.detail.name === task.id && e.detail.status === 'ABORTED'),
    );
    await executionEvents.onExecutionStatusChange(db, aborted, workflowEvents.COMPENSATORS);
    // Assess
    expect(cancelled.status).toBe('cancelled');
    expect(status).toBe('ABORTED');
    const after = await store.getTask(db, task.id);
    expect(after.status).toBe('cancelled');
    expect(after.error).toBeUndefined();
    expect(await chunksOf(task.id)).toBe(0);
    const logs = await store.readTaskLogs(db, task.id, 100, 0);
    expect(logs.data.some((l) => l.message.startsWith('Cancelled by uid=admin'))).toBe(true);
  });

  it('leaves no chunk behind when a cancelled page step finishes after the compensation ran', async () => {
    // Prepare: the 2nd page blocks; cancel; the ABORTED event is handled (compensation) at once
    const slow = blockPage(2);
    const task = await startExport(wf, 'csv', slow.wrap);
    await slow.entered;
    await workflows.cancelTask(db, wf, task.id, 'uid=admin,ou=people,dc=example,dc=com');
    const aborted = await helpers.waitFor('the ABORTED event', async () =>
      statusEvents.find((e) => e.detail.name === task.id && e.detail.status === 'ABORTED'),
    );
    await executionEvents.onExecutionStatusChange(db, aborted, workflowEvents.COMPENSATORS);
    expect(await chunksOf(task.id)).toBe(0);
    // Act: the in-flight page Lambda (not killed by StopExecution) completes afterwards
    slow.release();
    await slow.finished;
    // Assess
    expect((await store.getTask(db, task.id)).status).toBe('cancelled');
    expect(await chunksOf(task.id)).toBe(0);
  });

  it('fails the task and removes its chunks when the emulator restarts during an execution', async () => {
    // Prepare: an emulator of its own (own data dir), stopped while the 2nd page is blocked
    const dataDir = await newTmp('apibibind-sfn-restart-');
    const first = await startEmulator(dataDir, async () => {});
    const w1 = workflows.createWorkflows({ endpoint: first.url, region: 'us-east-1', arnPrefix: ARN_PREFIX });
    const slow = blockPage(2);
    const task = await startExport(w1, 'csv', slow.wrap);
    await slow.entered;
    await first.stop();
    w1.sfn.destroy();
    slow.release();
    await slow.finished;
    expect((await store.getTask(db, task.id)).status).toBe('running');
    expect(await chunksOf(task.id)).toBeGreaterThan(0);
    // Act: a new emulator on the same data, its status changes wired to the app's handler
    const second = await startEmulator(dataDir, (ev) => executionEvents.onExecutionStatusChange(db, ev, workflowEvents.COMPENSATORS));
    const w2 = workflows.createWorkflows({ endpoint: second.url, region: 'us-east-1', arnPrefix: ARN_PREFIX });
    try {
      const ended = await taskEnded(task.id);
      const status = await executionStatus(w2, task.execution_arn!);
      // Assess
      expect(status).toBe('FAILED');
      expect(ended.status).toBe('failed');
      expect(ended.error?.code).toBe('States.EmulatorRestarted');
      expect(ended.error?.message).toMatch(/restart/i);
      expect(await chunksOf(task.id)).toBe(0);
    } finally {
      w2.sfn.destroy();
      await second.stop();
    }
  });
});
