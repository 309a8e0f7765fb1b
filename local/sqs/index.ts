export { startSqsEmulator, md5Hex, md5OfMessageAttributes, SQS_ACCOUNT_ID, SQS_REGION } from './server.js';
export type { SqsEmulatorOptions, RunningSqsEmulator } from './server.js';
export { startSqsPoller, toSqsRecord } from './poller.js';
export type { SqsPollerBinding, SqsPollerOptions, RunningSqsPoller, SqsBatchResponse } from './poller.js';
