/**
 * The queues of one SQS emulator and the message lifecycle: send (delay), receive (visibility timeout, FIFO
 * groups), redrive to a dead-letter queue after `maxReceiveCount` receives, retention, delete and visibility
 * changes by receipt handle. Long-polling receivers wait on `queue.waiters`, woken by `notify`.
 */
import { randomUUID } from 'node:crypto';
import { md5Hex, md5OfMessageAttributes, type MessageAttributeValue } from './md5.js';
import { DEFAULT_ATTRIBUTES, SQS_ACCOUNT_ID, SQS_REGION, SqsError, num, type Queue, type StoredMessage } from './model.js';

/** What SendMessage / SendMessageBatch entries carry. */
export interface SendEntry {
  MessageBody?: unknown;
  DelaySeconds?: unknown;
  MessageAttributes?: Record<string, MessageAttributeValue>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

export interface QueueRegistry {
  /** name → queue */
  readonly queues: Map<string, Queue>;
  /** receipt handle → queue name + message id */
  readonly handles: Map<string, { queue: string; messageId: string }>;
  /** Wakes the long-polling receivers of `q`. */
  notify(q: Queue): void;
  queueFromUrl(queueUrl: unknown): Queue;
  createQueue(name: string, attributes?: Record<string, string>): Queue;
  setAttributes(q: Queue, attributes: Record<string, string>): void;
  enqueue(q: Queue, entry: SendEntry): StoredMessage;
  takeMessages(q: Queue, max: number, visibilityTimeout: number): StoredMessage[];
  deleteMessage(q: Queue, handle: unknown): void;
  changeVisibility(q: Queue, handle: unknown, timeout: unknown): void;
  queueAttributes(q: Queue, names: string[] | undefined): Record<string, string>;
}

/** `baseUrl()` is the emulator's endpoint (known once the server listens), the prefix of queue URLs. */
export function createQueueRegistry(baseUrl: () => string): QueueRegistry {
  const queues = new Map<string, Queue>();
  const handles = new Map<string, { queue: string; messageId: string }>();

  const notify = (q: Queue): void => {
    for (const w of [...q.waiters]) w();
  };

  const queueFromUrl = (queueUrl: unknown): Queue => {
    if (typeof queueUrl !== 'string' || queueUrl === '') {
      throw new SqsError('InvalidAddress', 'The address QueueUrl is not valid for this endpoint.', 'InvalidAddress');
    }
    const name = queueUrl.replace(/\/+$/, '').split('/').pop() ?? '';
    const q = queues.get(name);
    if (!q) {
      throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');
    }
    return q;
  };

  const queueByArn = (arn: string): Queue | undefined => {
    const name = arn.split(':').pop() ?? '';
    return queues.get(name);
  };

  const createQueue = (name: string, attributes: Record<string, string> = {}): Queue => {
    if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(name)) {
      throw new SqsError(
        'InvalidParameterValue',
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
        'InvalidParameterValue',
      );
    }
    const existing = queues.get(name);
    if (existing) {
      for (const [k, v] of Object.entries(attributes)) {
        if (existing.attributes[k] !== undefined && existing.attributes[k] !== String(v)) {
          throw new SqsError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${k}`,
            'QueueAlreadyExists',
          );
        }
      }
      return existing;
    }
    const now = Date.now();
    const q: Queue = {
      name,
      url: `${baseUrl()}/${SQS_ACCOUNT_ID}/${name}`,
      arn: `arn:aws:sqs:${SQS_REGION}:${SQS_ACCOUNT_ID}:${name}`,
      attributes: { ...DEFAULT_ATTRIBUTES },
      createdTimestamp: now,
      lastModifiedTimestamp: now,
      messages: [],
      waiters: new Set(),
      sequence: 0n,
    };
    setAttributes(q, attributes);
    queues.set(name, q);
    return q;
  };

  const setAttributes = (q: Queue, attributes: Record<string, string>): void => {
    for (const [k, v] of Object.entries(attributes ?? {})) {
      if (k === 'RedrivePolicy') {
        if (v === '') {
          delete q.attributes[k];
          continue;
        }
        let parsed: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
        try {
          parsed = JSON.parse(v) as typeof parsed;
        } catch {
          throw new SqsError('InvalidAttributeValue', 'Invalid value for the parameter RedrivePolicy.', 'InvalidAttributeValue');
        }
        if (typeof parsed.deadLetterTargetArn !== 'string' || !(num(parsed.maxReceiveCount, 0) >= 1)) {
          throw new SqsError(
            'InvalidAttributeValue',
            'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map or is missing deadLetterTargetArn/maxReceiveCount.',
            'InvalidAttributeValue',
          );
        }
      }
      q.attributes[k] = String(v);
    }
    q.lastModifiedTimestamp = Date.now();
  };

  const pruneExpired = (q: Queue, now: number): void => {
    const retentionMs = num(q.attributes.MessageRetentionPeriod, 345600) * 1000;
    if (q.messages.some((m) => now - m.sentTimestamp > retentionMs)) {
      q.messages = q.messages.filter((m) => now - m.sentTimestamp <= retentionMs);
    }
  };

  const enqueue = (q: Queue, entry: SendEntry): StoredMessage => {
    if (typeof entry.MessageBody !== 'string' || entry.MessageBody.length === 0) {
      throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.', 'MissingParameter');
    }
    const size = Buffer.byteLength(entry.MessageBody, 'utf8');
    if (size > num(q.attributes.MaximumMessageSize, 262144)) {
      throw new SqsError(
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${q.attributes.MaximumMessageSize} bytes.`,
        'InvalidParameterValue',
      );
    }
    const now = Date.now();
    const delay = num(entry.DelaySeconds, num(q.attributes.DelaySeconds, 0));
    const attrs = entry.MessageAttributes && Object.keys(entry.MessageAttributes).length > 0 ? entry.MessageAttributes : undefined;
    const m: StoredMessage = {
      messageId: randomUUID(),
      body: entry.MessageBody,
      md5OfBody: md5Hex(Buffer.from(entry.MessageBody, 'utf8')),
      sentTimestamp: now,
      receiveCount: 0,
      visibleAt: now + delay * 1000,
    };
    if (attrs) {
      m.messageAttributes = attrs;
      m.md5OfMessageAttributes = md5OfMessageAttributes(attrs);
    }
    if (q.name.endsWith('.fifo')) {
      q.sequence += 1n;
      m.sequenceNumber = q.sequence.toString().padStart(20, '0');
      if (entry.MessageGroupId) m.messageGroupId = entry.MessageGroupId;
      if (entry.MessageDeduplicationId) m.messageDeduplicationId = entry.MessageDeduplicationId;
    }
    q.messages.push(m);
    notify(q);
    return m;
  };

  const moveToDlq = (q: Queue, m: StoredMessage): boolean => {
    const policy = q.attributes.RedrivePolicy;
    if (!policy) return false;
    const { deadLetterTargetArn, maxReceiveCount } = JSON.parse(policy) as {
      deadLetterTargetArn: string;
      maxReceiveCount: number | string;
    };
    if (m.receiveCount < num(maxReceiveCount, Infinity)) return false;
    const dlq = queueByArn(deadLetterTargetArn);
    if (!dlq) return false;
    q.messages = q.messages.filter((x) => x !== m);
    if (m.receiptHandle) handles.delete(m.receiptHandle);
    delete m.receiptHandle;
    m.visibleAt = Date.now();
    dlq.messages.push(m);
    notify(dlq);
    return true;
  };

  const takeMessages = (q: Queue, max: number, visibilityTimeout: number): StoredMessage[] => {
    const now = Date.now();
    pruneExpired(q, now);
    const out: StoredMessage[] = [];
    const busyGroups = new Set<string>();
    if (q.name.endsWith('.fifo')) {
      for (const m of q.messages) if (m.visibleAt > now && m.messageGroupId) busyGroups.add(m.messageGroupId);
    }
    for (const m of [...q.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      if (m.messageGroupId && busyGroups.has(m.messageGroupId)) continue;
      if (moveToDlq(q, m)) continue;
      m.receiveCount += 1;
      m.firstReceiveTimestamp ??= now;
      if (m.receiptHandle) handles.delete(m.receiptHandle);
      m.receiptHandle = Buffer.from(`${q.name}:${m.messageId}:${randomUUID()}`).toString('base64');
      handles.set(m.receiptHandle, { queue: q.name, messageId: m.messageId });
      m.visibleAt = now + visibilityTimeout * 1000;
      out.push(m);
    }
    return out;
  };

  const findByHandle = (q: Queue, handle: unknown): StoredMessage | 'stale' => {
    if (typeof handle !== 'string' || handle === '') {
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${String(handle)}" is not a valid receipt handle.`,
        'ReceiptHandleIsInvalid',
      );
    }
    const ref = handles.get(handle);
    if (!ref) {
      let decoded = '';
      try {
        decoded = Buffer.from(handle, 'base64').toString('utf8');
      } catch {
        /* ignore */
      }
      if (!decoded.startsWith(`${q.name}:`)) {
        throw new SqsError(
          'ReceiptHandleIsInvalid',
          `The input receipt handle "${handle}" is not a valid receipt handle.`,
          'ReceiptHandleIsInvalid',
        );
      }
      return 'stale';
    }
    const m = q.messages.find((x) => x.messageId === ref.messageId && x.receiptHandle === handle);
    return m ?? 'stale';
  };

  const deleteMessage = (q: Queue, handle: unknown): void => {
    const m = findByHandle(q, handle);
    if (m === 'stale') return;
    q.messages = q.messages.filter((x) => x !== m);
    if (m.receiptHandle) handles.delete(m.receiptHandle);
  };

  const changeVisibility = (q: Queue, handle: unknown, timeout: unknown): void => {
    const m = findByHandle(q, handle);
    if (m === 'stale') {
      throw new SqsError('MessageNotInflight', 'The message referred to is not in flight.', 'AWS.SimpleQueueService.MessageNotInflight');
    }
    const t = num(timeout, NaN);
    if (!(t >= 0 && t <= 43200)) {
      throw new SqsError('InvalidParameterValue', 'Value for parameter VisibilityTimeout is invalid.', 'InvalidParameterValue');
    }
    m.visibleAt = Date.now() + t * 1000;
    if (t === 0) notify(q);
  };

  const queueAttributes = (q: Queue, names: string[] | undefined): Record<string, string> => {
    const now = Date.now();
    pruneExpired(q, now);
    const all: Record<string, string> = {
      ...q.attributes,
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(q.messages.filter((m) => m.visibleAt <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(q.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length),
      ApproximateNumberOfMessagesDelayed: String(q.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length),
      CreatedTimestamp: String(Math.floor(q.createdTimestamp / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.lastModifiedTimestamp / 1000)),
    };
    if (!names || names.length === 0) return {};
    if (names.includes('All')) return all;
    const out: Record<string, string> = {};
    for (const n of names) if (all[n] !== undefined) out[n] = all[n];
    return out;
  };

  return {
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
  };
}
