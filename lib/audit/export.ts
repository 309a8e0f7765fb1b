import type { Db } from '../store/dynamo.js';
import { queryAudit, type AuditEvent, type AuditQuery } from './audit.js';

/**
 * Audit export, the foundation's long-running workflow: pages of the audit log are rendered (CSV or JSON
 * lines) into chunks `EXPORT#<task>/CHUNK#nnnnnn`; each page step is idempotent (it rewrites its own chunk).
 */
export type ExportFormat = 'csv' | 'json';
export interface ExportQuery extends Omit<AuditQuery, 'limit' | 'offset'> {
  format: ExportFormat;
}
export interface ExportCursor {
  offset: number;
  chunk: number;
  rows: number;
}

export const EXPORT_PAGE_SIZE = 500;
const CSV_COLUMNS = ['id', 'timestamp', 'category', 'action', 'actor', 'target', 'result', 'source_ip', 'request_id', 'changes'] as const;

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // Spreadsheet formula injection: a cell starting with = + - @ is neutralised.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function renderRows(events: AuditEvent[], format: ExportFormat, withHeader: boolean): string {
  if (format === 'json') return events.map((e) => `${JSON.stringify(e)}\n`).join('');
  const lines = events.map((e) => CSV_COLUMNS.map((c) => csvCell(e[c])).join(','));
  return (withHeader ? [CSV_COLUMNS.join(','), ...lines] : lines).map((l) => `${l}\r\n`).join('');
}

export async function exportPage(
  db: Db,
  taskId: string,
  q: ExportQuery,
  cursor: ExportCursor,
): Promise<{ cursor: ExportCursor; done: boolean; total: number }> {
  const { data, total } = await queryAudit(db, { ...q, limit: EXPORT_PAGE_SIZE, offset: cursor.offset });
  const body = renderRows(data, q.format, cursor.chunk === 0);
  await db.put({
    TableName: db.table,
    Item: { pk: `EXPORT#${taskId}`, sk: `CHUNK#${String(cursor.chunk).padStart(6, '0')}`, type: 'export-chunk', body },
  });
  const next = { offset: cursor.offset + data.length, chunk: cursor.chunk + 1, rows: cursor.rows + data.length };
  return { cursor: next, done: data.length < EXPORT_PAGE_SIZE || next.offset >= total, total };
}

async function chunkKeys(db: Db, taskId: string): Promise<{ pk: string; sk: string; body?: string }[]> {
  const out: { pk: string; sk: string; body?: string }[] = [];
  for await (const item of db.items({
    TableName: db.table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
    ExpressionAttributeValues: { ':pk': `EXPORT#${taskId}`, ':c': 'CHUNK#' },
  }))
    out.push({ pk: item.pk, sk: item.sk, body: item.body });
  return out;
}

export async function readExport(db: Db, taskId: string): Promise<string> {
  return (await chunkKeys(db, taskId)).map((c) => c.body ?? '').join('');
}

/** Compensation: removes every chunk written so far (safe to run twice). */
export async function deleteExport(db: Db, taskId: string): Promise<number> {
  const keys = await chunkKeys(db, taskId);
  for (let i = 0; i < keys.length; i += 25) {
    let pending: Record<string, unknown>[] = keys.slice(i, i + 25).map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } }));
    // DynamoDB may leave items unprocessed under throttling: retry them with backoff, never drop them.
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
      if (attempt > 8) throw new Error(`Could not delete ${pending.length} export chunks of ${taskId}`);
      const out = await db.batchWrite({ RequestItems: { [db.table]: pending as never } });
      pending = (out.UnprocessedItems?.[db.table] ?? []) as Record<string, unknown>[];
    }
  }
  return keys.length;
}
