/**
 * One in-memory dynalite per test file, with the application's table created by the app's own
 * `ensureTable`. `startTestDynalite()` in beforeAll, `stop()` in afterAll.
 */
import { startDynalite } from '../../local/stack/dynamodb.js';
import { createDb, ensureTable, type Db } from '../../lib/store/dynamo.js';
import { freePort } from './slapd.js';

export interface TestDynalite {
  url: string;
  port: number;
  table: string;
  db: Db;
  stop(): Promise<void>;
}

export async function startTestDynalite(opts: { table?: string; port?: number } = {}): Promise<TestDynalite> {
  const port = opts.port ?? (await freePort());
  const table = opts.table ?? `apibibind-test-${process.pid}`;
  const server = await startDynalite({ port });
  const db = createDb({ table, endpoint: server.url, region: 'us-east-1' });
  await ensureTable(db);
  return {
    url: server.url,
    port,
    table,
    db,
    async stop() {
      db.doc.destroy();
      db.raw.destroy();
      await server.stop();
    },
  };
}

/** Polls `probe` until it answers a truthy value (returned) or `timeoutMs` passes (throws with `what`). */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A promise with its resolve exposed (to block and release a step). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
