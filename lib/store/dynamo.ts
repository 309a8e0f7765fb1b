import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DependencyUnavailableError } from '../core/errors.js';
import { tableDefinition } from './table.js';

export interface Db {
  doc: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  table: string;
}

export function createDb(opts: { table: string; endpoint?: string; region: string }): Db {
  const raw = new DynamoDBClient({
    region: opts.region,
    ...(opts.endpoint
      ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 3,
  });
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return { doc, raw, table: opts.table };
}

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'TimeoutError']);

/** Network failures of the database become 503 DEPENDENCY_UNAVAILABLE (database); other errors pass. */
export async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = e as { code?: string; name?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    if (NETWORK_ERRORS.has(err.code ?? '') || NETWORK_ERRORS.has(err.name ?? '') || (status !== undefined && status >= 500) || err.name === 'AggregateError') {
      throw new DependencyUnavailableError('database', e);
    }
    throw e;
  }
}

/** Local stack and tests: create the table when missing and wait for it to be ACTIVE. */
export async function ensureTable(db: Db): Promise<void> {
  try {
    await db.raw.send(new DescribeTableCommand({ TableName: db.table }));
    return;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
  }
  try {
    await db.raw.send(new CreateTableCommand(tableDefinition(db.table)));
  } catch (e) {
    if ((e as Error).name !== 'ResourceInUseException') throw e;
  }
  for (let i = 0; i < 100; i++) {
    const d = await db.raw.send(new DescribeTableCommand({ TableName: db.table }));
    const gsisActive = (d.Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (d.Table?.TableStatus === 'ACTIVE' && gsisActive) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Table ${db.table} did not become ACTIVE`);
}
