export { startSqsEmulator } from './server.js';
export { md5Hex, md5OfMessageAttributes } from './md5.js';
export { SQS_ACCOUNT_ID, SQS_REGION } from './model.js';
export type { SqsEmulatorOptions, RunningSqsEmulator } from './server.js';
export { startSqsPoller, toSqsRecord } from './poller.js';
export type { SqsPollerBinding, SqsPollerOptions, RunningSqsPoller, SqsBatchResponse } from './poller.js';
