import { createHash } from 'node:crypto';
import { ConflictError, UnprocessableError } from '../core/errors.js';
import type { HttpResult } from '../http/types.js';
import type { IdempotencyPort } from '../http/http-function.js';
import type { Db } from './dynamo.js';

/**
 * `Idempotency-Key` records: claimed with a conditional put before the handler runs, completed with the
 * answer after. Same key + same request → the stored answer; same key + another request → 422; a retry
 * while the first is still running → 409. Records expire after `ttlSeconds` (checked here: dynalite has
 * no TTL; in AWS the `expiresAt` attribute is also the table's TTL attribute).
 */
export function idempotencyStore(db: Db, ttlSeconds = 24 * 3600): IdempotencyPort {
  const key = (scope: string, k: string) => ({
    pk: `IDEMPOTENCY#${createHash('sha256').update(`${scope}\n${k}`).digest('base64url')}`,
    sk: 'IDEMPOTENCY',
  });
  const hash = (s: string) => createHash('sha256').update(s).digest('base64url');
  return {
    async begin(scope, k, fingerprint) {
      const now = Math.floor(Date.now() / 1000);
      const fp = hash(fingerprint);
      try {
        await db.put({
          TableName: db.table,
          Item: { ...key(scope, k), type: 'idempotency', status: 'in_progress', fingerprint: fp, expiresAt: now + ttlSeconds },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        });
        return {};
      } catch (e) {
        if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
      }
      const out = await db.get({ TableName: db.table, Key: key(scope, k), ConsistentRead: true });
      const item = out.Item as { status: string; fingerprint: string; response?: HttpResult } | undefined;
      if (!item) return this.begin(scope, k, fingerprint);
      if (item.fingerprint !== fp) {
        throw new UnprocessableError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request', {
          header: 'Idempotency-Key',
        });
      }
      if (item.status !== 'completed' || !item.response) {
        throw new ConflictError('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still in progress', {
          header: 'Idempotency-Key',
        });
      }
      return { replay: item.response };
    },
    async complete(scope, k, result) {
      await db.update({
        TableName: db.table,
        Key: key(scope, k),
        UpdateExpression: 'SET #status = :completed, #response = :response',
        ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
        ExpressionAttributeValues: { ':completed': 'completed', ':response': JSON.parse(JSON.stringify(result)) },
      });
    },
    async release(scope, k) {
      await db.delete({ TableName: db.table, Key: key(scope, k) });
    },
  };
}
