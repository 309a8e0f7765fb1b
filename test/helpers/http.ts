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
