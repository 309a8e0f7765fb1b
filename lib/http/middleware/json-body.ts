import type { MiddlewareObj } from '@middy/core';
import { ApiError, BadRequestError } from '../../core/errors.js';
import type { HttpEvent, HttpResponse } from '../types.js';

export interface JsonBodyOptions {
  maxBytes: number;
}

/**
 * Decodes the body once: 413 past `maxBytes`, 415 unless JSON, 400 on malformed JSON. The parsed value is
 * left in `request.internal.body` (undefined when there is no body).
 */
export const jsonBody = (opts: JsonBodyOptions): MiddlewareObj<HttpEvent, HttpResponse> => ({
  before: function jsonBodyBefore(request) {
    const event = request.event;
    const internal = request.internal as Record<string, unknown>;
    if (event.body === undefined || event.body === null || event.body === '') return;
    const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const size = Buffer.byteLength(text, 'utf8');
    if (size > opts.maxBytes) {
      throw new ApiError('PAYLOAD_TOO_LARGE', 413, `The request body exceeds ${opts.maxBytes} bytes`, {
        details: { limit_bytes: opts.maxBytes, size_bytes: size },
        messageParams: { limit: opts.maxBytes },
      });
    }
    const contentType = (event.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/json' && !contentType.endsWith('+json')) {
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 415, 'Content-Type must be application/json', {
        details: { content_type: contentType || null },
      });
    }
    try {
      internal.body = JSON.parse(text);
    } catch (e) {
      throw new BadRequestError('MALFORMED_JSON', 'The request body is not valid JSON', {
        reason: (e as Error).message.slice(0, 200),
      });
    }
  },
});
