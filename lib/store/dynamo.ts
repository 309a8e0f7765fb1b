// Types only: the SDK itself is required on the first database call (see `loadSdk`), not at cold start.
import type { DescribeTableCommandOutput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type {
  BatchWriteCommandInput,
  BatchWriteCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  DynamoDBDocumentClient,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { DependencyUnavailableError } from '../core/errors.js';
import { lazy, lazyClient, type LazyClient } from '../core/lazy.js';
import { tableDefinition } from './table.js';

/** `@aws-sdk/client-dynamodb` and `@aws-sdk/lib-dynamodb` (~60 ms to require), once per container, on first use. */
const loadSdk = lazy(async () => {
  const [ddb, lib] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('@aws-sdk/lib-dynamodb')]);
  return { ddb, lib };
});

/**
 * The table and its clients. Nothing is created before the first call: `get`/`put`/… (one document-client
 * command each) cover the application; `doc`/`raw` give the SDK clients for anything else.
 */
export interface Db {
  table: string;
  /** Document client (plain JS values, `removeUndefinedValues`), created on first `send`. */
  doc: LazyClient<DynamoDBDocumentClient>;
  /** Low-level client, created on first `send`. */
  raw: LazyClient<DynamoDBClient>;
  get(input: GetCommandInput): Promise<GetCommandOutput>;
  put(input: PutCommandInput): Promise<PutCommandOutput>;
  update(input: UpdateCommandInput): Promise<UpdateCommandOutput>;
  delete(input: DeleteCommandInput): Promise<DeleteCommandOutput>;
  query(input: QueryCommandInput): Promise<QueryCommandOutput>;
  batchWrite(input: BatchWriteCommandInput): Promise<BatchWriteCommandOutput>;
  /**
   * Several items by primary key (`pk`, `sk`) in one round trip (BatchGetItem, strongly consistent), in the
   * order of `keys` (distinct); a missing item is `undefined`. Keys the service leaves unprocessed are asked again.
   */
  getMany(keys: TableKey[]): Promise<(Record<string, any> | undefined)[]>;
  describeTable(): Promise<DescribeTableCommandOutput>;
  /** Every item of a query, following `LastEvaluatedKey` page by page. */
  items(input: QueryCommandInput): AsyncIterable<Record<string, any>>;
}

/** The table's primary key. */
export interface TableKey {
  pk: string;
  sk: string;
}

/** What a local endpoint (dynalite) is signed with. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function createDb(opts: { table: string; endpoint?: string; region: string }): Db {
  const raw = lazyClient(async () => {
    const { ddb } = await loadSdk();
    return new ddb.DynamoDBClient({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint, credentials: LOCAL_CREDENTIALS } : {}),
      maxAttempts: 3,
    });
  });
  const doc = lazyClient(async () => {
    const { lib } = await loadSdk();
    return lib.DynamoDBDocumentClient.from(await raw.get(), { marshallOptions: { removeUndefinedValues: true } });
  });
  // The request path's read (session + ACL version) skips the SDK's middleware (lib/store/batch-get.ts).
  const batchGet = lazy(async () => {
    const { createBatchGet, environmentCredentials } = await import('./batch-get.js');
    return createBatchGet({
      table: opts.table,
      region: opts.region,
      endpoint: opts.endpoint,
      credentials: opts.endpoint
        ? async () => LOCAL_CREDENTIALS
        : async () => environmentCredentials() ?? (await (await raw.get()).config.credentials()),
    });
  });
  /** Runs `fn` with the document client and the lib-dynamodb command classes; network failures → 503. */
  const withDoc = async <O>(fn: (client: DynamoDBDocumentClient, cmd: Awaited<ReturnType<typeof loadSdk>>['lib']) => Promise<O>) =>
    guarded(async () => fn(await doc.get(), (await loadSdk()).lib));
  const query = (input: QueryCommandInput) => withDoc((c, cmd) => c.send(new cmd.QueryCommand(input)));
  return {
    table: opts.table,
    doc,
    raw,
    get: (input) => withDoc((c, cmd) => c.send(new cmd.GetCommand(input))),
    put: (input) => withDoc((c, cmd) => c.send(new cmd.PutCommand(input))),
    update: (input) => withDoc((c, cmd) => c.send(new cmd.UpdateCommand(input))),
    delete: (input) => withDoc((c, cmd) => c.send(new cmd.DeleteCommand(input))),
    query,
    async *items(input) {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await query({ ...input, ExclusiveStartKey: start });
        yield* out.Items ?? [];
        start = out.LastEvaluatedKey;
      } while (start);
    },
    batchWrite: (input) => withDoc((c, cmd) => c.send(new cmd.BatchWriteCommand(input))),
    getMany: async (keys) => (await batchGet())(keys),
    describeTable: () =>
      guarded(async () => {
        const [client, { ddb }] = await Promise.all([raw.get(), loadSdk()]);
        return client.send(new ddb.DescribeTableCommand({ TableName: opts.table }));
      }),
  };
}

/** Error codes (and names) of a connection that got no answer from the database. */
export const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
]);

/** Network failures of the database become 503 DEPENDENCY_UNAVAILABLE (database); other errors pass. */
export async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = e as { code?: string; name?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    if (
      NETWORK_ERRORS.has(err.code ?? '') ||
      NETWORK_ERRORS.has(err.name ?? '') ||
      (status !== undefined && status >= 500) ||
      err.name === 'AggregateError'
    ) {
      throw new DependencyUnavailableError('database', e);
    }
    throw e;
  }
}

/** Local stack and tests: create the table when missing and wait for it to be ACTIVE. */
export async function ensureTable(db: Db): Promise<void> {
  const { ddb } = await loadSdk();
  try {
    await db.describeTable();
    return;
  } catch (e) {
    if (!(e instanceof ddb.ResourceNotFoundException)) throw e;
  }
  try {
    await db.raw.send(new ddb.CreateTableCommand(tableDefinition(db.table)));
  } catch (e) {
    if ((e as Error).name !== 'ResourceInUseException') throw e;
  }
  for (let i = 0; i < 100; i++) {
    const d = await db.describeTable();
    const gsisActive = (d.Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (d.Table?.TableStatus === 'ACTIVE' && gsisActive) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Table ${db.table} did not become ACTIVE`);
}
