import { writeAudit, type AttributeChange } from '../audit/audit.js';
import type { RequestContext } from '../http/types.js';
import type { Db } from '../store/dynamo.js';

/** One audit event per identity mutation, with attribute-level changes (secrets redacted by writeAudit). */
export async function auditMutation(
  db: Db,
  ctx: RequestContext<any, any, any>,
  action: string,
  target: string,
  changes: AttributeChange[],
): Promise<void> {
  await writeAudit(db, {
    category: 'mutation',
    action,
    actor: ctx.actor!.dn,
    target,
    changes,
    result: 'success',
    source_ip: ctx.sourceIp,
    request_id: ctx.requestId,
  });
}
