import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfnEmulator, type ExecutionStatusChangeEvent, type RunningSfnEmulator } from '../../local/sfn/index.js';

class DependencyUnavailableError extends Error {
  override name = 'DependencyUnavailableError';
}
class TaskFailedError extends Error {
  override name = 'TaskFailedError';
}

const ASL: Record<string, string> = {
  // Task → Task(Retry, Catch) → Choice → Wait → Task loop; Catch → compensation Task → Fail.
  'provision.asl.yml': `
Comment: create, poll until ready, compensate on failure
StartAt: Create
States:
  Create:
    Type: Task
    Resource:
      Fn::GetAtt: [createThing, Arn]
    ResultPath: $.thing
    Next: Check
  Check:
    Type: Task
    Resource:
      Fn::GetAtt: [checkThing, Arn]
    ResultPath: $.status
    Retry:
      - ErrorEquals: [DependencyUnavailableError]
        IntervalSeconds: 2
        BackoffRate: 2
        MaxAttempts: 3
    Catch:
      - ErrorEquals: [States.ALL]
        ResultPath: $.error
        Next: Compensate
    Next: Ready?
  Ready?:
    Type: Choice
    Choices:
      - Variable: $.status.ready
        BooleanEquals: true
        Next: Finish
    Default: WaitABit
  WaitABit:
    Type: Wait
    Seconds: 5
    Next: Check
  Finish:
    Type: Task
    Resource:
      Fn::GetAtt: [finishThing, Arn]
    End: true
  Compensate:
    Type: Task
    Resource:
      Fn::GetAtt: [compensateThing, Arn]
    ResultPath: null
    Next: Failed
  Failed:
    Type: Fail
    Error: ProvisionFailed
    Cause: the thing could not be created and was cleaned up
`,
  'explode.asl.yml': `
StartAt: Explode
States:
  Explode:
    Type: Task
    Resource:
      Fn::GetAtt: [explode, Arn]
    End: true
`,
  'slow.asl.yml': `
StartAt: Sleep
States:
  Sleep:
    Type: Wait
    Seconds: 1000
    Next: Done
  Done:
    Type: Pass
    End: true
`,
  'dynamic.asl.yml': `
StartAt: Sleep
States:
  Sleep:
    Type: Wait
    SecondsPath: $.delay
    Next: Fanout
  Fanout:
    Type: Map
    ItemsPath: $.items
    ItemProcessor:
      StartAt: Double
      States:
        Double:
          Type: Task
          Resource:
            Fn::GetAtt: [double, Arn]
          End: true
    End: true
`,
};

const SCALE = 0.01;
let dir: string;
let smDir: string;
let emu: RunningSfnEmulator;
let sfn: SFNClient;
const calls: { fn: string; payload: unknown; at: number }[] = [];
const statusEvents: ExecutionStatusChangeEvent[] = [];
const transientLeft = new Map<string, number>();
const okPolls = new Map<string, number>();

const arnOf = (name: string): string => `arn:aws:states:us-east-1:000000000000:stateMachine:apibibind-test-${name}`;

async function invoke(fn: string, payload: unknown): Promise<unknown> {
  calls.push({ fn, payload, at: Date.now() });
  const p = payload as Record<string, any>;
  switch (fn.replace('apibibind-test-', '')) {
    case 'createThing':
      return { id: `thing-${p.key}`, polls: 0 };
    case 'checkThing': {
      const left = transientLeft.get(p.key) ?? p.transientFailures ?? 0;
      if (left > 0) {
        transientLeft.set(p.key, left - 1);
        throw new DependencyUnavailableError('cloud API is down');
      }
      transientLeft.set(p.key, 0);
      if (p.fatal) throw new TaskFailedError('the cloud refused');
      const polls = (okPolls.get(p.key) ?? 0) + 1;
      okPolls.set(p.key, polls);
      return { ready: polls >= p.roundsNeeded, polls };
    }
    case 'finishThing':
      return { done: true, id: p.thing.id };
    case 'compensateThing':
      return { deleted: p.thing.id };
    case 'explode':
      throw new TaskFailedError('kaboom');
    case 'double':
      return (payload as number) * 2;
    default:
      throw new Error(`no such function ${fn}`);
  }
}

