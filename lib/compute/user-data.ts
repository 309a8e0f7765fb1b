/**
 * Cloud-init user data may hold secrets: it never goes into a state machine's input (execution history),
 * a record, a log or an audit event. It waits in its own item (expiring after a day) until the create step
 * reads it, and is deleted when the create workflow ends either way. Records keep a digest and the size.
 */
import { createHash } from 'node:crypto';
import { BadRequestError } from '../core/errors.js';
import type { Db } from '../store/dynamo.js';

const key = (id: string) => ({ pk: `CLOUD#instance#${id}`, sk: 'USERDATA' });

export async function stashUserData(db: Db, id: string, userData: string): Promise<void> {
  await db.put({
    TableName: db.table,
    Item: { ...key(id), user_data: userData, expiresAt: Math.floor(Date.now() / 1000) + 86_400 },
  });
}

export async function readUserData(db: Db, id: string): Promise<string | undefined> {
  const out = await db.get({ TableName: db.table, Key: key(id), ConsistentRead: true });
  return out.Item?.user_data as string | undefined;
}

export async function dropUserData(db: Db, id: string): Promise<void> {
  await db.delete({ TableName: db.table, Key: key(id) });
}

export const digest = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

/**
 * The user data a server gets: the caller's, with `ssh_authorized_keys` added as cloud-config. Keys can
 * only be merged into cloud-config (`#cloud-config` first line) that does not already set them.
 */
export function composeUserData(userData: string | undefined, keys: string[] | undefined): string | undefined {
  if (!keys?.length) return userData;
  const block = `ssh_authorized_keys:\n${keys.map((k) => `  - ${JSON.stringify(k)}`).join('\n')}\n`;
  if (userData === undefined || userData.trim() === '') return `#cloud-config\n${block}`;
  if (!/^#cloud-config\s*\n/.test(userData)) {
    throw new BadRequestError('USER_DATA_CONFLICT', 'ssh_authorized_keys can only be combined with #cloud-config user_data', {
      field: 'body.ssh_authorized_keys',
    });
  }
  if (/^ssh_authorized_keys\s*:/m.test(userData)) {
    throw new BadRequestError('USER_DATA_CONFLICT', 'user_data already sets ssh_authorized_keys: give the keys in one place', {
      field: 'body.ssh_authorized_keys',
    });
  }
  return `${userData.replace(/\s*$/, '')}\n${block}`;
}
