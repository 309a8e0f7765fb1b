import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { NotFoundError } from '../core/errors.js';
import type { Db } from '../store/dynamo.js';

/**
 * API keys for machine clients: `key` is a public id (`ak_…`), `secret` (`sk_…`, 256 random bits) is shown
 * once at creation and stored only as its SHA-256 (a slow hash adds nothing for a random 256-bit secret).
 */
export interface ApiKey {
  id: string;
  name: string;
  owner: string;
  owner_uid: string;
  scopes?: string[];
  created_at: string;
  expires_at?: string;
  revoked_at?: string;
  last_used_at?: string;
}

/** The public id of an API key: `ak_` and 24 hex digits. */
export const API_KEY_ID = /^ak_[0-9a-f]{24}$/;

interface StoredApiKey extends ApiKey {
  secretHash: string;
}

const key = (id: string) => ({ pk: `APIKEY#${id}`, sk: 'APIKEY' });
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest();

export function publicView(k: StoredApiKey | ApiKey): ApiKey {
  const { secretHash: _s, pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _h, type: _t, ...rest } = k as StoredApiKey & Record<string, unknown>;
  return rest as ApiKey;
}

export async function createApiKey(
  db: Db,
  input: { name: string; owner: string; owner_uid: string; scopes?: string[]; expires_at?: string },
) {
  const id = `ak_${randomBytes(12).toString('hex')}`;
  const secret = `sk_${randomBytes(32).toString('base64url')}`;
  const record: StoredApiKey = {
    id,
    name: input.name,
    owner: input.owner,
    owner_uid: input.owner_uid,
    scopes: input.scopes,
    expires_at: input.expires_at,
    created_at: new Date().toISOString(),
    secretHash: hashSecret(secret).toString('base64'),
  };
  await db.put({
    TableName: db.table,
    Item: { ...key(id), type: 'api-key', ...record, gsi1pk: `OWNER#${input.owner}`, gsi1sk: `APIKEY#${record.created_at}#${id}` },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
  return { apiKey: publicView(record), secret };
}

export async function getApiKey(db: Db, id: string): Promise<ApiKey | undefined> {
  const out = await db.get({ TableName: db.table, Key: key(id), ConsistentRead: true });
  return out.Item ? publicView(out.Item as StoredApiKey) : undefined;
}

/** Checks key + secret in constant time; answers the key only when usable (not revoked, not expired). */
export async function verifyApiKey(db: Db, id: string, secret: string): Promise<ApiKey | undefined> {
  if (!API_KEY_ID.test(id)) return undefined;
  const out = await db.get({ TableName: db.table, Key: key(id), ConsistentRead: true });
  const stored = out.Item as StoredApiKey | undefined;
  const presented = hashSecret(secret);
  const expected = stored ? Buffer.from(stored.secretHash, 'base64') : Buffer.alloc(32);
  const same = expected.length === presented.length && timingSafeEqual(expected, presented);
  if (!stored || !same || stored.revoked_at) return undefined;
  if (stored.expires_at && Date.parse(stored.expires_at) <= Date.now()) return undefined;
  await db.update({
    TableName: db.table,
    Key: key(id),
    UpdateExpression: 'SET last_used_at = :now',
    ExpressionAttributeValues: { ':now': new Date().toISOString() },
  });
  return publicView(stored);
}

export async function listApiKeys(db: Db, owner: string): Promise<ApiKey[]> {
  const items: ApiKey[] = [];
  for await (const item of db.items({
    TableName: db.table,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :k)',
    ExpressionAttributeValues: { ':pk': `OWNER#${owner}`, ':k': 'APIKEY#' },
    ScanIndexForward: false,
  }))
    items.push(publicView(item as StoredApiKey));
  return items;
}

export async function markRevoked(db: Db, id: string): Promise<ApiKey> {
  try {
    const out = await db.update({
      TableName: db.table,
      Key: key(id),
      UpdateExpression: 'SET revoked_at = if_not_exists(revoked_at, :now)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':now': new Date().toISOString() },
      ReturnValues: 'ALL_NEW',
    });
    return publicView(out.Attributes as StoredApiKey);
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException')
      throw new NotFoundError('API_KEY_NOT_FOUND', `API key ${id} not found`, { id });
    throw e;
  }
}
