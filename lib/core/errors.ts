/**
 * Domain errors. Every error the API answers with is an ApiError: a stable UPPER_SNAKE `code`, an HTTP
 * `status`, a message key for localisation and `details` safe to show to the client.
 *
 * `this.name` is set literally in each subclass: Step Functions matches `ErrorEquals` on the name and a
 * minifier renames classes.
 */
export type ErrorDetails = Record<string, unknown>;

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** 4xx are shown to the client as they are; 5xx are replaced by a generic message. */
  readonly expose: boolean;
  readonly details?: ErrorDetails;
  /** i18n key and parameters; the English `message` is the fallback. */
  readonly messageKey?: string;
  readonly messageParams?: Record<string, string | number>;
  readonly headers?: Record<string, string>;

  constructor(
    code: string,
    status: number,
    message: string,
    opts: {
      details?: ErrorDetails;
      messageKey?: string;
      messageParams?: Record<string, string | number>;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.expose = status < 500 || status === 503;
    this.details = opts.details;
    this.messageKey = opts.messageKey ?? code;
    this.messageParams = opts.messageParams;
    this.headers = opts.headers;
  }
}

export interface FieldIssue {
  field: string;
  code: string;
  message: string;
}

export class ValidationError extends ApiError {
  constructor(issues: FieldIssue[], message = 'Request validation failed') {
    super('VALIDATION_ERROR', 400, message, { details: { fields: issues } });
    this.name = 'ValidationError';
  }
}

export class BadRequestError extends ApiError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(code, 400, message, { details });
    this.name = 'BadRequestError';
  }
}

export class UnauthorizedError extends ApiError {
  constructor(code = 'UNAUTHORIZED', message = 'Authentication required', details?: ErrorDetails) {
    super(code, 401, message, { details, headers: { 'WWW-Authenticate': 'Bearer' } });
    this.name = 'UnauthorizedError';
  }
}

export class InvalidCredentialsError extends ApiError {
  constructor() {
    super('INVALID_CREDENTIALS', 401, 'Invalid username or password');
    this.name = 'InvalidCredentialsError';
  }
}

export class ForbiddenError extends ApiError {
  constructor(message = 'You are not allowed to perform this action', details?: ErrorDetails) {
    super('FORBIDDEN', 403, message, { details });
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends ApiError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(code, 404, message, { details });
    this.name = 'NotFoundError';
  }
}

/** `true` when `fn` answers NotFoundError (already gone); any other error is thrown. */
export async function is404(fn: () => Promise<unknown>): Promise<boolean> {
  return (await unless404(async () => (await fn(), true))) === undefined;
}

/** What `get` answers, or undefined when it answers NotFoundError; any other error is thrown. */
export async function unless404<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

export class ConflictError extends ApiError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(code, 409, message, { details });
    this.name = 'ConflictError';
  }
}

export class UnprocessableError extends ApiError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(code, 422, message, { details });
    this.name = 'UnprocessableError';
  }
}

export class RateLimitedError extends ApiError {
  constructor(retryAfterSeconds: number, message = 'Too many requests') {
    super('RATE_LIMITED', 429, message, {
      details: { retry_after: retryAfterSeconds },
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
    this.name = 'RateLimitedError';
  }
}

/** A dependency (LDAP, DynamoDB, a cloud) cannot be reached: 503 with the dependency's name. */
export class DependencyUnavailableError extends ApiError {
  constructor(dependency: string, cause?: unknown) {
    super('DEPENDENCY_UNAVAILABLE', 503, `Dependency unavailable: ${dependency}`, {
      details: { dependency },
      messageParams: { dependency },
      cause,
    });
    this.name = 'DependencyUnavailableError';
  }
}

export class InternalError extends ApiError {
  constructor(message = 'Internal server error', cause?: unknown) {
    super('INTERNAL_ERROR', 500, message, { cause });
    this.name = 'InternalError';
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;
