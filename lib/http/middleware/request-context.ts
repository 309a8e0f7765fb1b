import type { MiddlewareObj } from '@middy/core';
import { randomUUID } from 'node:crypto';
import { logger } from '../../core/logger.js';
import { negotiateLocale, type Locale } from '../i18n.js';
import type { HttpEvent, HttpResponse } from '../types.js';

export interface HttpInternal {
  requestId: string;
  locale: Locale;
  startedAt: number;
  [key: string]: unknown;
}

/** The per-request bag, keyed by the event, so the handler reads what the middlewares decoded. */
export const requestInternals = new WeakMap<object, HttpInternal>();

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Lower-cases header names once (API Gateway v2 already does; serverless-offline and tests may not). */
export function normaliseHeaders(event: HttpEvent): void {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  event.headers = headers;
}

/** Request id (client-supplied `X-Request-Id` if sane, else the Lambda's), locale, timing, log keys. */
export const requestContext = (): MiddlewareObj<HttpEvent, HttpResponse> => ({
  before: function requestContextBefore(request) {
    normaliseHeaders(request.event);
    const h = request.event.headers;
    const supplied = h['x-request-id'];
    const requestId = supplied && CLIENT_REQUEST_ID.test(supplied) ? supplied : request.context.awsRequestId || randomUUID();
    const internal = request.internal as unknown as HttpInternal;
    internal.requestId = requestId;
    internal.locale = negotiateLocale(h['accept-language']);
    internal.startedAt = Date.now();
    requestInternals.set(request.event, internal);
    logger.resetKeys();
    logger.appendKeys({ request_id: requestId, route: request.event.routeKey });
  },
  after: function requestContextAfter(request) {
    accessLog(request.event, request.response, request.internal as unknown as HttpInternal);
  },
  onError: function requestContextOnError(request) {
    accessLog(request.event, request.response, request.internal as unknown as HttpInternal);
  },
});

/**
 * One structured line per request: method, path, status, duration, request id. Never bodies, headers or
 * query strings (they may carry tokens or passwords).
 */
function accessLog(event: HttpEvent, response: HttpResponse | null | undefined, internal: HttpInternal): void {
  if (response) response.headers['X-Request-Id'] = internal.requestId;
  logger.info('request', {
    method: event.requestContext?.http?.method,
    path: event.rawPath,
    status: response?.statusCode,
    duration_ms: internal.startedAt ? Date.now() - internal.startedAt : undefined,
    source_ip: event.requestContext?.http?.sourceIp,
  });
}
