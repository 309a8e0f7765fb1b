import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsEmulator, startSqsPoller, type RunningSqsEmulator } from '../../local/sqs/index.js';

let sqs: RunningSqsEmulator;
let client: SQSClient;

beforeAll(async () => {
  sqs = await startSqsEmulator({ port: 0 });
  client = new SQSClient({
    endpoint: sqs.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  client?.destroy();
  await sqs?.stop();
});

const createQueue = async (name: string, attributes?: Record<string, string>): Promise<string> =>
  (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;

const approx = async (url: string): Promise<Record<string, string>> =>
  (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;

describe('SQS emulator (real @aws-sdk/client-sqs)', () => {
  it('creates, lists and resolves queues; unknown queue → QueueDoesNotExist', async () => {
    const url = await createQueue('basics');
    expect(url).toBe(`${sqs.url}/000000000000/basics`);
    expect((await client.send(new GetQueueUrlCommand({ QueueName: 'basics' }))).QueueUrl).toBe(url);
    expect((await client.send(new ListQueuesCommand({}))).QueueUrls).toContain(url);
    await expect(client.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    const attrs = await approx(url);
    expect(attrs.QueueArn).toBe('arn:aws:sqs:us-east-1:000000000000:basics');
    expect(attrs.VisibilityTimeout).toBe('30');
  });

  it('sends, receives and deletes with valid MD5s (the SDK verifies them)', async () => {
    const url = await createQueue('send-receive');
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify({ hello: 'wörld ✓' }),
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' }, n: { DataType: 'Number', StringValue: '42' } },
      }),
    );
    expect(sent.MessageId).toBeTruthy();
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const batch = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two' },
        ],
      }),
    );
    expect(batch.Successful).toHaveLength(2);
    expect((await approx(url)).ApproximateNumberOfMessages).toBe('3');

    const got = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    expect(got.Messages?.map((m) => m.Body)).toEqual([JSON.stringify({ hello: 'wörld ✓' }), 'one', 'two']);
    expect(got.Messages?.[0]?.MessageAttributes?.kind?.StringValue).toBe('greeting');
    expect(got.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    const a = await approx(url);
    expect(a.ApproximateNumberOfMessages).toBe('0');
    expect(a.ApproximateNumberOfMessagesNotVisible).toBe('3');

    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages![0]!.ReceiptHandle! }));
    const del = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: got.Messages!.slice(1).map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    expect(del.Successful).toHaveLength(2);
    expect((await approx(url)).ApproximateNumberOfMessagesNotVisible).toBe('0');
  });

  it('hides a received message for its visibility timeout, then redelivers it', async () => {
    const url = await createQueue('visibility', { VisibilityTimeout: '1' });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'v' }));
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(first.Messages).toHaveLength(1);
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).toHaveLength(0);
    const t0 = Date.now();
    const again = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    const waited = Date.now() - t0;
    expect(again.Messages?.[0]?.Body).toBe('v');
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(waited).toBeGreaterThan(500);
    expect(waited).toBeLessThan(2000);
    // ChangeMessageVisibility to 0 makes it visible at once.
    await client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: again.Messages![0]!.ReceiptHandle!, VisibilityTimeout: 0 }),
    );
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toHaveLength(1);
    await client.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect((await approx(url)).ApproximateNumberOfMessagesNotVisible).toBe('0');
  });

  it('long poll returns as soon as a message arrives', async () => {
    const url = await createQueue('long-poll');
    const t0 = Date.now();
    const pending = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    await new Promise((r) => setTimeout(r, 200));
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake' }));
    const res = await pending;
    expect(res.Messages?.[0]?.Body).toBe('wake');
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('moves a message to the DLQ once it was received maxReceiveCount times', async () => {
    const dlqUrl = await createQueue('work-dlq');
    const dlqArn = (await approx(dlqUrl)).QueueArn!;
    const url = await createQueue('work', {
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    expect((await approx(url)).RedrivePolicy).toContain(dlqArn);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toHaveLength(1);
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toHaveLength(1);
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages ?? []).toHaveLength(0);
    const dead = await client.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(dead.Messages?.[0]?.Body).toBe('poison');
    expect(dead.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('3');
  });

  it('poller invokes the consumer in well under a second and deletes on success', async () => {
    const url = await createQueue('poller-ok');
    const events: { at: number; event: SQSEvent }[] = [];
    let notify: () => void = () => {};
    const poller = startSqsPoller({
      sqsEndpoint: sqs.url,
      batchSize: 5,
      bindings: [
        {
          queueName: 'poller-ok',
          invoke: async (event) => {
            events.push({ at: Date.now(), event });
            notify();
          },
        },
      ],
    });
    try {
      await new Promise((r) => setTimeout(r, 100)); // let the poller start its long poll
      const got = new Promise<void>((r) => (notify = r));
      const t0 = Date.now();
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"job":1}' }));
      await got;
      const latency = events[0]!.at - t0;
      expect(latency).toBeLessThan(500);
      const rec = events[0]!.event.Records[0]!;
      expect(rec).toMatchObject({
        body: '{"job":1}',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:poller-ok',
        attributes: { ApproximateReceiveCount: '1' },
      });
      await expect.poll(async () => (await approx(url)).ApproximateNumberOfMessagesNotVisible).toBe('0');
      expect((await approx(url)).ApproximateNumberOfMessages).toBe('0');
    } finally {
      await poller.stop();
    }
  });

  it('poller leaves failed records (partial batch response and thrown errors) for redelivery', async () => {
    const url = await createQueue('poller-partial', { VisibilityTimeout: '1' });
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok', MessageBody: 'ok' },
          { Id: 'bad', MessageBody: 'bad' },
          { Id: 'boom', MessageBody: 'boom' },
        ],
      }),
    );
    const seen: { body: string; count: string }[] = [];
    let throws = 0;
    const poller = startSqsPoller({
      sqsEndpoint: sqs.url,
      batchSize: 10,
      onError: () => {},
      bindings: [
        {
          queueName: 'poller-partial',
          invoke: async (event) => {
            for (const r of event.Records) seen.push({ body: r.body, count: r.attributes.ApproximateReceiveCount });
            if (event.Records.some((r) => r.body === 'boom') && throws++ === 0) throw new Error('whole batch fails');
            return {
              batchItemFailures: event.Records.filter((r) => r.body === 'bad' && r.attributes.ApproximateReceiveCount === '2').map((r) => ({
                itemIdentifier: r.messageId,
              })),
            };
          },
        },
      ],
    });
    try {
      // 1st delivery: throw → all 3 back after 1 s; 2nd: 'bad' reported failed; 3rd: 'bad' succeeds.
      await expect.poll(() => seen.filter((s) => s.body === 'bad').length, { timeout: 6000, interval: 50 }).toBe(3);
      await expect.poll(async () => (await approx(url)).ApproximateNumberOfMessagesNotVisible, { timeout: 3000 }).toBe('0');
      expect((await approx(url)).ApproximateNumberOfMessages).toBe('0');
      expect(seen.filter((s) => s.body === 'ok').map((s) => s.count)).toEqual(['1', '2']);
      expect(seen.filter((s) => s.body === 'bad').map((s) => s.count)).toEqual(['1', '2', '3']);
    } finally {
      await poller.stop();
    }
  });
});
