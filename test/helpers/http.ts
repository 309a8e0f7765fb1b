import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../../lib/http/types.js';

/** An API Gateway HTTP API (payload v2) event, as API Gateway and serverless offline build it. */
export function httpEvent(
  method: string,
  pathAndQuery: string,
  opts: { body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): HttpEvent {
  const [rawPath, rawQueryString = ''] = pathAndQuery.split('?') as [string, string?];
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.headers ?? {}) },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'req',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    body,
    isBase64Encoded: false,
  } as HttpEvent;
}

export const lambdaContext = (): Context =>
  ({
    awsRequestId: `aws-${Math.random().toString(16).slice(2)}`,
    functionName: 'test',
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;

export interface ApiAnswer {
  status: number;
  body: any;
  headers: Record<string, string>;
}

export type Handler = (event: HttpEvent, context: Context) => Promise<unknown>;

/** Calls a function's HTTP handler in-process as API Gateway would, with an optional bearer token. */
export async function callHandler(
  handler: Handler,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = (await handler(httpEvent(method, path, { body: opts.body, headers }), lambdaContext())) as {
    statusCode?: number;
    body?: string;
    headers?: Record<string, string>;
  };
  const text = typeof res.body === 'string' ? res.body : '';
  return { status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers ?? {} };
}
