/**
 * The local stand-in for Lambda's SQS event source mapping: long-polls queues through the real
 * `@aws-sdk/client-sqs` and invokes a consumer with the Lambda SQS event shape. Successful records are
 * deleted; on a thrown error the whole batch is left to reappear after its visibility timeout; with a
 * partial batch response (`ReportBatchItemFailures`) only the listed records are left.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

export interface SqsBatchResponse {
  batchItemFailures?: { itemIdentifier: string }[];
}

export interface SqsPollerBinding {
  queueName: string;
  invoke: (event: SQSEvent) => Promise<SqsBatchResponse | void | undefined | null>;
  /** Overrides the poller-wide batch size (1..10). */
  batchSize?: number;
  /** Parallel receive/invoke loops for this queue (default 1). */
  concurrency?: number;
}

export interface SqsPollerOptions {
  sqsEndpoint: string;
  bindings: SqsPollerBinding[];
  /** Max messages per invocation, 1..10 (default 10). */
  batchSize?: number;
  region?: string;
  /** Long-poll wait (default 20 s, the SQS maximum). */
  waitTimeSeconds?: number;
  /** Receive visibility timeout override; default: the queue's VisibilityTimeout. */
  visibilityTimeout?: number;
  /** Called on consumer failures and poll errors (default: console.error). */
  onError?: (err: unknown, ctx: { queueName: string; phase: 'invoke' | 'poll' | 'delete' }) => void;
}

export interface RunningSqsPoller {
  stop(): Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

export function toSqsRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const a = m.Attributes ?? {};
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[k] = {
      dataType: v.DataType ?? 'String',
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') } : {}),
      stringListValues: v.StringListValues ?? [],
      binaryListValues: (v.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
    };
  }
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
      ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
      ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
    },
    messageAttributes,
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

export function startSqsPoller(opts: SqsPollerOptions): RunningSqsPoller {
  const region = opts.region ?? 'us-east-1';
  const client = new SQSClient({
    endpoint: opts.sqsEndpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const controller = new AbortController();
  const signal = controller.signal;
  const onError =
    opts.onError ??
    ((err, ctx) => {
      console.error(`[sqs-poller] ${ctx.queueName} ${ctx.phase} failed:`, err);
    });

  const loop = async (binding: SqsPollerBinding): Promise<void> => {
    const batchSize = Math.max(1, Math.min(10, binding.batchSize ?? opts.batchSize ?? 10));
    let queueUrl: string | undefined;
    let queueArn = '';
    while (!signal.aborted) {
      try {
        if (!queueUrl) {
          queueUrl = (await client.send(new GetQueueUrlCommand({ QueueName: binding.queueName }), { abortSignal: signal })).QueueUrl;
          const attrs = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }), {
            abortSignal: signal,
          });
          queueArn = attrs.Attributes?.QueueArn ?? `arn:aws:sqs:${region}:000000000000:${binding.queueName}`;
        }
        const res = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: opts.waitTimeSeconds ?? 20,
            ...(opts.visibilityTimeout !== undefined ? { VisibilityTimeout: opts.visibilityTimeout } : {}),
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: signal },
        );
        const messages = res.Messages ?? [];
        if (messages.length === 0 || signal.aborted) continue;
        const records = messages.map((m) => toSqsRecord(m, queueArn, region));
        let toDelete: SQSRecord[] = [];
        try {
          const out = await binding.invoke({ Records: records });
          const failures = out?.batchItemFailures ?? [];
          const ids = new Set(records.map((r) => r.messageId));
          // Like Lambda: an unknown or empty itemIdentifier fails the whole batch.
          const invalid = failures.some((f) => !f?.itemIdentifier || !ids.has(f.itemIdentifier));
          if (!invalid) {
            const failed = new Set(failures.map((f) => f.itemIdentifier));
            toDelete = records.filter((r) => !failed.has(r.messageId));
          }
        } catch (err) {
          onError(err, { queueName: binding.queueName, phase: 'invoke' });
        }
        if (toDelete.length > 0) {
          try {
            await client.send(
              new DeleteMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: toDelete.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
              }),
            );
          } catch (err) {
            onError(err, { queueName: binding.queueName, phase: 'delete' });
          }
        }
      } catch (err) {
        if (signal.aborted) break;
        const name = (err as { name?: string }).name;
        if (name === 'QueueDoesNotExist') queueUrl = undefined;
        else onError(err, { queueName: binding.queueName, phase: 'poll' });
        await sleep(name === 'QueueDoesNotExist' ? 250 : 1000, signal);
      }
    }
  };

  const loops = opts.bindings.flatMap((b) => Array.from({ length: Math.max(1, b.concurrency ?? 1) }, () => loop(b)));

  return {
    async stop() {
      controller.abort();
      await Promise.allSettled(loops);
      client.destroy();
    },
  };
}
