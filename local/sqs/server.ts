/**
 * An in-process SQS-compatible server speaking the AWS JSON 1.0 protocol that the current
 * `@aws-sdk/client-sqs` uses (`X-Amz-Target: AmazonSQS.<Op>`, `application/x-amz-json-1.0`,
 * query-compatible errors: `__type` + `x-amzn-query-error` header).
 *
 * Semantics implemented: visibility timeout, delay, long polling (receivers are woken immediately by a
 * send or a visibility change), redrive to a dead-letter queue after `maxReceiveCount` receives,
 * message retention, correct MD5 digests of bodies and message attributes. State is in memory.
 */
import type { AddressInfo } from 'node:net';
import { createAwsJsonServer } from '../aws-json-server.js';
import { SqsError } from './model.js';
import { createSqsOperations } from './operations.js';
import { createQueueRegistry } from './queues.js';

export { md5Hex, md5OfMessageAttributes } from './md5.js';
export { SQS_ACCOUNT_ID, SQS_REGION } from './model.js';

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

export async function startSqsEmulator(opts: SqsEmulatorOptions): Promise<RunningSqsEmulator> {
  const host = opts.host ?? '127.0.0.1';
  let baseUrl = '';
  let stopping = false;
  const registry = createQueueRegistry(() => baseUrl);
  const { queues, notify, createQueue } = registry;
  const ops = createSqsOperations(registry, () => stopping);

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
