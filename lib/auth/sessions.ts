import type { Db, TableKey } from '../store/dynamo.js';

/**
 * A session is one login family: its refresh tokens rotate (single use) and all tokens issued from it
 * stop working when it is revoked (logout, refresh-token reuse, API key revocation).
 */
export interface Session {
  sid: string;
  kind: 'user' | 'api-key';
  dn: string;
  uid: string;
  cn?: string;
  mail?: string;
  groups: string[];
  status: 'active' | 'revoked';
  refreshJti?: string;
  apiKeyId?: string;
  scopes?: string[];
  createdAt: string;
  expiresAt: number;
  revokedAt?: string;
  revokedReason?: string;
}

const key = (sid: string) => ({ pk: `SESSION#${sid}`, sk: 'SESSION' });

export async function putSession(db: Db, s: Session): Promise<void> {
  await db.put({
    TableName: db.table,
    Item: {
      ...key(s.sid),
      type: 'session',
      ...s,
      ...(s.apiKeyId ? { gsi1pk: `APIKEYSESSIONS#${s.apiKeyId}`, gsi1sk: s.createdAt } : {}),
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
}

export async function getSession(db: Db, sid: string): Promise<Session | undefined> {
  const out = await db.get({ TableName: db.table, Key: key(sid), ConsistentRead: true });
  return out.Item as Session | undefined;
}

/** The session and, in the same strongly consistent round trip, one other item of the table. */
export async function getSessionAnd(db: Db, sid: string, other: TableKey): Promise<{ session?: Session; other?: Record<string, any> }> {
  const [session, item] = await db.getMany([key(sid), other]);
  return { session: session as Session | undefined, other: item };
}

/** Rotates the refresh token: succeeds only if `presented` is the family's current one (single use). */
export async function rotateRefresh(db: Db, sid: string, presented: string, next: string, groups: string[]): Promise<boolean> {
  try {
    await db.update({
      TableName: db.table,
      Key: key(sid),
      UpdateExpression: 'SET refreshJti = :next, #groups = :groups',
      ConditionExpression: 'refreshJti = :presented AND #status = :active',
      ExpressionAttributeNames: { '#status': 'status', '#groups': 'groups' },
      ExpressionAttributeValues: { ':next': next, ':presented': presented, ':active': 'active', ':groups': groups },
    });
    return true;
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

export async function revokeSession(db: Db, sid: string, reason: string): Promise<void> {
  try {
    await db.update({
      TableName: db.table,
      Key: key(sid),
      UpdateExpression: 'SET #status = :revoked, revokedAt = :now, revokedReason = :reason',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':revoked': 'revoked', ':now': new Date().toISOString(), ':reason': reason },
    });
  } catch (e) {
    if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
  }
}

export async function sessionsOfApiKey(db: Db, apiKeyId: string): Promise<string[]> {
  const sids: string[] = [];
  for await (const item of db.items({
    TableName: db.table,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': `APIKEYSESSIONS#${apiKeyId}` },
  }))
    sids.push(String(item.sid));
  return sids;
}
