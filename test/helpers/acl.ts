import { bumpAclVersion } from '../../lib/acl-admin/store.js';
import type { Db } from '../../lib/store/dynamo.js';

let n = 0;

/** A custom ACL role + assignment for one user (table partition `ACL`), as the ACL endpoints store them. */
export async function grantRole(db: Db, subjectDn: string, permissions: string[], scope: { dn?: string; type: 'base' | 'subtree' }) {
  const id = `test-${process.pid}-${++n}`;
  await db.put({ TableName: db.table, Item: { pk: 'ACL', sk: `ROLE#${id}`, role: { id, name: id, permissions } } });
  await db.put({
    TableName: db.table,
    Item: {
      pk: 'ACL',
      sk: `ASSIGNMENT#${id}`,
      assignment: { id, roleId: id, subject: { type: 'user', dn: subjectDn }, scope, priority: 10, deny: false },
    },
  });
  await bumpAclVersion(db); // as every ACL write does: containers reload their copy on the next request
}
