/** Public types and shared helpers of the local Step Functions emulator. */
import { SFN_ACCOUNT_ID } from './definition.js';
import type { InProcessInvoke } from './lambda-invoker.js';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionStatusChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'Step Functions Execution Status Change';
  source: 'aws.states';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: ExecutionStatus;
    startDate: number;
    stopDate: number | null;
    input: string;
    inputDetails: { included: boolean };
    output: string | null;
    outputDetails: { included: boolean } | null;
    error: string | null;
    cause: string | null;
  };
}

export interface SfnEmulatorOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  stateMachinesDir: string;
  dataDir: string;
  service?: string;
  stage?: string;
  /** Multiplies Wait durations and Retry intervals (default: env SFN_WAIT_SCALE, else 1). */
  waitScale?: number;
  /** serverless-offline Lambda endpoint (default http://localhost:3002). Ignored when `invoke` is given. */
  lambdaEndpoint?: string;
  /** In-process Lambda invoker (tests): a thrown error is a function error whose errorType is `err.name`. */
  invoke?: InProcessInvoke;
  onExecutionStatusChange?: (ev: ExecutionStatusChangeEvent) => Promise<void>;
  /** Logger for emulator-side problems (default console.error). */
  log?: (msg: string, err?: unknown) => void;
}

export interface RunningSfnEmulator {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** epoch ms (sent as epoch seconds on the wire) */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
}

/** A terminal execution status and the fields that come with it. */
export type TerminalStatus = Exclude<ExecutionStatus, 'RUNNING'>;
export type TerminalFields = { output?: string; error?: string; cause?: string };

/** Logger for emulator-side problems. */
export type EmulatorLog = (msg: string, err?: unknown) => void;

/** An API error: `code` is the AWS error type (`com.amazonaws.swf.service.model#<code>` on the wire). */
export class SfnError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const ROLE_ARN = `arn:aws:iam::${SFN_ACCOUNT_ID}:role/local-sfn-emulator`;

/** epoch ms → epoch seconds (the wire format of dates). */
export const sec = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);
/** A JSON-ish value as the string the history shows. */
export const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v ?? null));
