import type { MiddlewareObj } from '@middy/core';
import { ApiError, InternalError } from '../../core/errors.js';
import { logger } from '../../core/logger.js';
import { translate } from '../i18n.js';
import type { HttpEvent, HttpResponse } from '../types.js';
import type { HttpInternal } from './request-context.js';
import { jsonResponse } from './json-response.js';

/**
 * Every failure answers `{"error":{code,message,details}}`. 4xx carry their details; anything unexpected is a
 * 500 whose body names only the request id — the stack goes to the log, never to the client.
 */
export const errorEnvelope = (): MiddlewareObj<HttpEvent, HttpResponse> => ({
  onError: function errorEnvelopeOnError(request) {
    const internal = request.internal as unknown as HttpInternal;
    const raw = request.error;
    const err = raw instanceof ApiError ? raw : new InternalError('Internal server error', raw);
    if (err.status >= 500) {
      logger.error('request failed', { error: raw as Error, code: err.code, request_id: internal.requestId });
    } else {
      logger.info('request rejected', { code: err.code, status: err.status });
    }
    const message = translate(
      err.messageKey,
      internal.locale ?? 'en',
      err.expose ? err.message : 'Internal server error',
      err.messageParams,
    );
    const details = err.expose ? err.details : { request_id: internal.requestId };
    request.response = jsonResponse(
      err.status,
      { error: { code: err.code, message, ...(details ? { details } : {}) } },
      {
        ...(err.headers ?? {}),
        'Content-Language': internal.locale ?? 'en',
      },
    );
  },
});
