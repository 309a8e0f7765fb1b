import { RateLimitedError } from '../core/errors.js';
import type { Db } from '../store/dynamo.js';

/**
 * Login throttling: after `max` failures within `windowSeconds` for one user (or API key), or `ipMax`
 * for one source IP (higher: many users may share a NAT), further attempts get 429 with Retry-After
 * until the window ends. Counters are fixed windows kept in the table
 * (dynalite has no TTL: the window start is stored and checked here).
 */
export interface ThrottleSettings {
  max: number;
  ipMax: number;
  windowSeconds: number;
}

const limitOf = (subject: string, s: ThrottleSettings) => (subject.startsWith('ip#') ? s.ipMax : s.max);

const key = (subject: string) => ({ pk: `THROTTLE#${subject}`, sk: 'THROTTLE' });

export async function assertNotThrottled(db: Db, subjects: string[], s: ThrottleSettings, now = Date.now()): Promise<void> {
  for (const subject of subjects) {
    const out = await db.get({ TableName: db.table, Key: key(subject), ConsistentRead: true });
    const item = out.Item as { count: number; windowStart: number } | undefined;
    if (!item) continue;
    const windowEnd = item.windowStart + s.windowSeconds * 1000;
    if (now < windowEnd && item.count >= limitOf(subject, s)) throw new RateLimitedError(Math.max(1, Math.ceil((windowEnd - now) / 1000)));
  }
}

export async function recordFailure(db: Db, subjects: string[], s: ThrottleSettings, now = Date.now()): Promise<void> {
  for (const subject of subjects) {
    try {
      // Same window: count up.
      await db.update({
        TableName: db.table,
        Key: key(subject),
        UpdateExpression: 'ADD #count :one',
        ConditionExpression: 'windowStart > :windowFloor',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':windowFloor': now - s.windowSeconds * 1000 },
      });
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
      // No window yet, or it expired: start a new one.
      await db.update({
        TableName: db.table,
        Key: key(subject),
        UpdateExpression: 'SET #count = :one, windowStart = :now',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':now': now },
      });
    }
  }
}

export async function clearFailures(db: Db, subject: string): Promise<void> {
  await db.delete({ TableName: db.table, Key: key(subject) });
}
