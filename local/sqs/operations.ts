/** The SQS API operations (AWS JSON 1.0 request/response shapes) over a QueueRegistry. */
import { md5OfMessageAttributes, type MessageAttributeValue } from './md5.js';
import { MAX_WAIT_SECONDS, SQS_ACCOUNT_ID, SqsError, num, type Queue, type StoredMessage } from './model.js';
import type { QueueRegistry, SendEntry } from './queues.js';

export type SqsOperation = (req: Record<string, unknown>, isGone: () => boolean) => Promise<unknown> | unknown;

/** `isStopping()` ends pending long polls when the emulator shuts down. */
export function createSqsOperations(registry: QueueRegistry, isStopping: () => boolean): Record<string, SqsOperation> {
  const {
    queues,
    handles,
    notify,
    queueFromUrl,
    createQueue,
    setAttributes,
    enqueue,
    takeMessages,
    deleteMessage,
    changeVisibility,
    queueAttributes,
  } = registry;

  const wantsAttribute = (names: string[] | undefined, name: string): boolean => !!names && (names.includes('All') || names.includes(name));

  const renderMessage = (q: Queue, m: StoredMessage, req: Record<string, unknown>): Record<string, unknown> => {
    const sysNames = [
      ...((req.AttributeNames as string[] | undefined) ?? []),
      ...((req.MessageSystemAttributeNames as string[] | undefined) ?? []),
    ];
    const out: Record<string, unknown> = {
      MessageId: m.messageId,
      ReceiptHandle: m.receiptHandle,
      MD5OfBody: m.md5OfBody,
      Body: m.body,
    };
    const attributes: Record<string, string> = {};
    const sys: Record<string, string | undefined> = {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentTimestamp),
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.sentTimestamp),
      SenderId: SQS_ACCOUNT_ID,
      MessageGroupId: m.messageGroupId,
      MessageDeduplicationId: m.messageDeduplicationId,
      SequenceNumber: m.sequenceNumber,
    };
    for (const [k, v] of Object.entries(sys)) {
      if (v !== undefined && wantsAttribute(sysNames, k)) attributes[k] = v;
    }
    if (Object.keys(attributes).length > 0) out.Attributes = attributes;
    const maNames = req.MessageAttributeNames as string[] | undefined;
    if (m.messageAttributes && maNames && maNames.length > 0) {
      const selected: Record<string, MessageAttributeValue> = {};
      for (const [k, v] of Object.entries(m.messageAttributes)) {
        const match = maNames.some((n) => n === 'All' || n === '.*' || n === k || (n.endsWith('.*') && k.startsWith(n.slice(0, -1))));
        if (match) selected[k] = v;
      }
      if (Object.keys(selected).length > 0) {
        out.MessageAttributes = selected;
        out.MD5OfMessageAttributes = md5OfMessageAttributes(selected);
      }
    }
    void q;
    return out;
  };

  const receive = async (req: Record<string, unknown>, isGone: () => boolean): Promise<Record<string, unknown>> => {
    const q = queueFromUrl(req.QueueUrl);
    const max = num(req.MaxNumberOfMessages, 1);
    if (!(max >= 1 && max <= 10)) {
      throw new SqsError(
        'InvalidParameterValue',
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
        'InvalidParameterValue',
      );
    }
    const visibility = num(req.VisibilityTimeout, num(q.attributes.VisibilityTimeout, 30));
    const waitSeconds = Math.min(MAX_WAIT_SECONDS, num(req.WaitTimeSeconds, num(q.attributes.ReceiveMessageWaitTimeSeconds, 0)));
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      if (isGone() || isStopping()) return {};
      const taken = takeMessages(q, max, visibility);
      if (taken.length > 0) return { Messages: taken.map((m) => renderMessage(q, m, req)) };
      const now = Date.now();
      if (now >= deadline) return {};
      // Sleep until a send/visibility change notifies us, the next message becomes visible, or the deadline.
      const nextVisible = q.messages.reduce((acc, m) => Math.min(acc, m.visibleAt), Infinity);
      const until = Math.min(deadline, nextVisible);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          q.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, until - now));
        q.waiters.add(done);
      });
    }
  };

  const batch = <T extends { Id?: unknown }>(
    entries: unknown,
    fn: (e: T) => Record<string, unknown>,
  ): { Successful: Record<string, unknown>[]; Failed: Record<string, unknown>[] } => {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new SqsError(
        'EmptyBatchRequest',
        'There should be at least one entry in the request.',
        'AWS.SimpleQueueService.EmptyBatchRequest',
      );
    }
    if (entries.length > 10) {
      throw new SqsError(
        'TooManyEntriesInBatchRequest',
        'Maximum number of entries per request are 10.',
        'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      );
    }
    const ids = new Set<string>();
    for (const e of entries as T[]) {
      const id = String(e.Id ?? '');
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
        throw new SqsError(
          'InvalidBatchEntryId',
          'A batch entry id can only contain alphanumeric characters, hyphens and underscores.',
          'AWS.SimpleQueueService.InvalidBatchEntryId',
        );
      }
      if (ids.has(id)) {
        throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct');
      }
      ids.add(id);
    }
    const Successful: Record<string, unknown>[] = [];
    const Failed: Record<string, unknown>[] = [];
    for (const e of entries as T[]) {
      try {
        Successful.push({ Id: e.Id, ...fn(e) });
      } catch (err) {
        if (!(err instanceof SqsError)) throw err;
        Failed.push({ Id: e.Id, SenderFault: err.fault === 'Sender', Code: err.queryCode, Message: err.message });
      }
    }
    return { Successful, Failed };
  };

  const sendResult = (m: StoredMessage): Record<string, unknown> => ({
    MessageId: m.messageId,
    MD5OfMessageBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
  });

  const ops: Record<string, SqsOperation> = {
    CreateQueue: (req) => {
      const q = createQueue(String(req.QueueName ?? ''), (req.Attributes as Record<string, string>) ?? {});
      return { QueueUrl: q.url };
    },
    GetQueueUrl: (req) => {
      const q = queues.get(String(req.QueueName ?? ''));
      if (!q) {
        throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');
      }
      return { QueueUrl: q.url };
    },
    ListQueues: (req) => {
      const prefix = typeof req.QueueNamePrefix === 'string' ? req.QueueNamePrefix : '';
      const urls = [...queues.values()].filter((q) => q.name.startsWith(prefix)).map((q) => q.url);
      return { QueueUrls: urls };
    },
    DeleteQueue: (req) => {
      const q = queueFromUrl(req.QueueUrl);
      queues.delete(q.name);
      notify(q);
      return {};
    },
    GetQueueAttributes: (req) => {
      const q = queueFromUrl(req.QueueUrl);
      return { Attributes: queueAttributes(q, req.AttributeNames as string[] | undefined) };
    },
    SetQueueAttributes: (req) => {
      const q = queueFromUrl(req.QueueUrl);
      setAttributes(q, (req.Attributes as Record<string, string>) ?? {});
      return {};
    },
    SendMessage: (req) => sendResult(enqueue(queueFromUrl(req.QueueUrl), req as SendEntry)),
    SendMessageBatch: (req) => {
      const q = queueFromUrl(req.QueueUrl);
      return batch<SendEntry & { Id?: unknown }>(req.Entries, (e) => sendResult(enqueue(q, e)));
    },
    ReceiveMessage: (req, isGone) => receive(req, isGone),
    DeleteMessage: (req) => {
      deleteMessage(queueFromUrl(req.QueueUrl), req.ReceiptHandle);
      return {};
    },
    DeleteMessageBatch: (req) => {
      const q = queueFromUrl(req.QueueUrl);
      return batch<{ Id?: unknown; ReceiptHandle?: unknown }>(req.Entries, (e) => {
        deleteMessage(q, e.ReceiptHandle);
        return {};
      });
    },
    ChangeMessageVisibility: (req) => {
      changeVisibility(queueFromUrl(req.QueueUrl), req.ReceiptHandle, req.VisibilityTimeout);
      return {};
    },
    ChangeMessageVisibilityBatch: (req) => {
      const q = queueFromUrl(req.QueueUrl);
      return batch<{ Id?: unknown; ReceiptHandle?: unknown; VisibilityTimeout?: unknown }>(req.Entries, (e) => {
        changeVisibility(q, e.ReceiptHandle, e.VisibilityTimeout);
        return {};
      });
    },
    PurgeQueue: (req) => {
      const q = queueFromUrl(req.QueueUrl);
      for (const m of q.messages) if (m.receiptHandle) handles.delete(m.receiptHandle);
      q.messages = [];
      return {};
    },
  };

  return ops;
}
