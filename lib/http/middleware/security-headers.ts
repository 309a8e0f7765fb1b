import type { MiddlewareObj } from '@middy/core';
import type { HttpEvent, HttpResponse } from '../types.js';

const BASE_HEADERS: Record<string, string> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

export interface CorsOptions {
  /** Comma-separated origins, or `*`. */
  origins: string;
}

/** Security headers and CORS on every answer, errors included. */
export const securityHeaders = (opts: CorsOptions): MiddlewareObj<HttpEvent, HttpResponse> => {
  const allowed = opts.origins
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  const apply = (request: { event: HttpEvent; response: HttpResponse | null | undefined }) => {
    if (!request.response) return;
    const headers = request.response.headers;
    for (const [k, v] of Object.entries(BASE_HEADERS)) headers[k] ??= v;
    const origin = request.event.headers?.origin;
    if (origin && (allowed.includes('*') || allowed.includes(origin))) {
      headers['Access-Control-Allow-Origin'] = allowed.includes('*') ? '*' : origin;
      headers['Access-Control-Expose-Headers'] = 'Location, Retry-After, X-Request-Id, Idempotency-Replayed';
      if (!allowed.includes('*')) headers.Vary = 'Origin';
    }
  };
  return { after: apply, onError: apply };
};
