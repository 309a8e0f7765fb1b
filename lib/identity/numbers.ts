import { eq } from '../providers/ldap/index.js';
import type { IdentityDeps } from './deps.js';
import { NumberPoolExhaustedError } from './errors.js';

export type NumberKind = 'uidNumber' | 'gidNumber';
export const FIRST_NUMBER = 10001;
const MAX_SKIPS = 1000;

/**
 * Allocates a uidNumber/gidNumber: an atomic increment of `COUNTER#<kind>` in DynamoDB (one UpdateItem,
 * `if_not_exists` seeds it at FIRST_NUMBER), so concurrent creations never receive the same number. A
 * number already used in the directory (set by hand, imported) is skipped: the next one is drawn.
 */
export async function allocateNumber(d: Pick<IdentityDeps, 'db' | 'ldap' | 'baseDn'>, kind: NumberKind): Promise<number> {
  for (let i = 0; i < MAX_SKIPS; i++) {
    const out = await d.db.update({
      TableName: d.db.table,
      Key: { pk: `COUNTER#${kind}`, sk: 'COUNTER' },
      UpdateExpression: 'SET #v = if_not_exists(#v, :before) + :one, #t = :type',
      ExpressionAttributeNames: { '#v': 'value', '#t': 'type' },
      ExpressionAttributeValues: { ':before': FIRST_NUMBER - 1, ':one': 1, ':type': 'counter' },
      ReturnValues: 'UPDATED_NEW',
    });
    const n = Number(out.Attributes?.value);
    const used = await d.ldap.search(d.baseDn, {
      scope: 'sub',
      filter: eq(kind, String(n)),
      attributes: ['1.1'],
      sizeLimit: 1,
    });
    if (used.length === 0) return n;
  }
  throw new NumberPoolExhaustedError(kind);
}
