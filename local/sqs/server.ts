/**
 * An in-process SQS-compatible server speaking the AWS JSON 1.0 protocol that the current
 * `@aws-sdk/client-sqs` uses (`X-Amz-Target: AmazonSQS.<Op>`, `application/x-amz-json-1.0`,
 * query-compatible errors: `__type` + `x-amzn-query-error` header).
 *
 * Semantics implemented: visibility timeout, delay, long polling (receivers are woken immediately by a
 * send or a visibility change), redrive to a dead-letter queue after `maxReceiveCount` receives,
 * message retention, correct MD5 digests of bodies and message attributes. State is in memory.
 */
import { createAwsJsonServer } from '../aws-json-server.js';
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export const SQS_ACCOUNT_ID = '000000000000';
export const SQS_REGION = 'us-east-1';

export interface SqsEmulatorOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Queues to create at start-up: name → attributes (e.g. RedrivePolicy). */
  queues?: Record<string, Record<string, string>>;
}

export interface RunningSqsEmulator {
  /** Endpoint for the SDK, e.g. http://127.0.0.1:9324 */
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string; // base64 on the wire
  StringListValues?: string[];
  BinaryListValues?: string[];
}

interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  sentTimestamp: number;
  firstReceiveTimestamp?: number;
  receiveCount: number;
  visibleAt: number;
  receiptHandle?: string;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  sequenceNumber?: string;
}

interface Queue {
  name: string;
  url: string;
  arn: string;
  attributes: Record<string, string>;
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  messages: StoredMessage[];
  waiters: Set<() => void>;
  sequence: bigint;
}

class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly queryCode: string = code,
    readonly status = 400,
    readonly fault: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

const DEFAULT_ATTRIBUTES: Record<string, string> = {
  VisibilityTimeout: '30',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
};

const MAX_WAIT_SECONDS = 20;

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** The documented MD5OfMessageAttributes algorithm (names sorted; length-prefixed UTF-8 fields). */
export function md5OfMessageAttributes(attrs: Record<string, MessageAttributeValue>): string {
  const hash = createHash('md5');
  const lenPrefixed = (b: Buffer): void => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length, 0);
    hash.update(len);
    hash.update(b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const v = attrs[name]!;
    lenPrefixed(Buffer.from(name, 'utf8'));
    lenPrefixed(Buffer.from(v.DataType, 'utf8'));
    if (v.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      lenPrefixed(Buffer.from(v.BinaryValue, 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      lenPrefixed(Buffer.from(v.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

function num(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

export async function startSqsEmulator(opts: SqsEmulatorOptions): Promise<RunningSqsEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const queues = new Map<string, Queue>();
  /** receipt handle → queue name + message id */
  const handles = new Map<string, { queue: string; messageId: string }>();
  let baseUrl = '';
  let stopping = false;

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
      url: `${baseUrl}/${SQS_ACCOUNT_ID}/${name}`,
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

  const enqueue = (
    q: Queue,
    entry: {
      MessageBody?: unknown;
      DelaySeconds?: unknown;
      MessageAttributes?: Record<string, MessageAttributeValue>;
      MessageGroupId?: string;
      MessageDeduplicationId?: string;
    },
  ): StoredMessage => {
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
      if (isGone() || stopping) return {};
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

  const ops: Record<string, (req: Record<string, unknown>, isGone: () => boolean) => Promise<unknown> | unknown> = {
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
    SendMessage: (req) => sendResult(enqueue(queueFromUrl(req.QueueUrl), req as Parameters<typeof enqueue>[1])),
    SendMessageBatch: (req) => {
      const q = queueFromUrl(req.QueueUrl);
      return batch<Parameters<typeof enqueue>[1] & { Id?: unknown }>(req.Entries, (e) => sendResult(enqueue(q, e)));
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

  const server = createAwsJsonServer({
    targetPrefix: 'AmazonSQS.',
    ops,
    unknownOperation: (what) =>
      new SqsError('UnsupportedOperation', `Operation ${what} is not supported.`, 'AWS.SimpleQueueService.UnsupportedOperation'),
    // The SDK speaks JSON with awsQueryCompatible: errors also carry the query-protocol code in a header.
    fault: (err) => {
      if (err instanceof SqsError) {
        return {
          status: err.status,
          type: `com.amazonaws.sqs#${err.code}`,
          message: err.message,
          headers: { 'x-amzn-query-error': `${err.queryCode};${err.fault}` },
        };
      }
      if (err instanceof SyntaxError) return { status: 400, type: 'com.amazonaws.sqs#InvalidParameterValue', message: 'Malformed JSON' };
      return {
        status: 500,
        type: 'com.amazonaws.sqs#InternalError',
        message: (err as Error).message ?? String(err),
        headers: { 'x-amzn-query-error': 'InternalError;Receiver' },
      };
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;
  for (const [name, attrs] of Object.entries(opts.queues ?? {})) createQueue(name, attrs);

  return {
    url: baseUrl,
    port,
    async stop() {
      stopping = true;
      for (const q of queues.values()) notify(q);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
