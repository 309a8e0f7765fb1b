import { randomUUID } from 'node:crypto';
import { redact, REDACTED, SECRET_KEY } from '../core/redact.js';
import type { Db } from '../store/dynamo.js';

export { REDACTED };

/**
 * Audit events: every mutation and every authentication/authorization event. Stored once, partitioned by
 * month (`AUDIT#YYYY-MM`, sorted by time) so a time-bounded read touches only the months it spans.
 */
export type AuditCategory = 'mutation' | 'authentication' | 'authorization';
export type AuditResult = 'success' | 'failure' | 'denied';

export interface AttributeChange {
  attribute: string;
  old: unknown;
  new: unknown;
}

export interface AuditEvent {
  id: string;
  timestamp: string;
  category: AuditCategory;
  action: string;
  actor: string;
  target?: string;
  changes?: AttributeChange[];
  result: AuditResult;
  source_ip?: string;
  request_id?: string;
  details?: Record<string, unknown>;
}

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'timestamp'> & { timestamp?: string };

const SECRET_ATTRIBUTE = SECRET_KEY;

/** Attribute-level diff with secrets redacted (their change is recorded, never their value). */
export function diffChanges(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): AttributeChange[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const changes: AttributeChange[] = [];
  for (const attribute of [...keys].sort()) {
    const o = before?.[attribute];
    const n = after?.[attribute];
    if (JSON.stringify(o) === JSON.stringify(n)) continue;
    changes.push(redactChange({ attribute, old: o ?? null, new: n ?? null }));
  }
  return changes;
}

/** A secret attribute's change is recorded (null → set, set → null, changed) but never its value. */
export function redactChange(c: AttributeChange): AttributeChange {
  if (!SECRET_ATTRIBUTE.test(c.attribute)) return { attribute: c.attribute, old: redact(c.old), new: redact(c.new) };
  return { attribute: c.attribute, old: c.old === null ? null : REDACTED, new: c.new === null ? null : REDACTED };
}

const month = (iso: string) => iso.slice(0, 7);

export async function writeAudit(db: Db, e: NewAuditEvent): Promise<AuditEvent> {
  const event: AuditEvent = {
    ...e,
    id: randomUUID(),
    timestamp: e.timestamp ?? new Date().toISOString(),
    changes: e.changes?.map(redactChange),
    details: e.details && (redact(e.details) as Record<string, unknown>),
  };
  await db.put({
    TableName: db.table,
    Item: { pk: `AUDIT#${month(event.timestamp)}`, sk: `${event.timestamp}#${event.id}`, type: 'audit', ...event },
  });
  return event;
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  target?: string;
  from?: string;
  to?: string;
  categories?: AuditCategory[];
  limit: number;
  offset: number;
}

/** Months from `to` back to `from`, newest first. */
export function monthsBetween(from: Date, to: Date): string[] {
  const out: string[] = [];
  const cursor = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), 1));
  const floor = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (cursor >= floor && out.length < 120) {
    out.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() - 1);
  }
  return out;
}

export const DEFAULT_AUDIT_WINDOW_DAYS = 365;

/**
 * Newest first. Filters run in DynamoDB (FilterExpression); `total` counts every match in the window.
 * `action`, `actor` and `target` match exactly.
 */
export async function queryAudit(db: Db, q: AuditQuery): Promise<{ data: AuditEvent[]; total: number }> {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_AUDIT_WINDOW_DAYS * 86_400_000);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':from': from.toISOString(), ':to': `${to.toISOString()}\uffff` };
  const filters: string[] = [];
  if (q.action) {
    names['#action'] = 'action';
    values[':action'] = q.action;
    filters.push('#action = :action');
  }
  if (q.actor) {
    values[':actor'] = q.actor;
    filters.push('actor = :actor');
  }
  if (q.target) {
    names['#target'] = 'target';
    values[':target'] = q.target;
    filters.push('#target = :target');
  }
  if (q.categories?.length) {
    const keys = q.categories.map((c, i) => {
      values[`:cat${i}`] = c;
      return `:cat${i}`;
    });
    names['#category'] = 'category';
    filters.push(`#category IN (${keys.join(', ')})`);
  }
  const data: AuditEvent[] = [];
  let total = 0;
  for (const m of monthsBetween(from, to)) {
    for await (const item of db.items({
      TableName: db.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      FilterExpression: filters.length ? filters.join(' AND ') : undefined,
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ExpressionAttributeValues: { ...values, ':pk': `AUDIT#${m}` },
      ScanIndexForward: false,
    })) {
      if (total >= q.offset && data.length < q.limit) {
        const { pk: _pk, sk: _sk, type: _type, ...event } = item;
        data.push(event as AuditEvent);
      }
      total++;
    }
  }
  return { data, total };
}
