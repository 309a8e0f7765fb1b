/** The SQS emulator's data model: queues, stored messages, errors and defaults. */
import type { MessageAttributeValue } from './md5.js';

export const SQS_ACCOUNT_ID = '000000000000';
export const SQS_REGION = 'us-east-1';

export interface StoredMessage {
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

export interface Queue {
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

export class SqsError extends Error {
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

export const DEFAULT_ATTRIBUTES: Record<string, string> = {
  VisibilityTimeout: '30',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
};

export const MAX_WAIT_SECONDS = 20;

export function num(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}
