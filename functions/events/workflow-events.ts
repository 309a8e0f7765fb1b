import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '../../lib/core/logger.js';
import { onExecutionStatusChange, type Compensator, type ExecutionStatusChange } from '../../lib/tasks/execution-events.js';
import { deleteExport } from '../../lib/audit/export.js';
import { platform } from '../../lib/platform.js';
import { isCloudKind } from '../../lib/compute/records.js';

/** Per workflow type: what to undo when an execution ends without its own Catch path having run. */
export const COMPENSATORS: Record<string, Compensator> = {
  'audit-export': async (task, db) => {
    await deleteExport(db, task.id);
  },
};

/** A task's compensator: by type, or for every cloud workflow (`instance.create`, `volume.extend`…) the cloud one. */
export function compensatorFor(type: string): Compensator | undefined {
  if (COMPENSATORS[type]) return COMPENSATORS[type];
  const kind = type.split('.')[0];
  if (!isCloudKind(kind)) return undefined;
  return async (task, db) => {
    const [{ compensateAbandoned }, { cloud }] = await Promise.all([
      import('../../lib/compute/compensation.js'),
      import('../../lib/compute/cloud.js'),
    ]);
    await compensateAbandoned(db, cloud(), task);
  };
}

/**
 * Consumer of the workflow-events queue, fed by an EventBridge rule on "Step Functions Execution Status
 * Change" (locally: by the Step Functions emulator). Failed records are retried, then go to the DLQ.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const { db } = await platform();
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    try {
      const ev = JSON.parse(record.body) as ExecutionStatusChange;
      await onExecutionStatusChange(db, ev, compensatorFor);
    } catch (e) {
      logger.error('workflow event failed', { error: e as Error, message_id: record.messageId });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