async function waitDone(arn: string, timeoutMs = 10_000): Promise<DescribeExecutionCommandOutput> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    if (d.status !== 'RUNNING') return d;
    if (Date.now() > until) throw new Error(`${arn} still RUNNING`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const start = async (sm: string, input: unknown, name?: string): Promise<string> =>
  (await sfn.send(new StartExecutionCommand({ stateMachineArn: arnOf(sm), input: JSON.stringify(input), name }))).executionArn!;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sfn-emu-'));
  smDir = path.join(dir, 'state-machines');
  await mkdir(smDir);
  for (const [f, text] of Object.entries(ASL)) await writeFile(path.join(smDir, f), text);
  emu = await startSfnEmulator({
    port: 0,
    stateMachinesDir: smDir,
    dataDir: path.join(dir, 'data'),
    stage: 'test',
    waitScale: SCALE,
    invoke,
    onExecutionStatusChange: async (ev) => {
      statusEvents.push(ev);
    },
  });
  sfn = new SFNClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  sfn?.destroy();
  await emu?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Step Functions emulator (real @aws-sdk/client-sfn)', () => {
  it('lists and describes the state machines with GetAtt resolved to Lambda ARNs', async () => {
    const list = await sfn.send(new ListStateMachinesCommand({}));
    expect(list.stateMachines?.map((s) => s.name)).toEqual([
      'apibibind-test-dynamic',
      'apibibind-test-explode',
      'apibibind-test-provision',
      'apibibind-test-slow',
    ]);
    const d = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arnOf('provision') }));
    expect(d.status).toBe('ACTIVE');
    expect(JSON.parse(d.definition!).States.Create.Resource).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:apibibind-test-createThing',
    );
    await expect(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arnOf('nope') }))).rejects.toBeInstanceOf(
      StateMachineDoesNotExist,
    );
    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:apibibind-test-slow:nope' })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('runs the Task → Choice → Wait → Task loop with a Retry on a named error, scaled waits', async () => {
    const t0 = Date.now();
    const arn = await start('provision', { key: 'ok', roundsNeeded: 3, transientFailures: 2 }, 'provision-ok');
    expect(arn).toBe('arn:aws:states:us-east-1:000000000000:execution:apibibind-test-provision:provision-ok');
    const d = await waitDone(arn);
    const elapsed = Date.now() - t0;
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ done: true, id: 'thing-ok' });
    // 2 waits of 5 s and retries of 2 s + 4 s, all ×0.01 → ~160 ms, far from the unscaled 16 s.
    expect(elapsed).toBeLessThan(3000);

    const checks = calls.filter((c) => c.fn === 'apibibind-test-checkThing' && (c.payload as any).key === 'ok');
    expect(checks).toHaveLength(5); // 2 transient failures + 3 polls
    // The backoff is scaled too: 20 ms then 40 ms between the failed attempts.
    expect(checks[1]!.at - checks[0]!.at).toBeGreaterThanOrEqual(15);
    expect(checks[2]!.at - checks[1]!.at).toBeGreaterThanOrEqual(35);

    const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    const types = h.events!.map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types).toContain('TaskStateEntered');
    expect(types).toContain('TaskStateExited');
    expect(types).toContain('ChoiceStateEntered');
    expect(types.filter((t) => t === 'WaitStateEntered')).toHaveLength(2);
    expect(types.filter((t) => t === 'LambdaFunctionFailed')).toHaveLength(2);
    const failed = h.events!.find((e) => e.type === 'LambdaFunctionFailed')!;
    expect(failed.lambdaFunctionFailedEventDetails?.error).toBe('DependencyUnavailableError');
    expect(JSON.parse(failed.lambdaFunctionFailedEventDetails!.cause!).errorMessage).toBe('cloud API is down');
    expect(h.events![0]!.timestamp).toBeInstanceOf(Date);
    expect(h.events!.every((e, i) => e.id === i + 1)).toBe(true);

    const rev = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 2 }));
    expect(rev.events?.map((e) => e.type)).toEqual(['ExecutionSucceeded', 'TaskStateExited']);
    expect(rev.nextToken).toBeTruthy();

    await expect.poll(() => statusEvents.find((e) => e.detail.executionArn === arn)?.detail.status).toBe('SUCCEEDED');
    const ev = statusEvents.find((e) => e.detail.executionArn === arn)!;
    expect(ev).toMatchObject({ source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change' });
    expect(ev.detail.stateMachineArn).toBe(arnOf('provision'));
  });

  it('catches a named error into a compensation Task, then fails', async () => {
    const arn = await start('provision', { key: 'fatal', roundsNeeded: 1, fatal: true });
    const d = await waitDone(arn);
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('ProvisionFailed');
    const comp = calls.find((c) => c.fn === 'apibibind-test-compensateThing' && (c.payload as any).key === 'fatal');
    expect(comp).toBeTruthy();
    const err = (comp!.payload as any).error;
    expect(err.Error).toBe('TaskFailedError');
    expect(JSON.parse(err.Cause)).toMatchObject({ errorType: 'TaskFailedError', errorMessage: 'the cloud refused' });
    const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    expect(h.events?.at(-1)?.executionFailedEventDetails?.error).toBe('ProvisionFailed');
    expect(h.events?.map((e) => e.type)).toContain('FailStateEntered');
  });

  it('fails an execution whose Task error is not caught (error = the JS error name)', async () => {
    const arn = await start('explode', {});
    const d = await waitDone(arn);
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('TaskFailedError');
    expect(JSON.parse(d.cause!).errorMessage).toBe('kaboom');
    await expect.poll(() => statusEvents.find((e) => e.detail.executionArn === arn)?.detail.error).toBe('TaskFailedError');
  });

  it('scales SecondsPath waits and routes Tasks nested in a Map', async () => {
    const t0 = Date.now();
    const arn = await start('dynamic', { delay: 30, items: [1, 2, 3] });
    const d = await waitDone(arn);
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual([2, 4, 6]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    const types = h.events!.map((e) => e.type);
    expect(types).toContain('WaitStateEntered');
    expect(types.filter((t) => t === 'MapIterationSucceeded')).toHaveLength(3);
  });

  it('StartExecution is idempotent on name + input while running; stop aborts; list filters', async () => {
    const a = await start('slow', { n: 1 }, 'once');
    const b = await start('slow', { n: 1 }, 'once');
    expect(b).toBe(a);
    await expect(start('slow', { n: 2 }, 'once')).rejects.toBeInstanceOf(ExecutionAlreadyExists);

    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arnOf('slow'), statusFilter: 'RUNNING' }));
    expect(running.executions?.map((e) => e.executionArn)).toContain(a);

    const stop = await sfn.send(new StopExecutionCommand({ executionArn: a, error: 'UserCancelled', cause: 'test' }));
    expect(stop.stopDate).toBeInstanceOf(Date);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: a }));
    expect(d).toMatchObject({ status: 'ABORTED', error: 'UserCancelled', cause: 'test' });
    const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: a }));
    expect(h.events?.at(-1)?.type).toBe('ExecutionAborted');
    await expect.poll(() => statusEvents.find((e) => e.detail.executionArn === a)?.detail.status).toBe('ABORTED');

    // Closed → the same name is refused even with the same input (like AWS).
    await expect(start('slow', { n: 1 }, 'once')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    const aborted = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arnOf('slow'), statusFilter: 'ABORTED' }));
    expect(aborted.executions?.map((e) => e.name)).toEqual(['once']);
    const none = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arnOf('slow'), statusFilter: 'SUCCEEDED' }));
    expect(none.executions).toEqual([]);
  });

  it('after a restart, executions left RUNNING are FAILED and reported through the callback', async () => {
    const dataDir = path.join(dir, 'restart-data');
    const first = await startSfnEmulator({ port: 0, stateMachinesDir: smDir, dataDir, stage: 'test', waitScale: SCALE, invoke });
    const c1 = new SFNClient({ endpoint: first.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const arn = (await c1.send(new StartExecutionCommand({ stateMachineArn: arnOf('slow'), name: 'survivor', input: '{"a":1}' })))
      .executionArn!;
    const done = (await c1.send(new StartExecutionCommand({ stateMachineArn: arnOf('explode'), name: 'finished' }))).executionArn!;
    await new Promise((r) => setTimeout(r, 100));
    c1.destroy();
    await first.stop(); // simulates the process going away with `survivor` still RUNNING

    const seen: ExecutionStatusChangeEvent[] = [];
    const second = await startSfnEmulator({
      port: 0,
      stateMachinesDir: smDir,
      dataDir,
      stage: 'test',
      invoke,
      onExecutionStatusChange: async (ev) => {
        seen.push(ev);
      },
    });
    const c2 = new SFNClient({ endpoint: second.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    try {
      expect(seen).toHaveLength(1);
      expect(seen[0]!.detail).toMatchObject({
        executionArn: arn,
        status: 'FAILED',
        error: 'States.EmulatorRestarted',
        cause: 'The local Step Functions emulator restarted while this execution was running',
        input: '{"a":1}',
      });
      const d = await c2.send(new DescribeExecutionCommand({ executionArn: arn }));
      expect(d.status).toBe('FAILED');
      expect(d.error).toBe('States.EmulatorRestarted');
      const h = await c2.send(new GetExecutionHistoryCommand({ executionArn: arn }));
      expect(h.events?.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionFailed']);
      expect((await c2.send(new DescribeExecutionCommand({ executionArn: done }))).status).toBe('FAILED');
    } finally {
      c2.destroy();
      await second.stop();
    }
  });
});

describe('default invoker: the serverless-offline Lambda Invoke endpoint over HTTP', () => {
  it('invokes functions by name and recovers the error name serverless-offline reports as "Error"', async () => {
    const received: { fn: string; body: unknown }[] = [];
    // What serverless-offline 13 answers (see its InvocationsController): errorType is always "Error".
    const fake = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
        const fn = decodeURIComponent(m?.[1] ?? '');
        const body = JSON.parse(Buffer.concat(chunks).toString() || 'null');
        received.push({ fn, body });
        if (fn === 'apibibind-test-explode') {
          res.writeHead(200, { 'X-Amz-Function-Error': 'Unhandled', 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ errorMessage: 'kaboom', errorType: 'Error', trace: ['TaskFailedError: kaboom', '    at handler (x.ts:1:1)'] }),
          );
        } else if (fn === 'apibibind-test-double') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body * 2));
        } else {
          res.writeHead(404, { 'x-amzn-ErrorType': 'ResourceNotFoundException', 'content-type': 'application/json' });
          res.end(JSON.stringify({ Message: `Function not found: ${fn}`, Type: 'User' }));
        }
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
    const lambdaEndpoint = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    const smDir2 = path.join(dir, 'http-sm');
    await mkdir(smDir2);
    await writeFile(path.join(smDir2, 'explode.asl.yml'), ASL['explode.asl.yml']!);
    await writeFile(path.join(smDir2, 'dynamic.asl.yml'), ASL['dynamic.asl.yml']!);
    await writeFile(
      path.join(smDir2, 'missing.asl.yml'),
      'StartAt: T\nStates:\n  T:\n    Type: Task\n    Resource:\n      Fn::GetAtt: [notDeployed, Arn]\n    End: true\n',
    );
    const e = await startSfnEmulator({
      port: 0,
      stateMachinesDir: smDir2,
      dataDir: path.join(dir, 'http-data'),
      stage: 'test',
      waitScale: SCALE,
      lambdaEndpoint,
    });
    const c = new SFNClient({ endpoint: e.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const run = async (sm: string, input: unknown): Promise<DescribeExecutionCommandOutput> => {
      const { executionArn } = await c.send(new StartExecutionCommand({ stateMachineArn: arnOf(sm), input: JSON.stringify(input) }));
      for (;;) {
        const d = await c.send(new DescribeExecutionCommand({ executionArn }));
        if (d.status !== 'RUNNING') return d;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      const ok = await run('dynamic', { delay: 0, items: [5, 7] });
      expect(ok.status).toBe('SUCCEEDED');
      expect(JSON.parse(ok.output!)).toEqual([10, 14]);
      const boom = await run('explode', { x: 1 });
      expect(boom).toMatchObject({ status: 'FAILED', error: 'TaskFailedError' });
      expect(JSON.parse(boom.cause!)).toMatchObject({ errorType: 'TaskFailedError', errorMessage: 'kaboom' });
      expect(received.find((r) => r.fn === 'apibibind-test-explode')?.body).toEqual({ x: 1 });
      const missing = await run('missing', {});
      expect(missing).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
    } finally {
      c.destroy();
      await e.stop();
      await new Promise((r) => fake.close(r));
    }
  });
});

describe('the project state machines', () => {
  it('loads state-machines/*.asl.yml and runs audit-export with in-process Lambdas', async () => {
    const pages: number[] = [];
    const e = await startSfnEmulator({
      port: 0,
      stateMachinesDir: path.resolve('state-machines'),
      dataDir: await mkdtemp(path.join(os.tmpdir(), 'sfn-emu-real-')),
      waitScale: SCALE,
      log: () => {},
      invoke: async (fn, payload) => {
        const p = payload as { cursor: { chunk: number } };
        if (fn === 'apibibind-local-auditExportPage') {
          pages.push(p.cursor.chunk);
          return { ...p, cursor: { ...p.cursor, chunk: p.cursor.chunk + 1 }, done: p.cursor.chunk >= 2 };
        }
        if (fn === 'apibibind-local-auditExportFinalize') return { finalized: true };
        throw new Error(`unexpected ${fn}`);
      },
    });
    const c = new SFNClient({ endpoint: e.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    try {
      const smArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:apibibind-local-audit-export';
      const list = await c.send(new ListStateMachinesCommand({}));
      expect(list.stateMachines?.map((s) => s.stateMachineArn)).toContain(smArn);
      const { executionArn } = await c.send(
        new StartExecutionCommand({
          stateMachineArn: smArn,
          input: JSON.stringify({ taskId: 't1', query: { format: 'csv' }, cursor: { offset: 0, chunk: 0, rows: 0 } }),
        }),
      );
      let d;
      do {
        d = await c.send(new DescribeExecutionCommand({ executionArn }));
      } while (d.status === 'RUNNING' && (await new Promise((r) => setTimeout(r, 20)), true));
      expect(d.status).toBe('SUCCEEDED');
      expect(pages).toEqual([0, 1, 2]);
    } finally {
      c.destroy();
      await e.stop();
    }
  });
});
