/**
 * OpenStack faults → domain errors. Each service has its own fault body:
 * - Nova, Cinder: `{"itemNotFound":{"code":404,"message":"…"}}` (badRequest, forbidden, overLimit, conflictingRequest…)
 * - Neutron: `{"NeutronError":{"type":"NetworkNotFound","message":"…","detail":""}}`
 * - Octavia: `{"faultcode":"Client","faultstring":"…","debuginfo":null}`
 * - Keystone: `{"error":{"code":401,"title":"Unauthorized","message":"…"}}`
 * - Glance: webob's `{"code":"404 Not Found","title":"Not Found","message":"…<br /><br />…"}`, or its text page.
 *
 * The cloud's message and request id go into `details`; secrets the client knows are scrubbed from them,
 * and the axios error (whose config holds the token and the password) is never kept as a cause.
 */
import {
  ApiError,
  BadRequestError,
  ConflictError,
  DependencyUnavailableError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnprocessableError,
  type ErrorDetails,
} from '../../core/errors.js';

export interface Fault {
  /** The fault's type: Nova's key (`itemNotFound`), Neutron's `type` (`OverQuota`), Keystone's title, Octavia's faultcode. */
  type?: string;
  message?: string;
}

/** What the client knows of a failed call, for the error's details. */
export interface FailureContext {
  /** Catalog service type (`compute`, `network`, …). */
  service: string;
  status?: number;
  requestId?: string;
  /** Value of `Retry-After`, seconds. */
  retryAfter?: number;
}

/** 401 after a re-authentication, 5xx, timeouts, unreachable endpoints: 503 naming `openstack`. */
export class OpenStackUnavailableError extends DependencyUnavailableError {
  override readonly details: ErrorDetails;
  constructor(details: ErrorDetails, cause?: unknown) {
    super('openstack', cause);
    // The generic name on purpose: Step Functions retries match `DependencyUnavailableError`.
    this.name = 'DependencyUnavailableError';
    this.details = { dependency: 'openstack', ...details };
  }
}

const MAX_MESSAGE = 500;

/** Webob writes its HTML template into JSON messages too (`"…found.<br /><br />\nNo image…"`). */
function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return s === '' ? undefined : s;
}

/** Glance and proxies answer webob pages: keep the explanation, drop the status line and tags. */
function plainMessage(body: string): string | undefined {
  const lines = body
    .replace(/<[^>]*>/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\d{3} [A-Za-z ]+$/.test(l));
  return lines.length > 0 ? lines.join(' ') : undefined;
}

/** Reads a fault body of any OpenStack service (object, JSON string or text page). */
export function parseFault(body: unknown): Fault {
  if (typeof body === 'string') {
    try {
      return body.trim().startsWith('{') ? parseFault(JSON.parse(body)) : { message: plainMessage(body) };
    } catch {
      return { message: plainMessage(body) };
    }
  }
  if (body === null || typeof body !== 'object') return {};
  const o = body as Record<string, unknown>;
  if ('faultstring' in o || 'faultcode' in o) return { type: text(o.faultcode), message: text(o.faultstring) };
  const neutron = o.NeutronError;
  if (neutron && typeof neutron === 'object') {
    const n = neutron as Record<string, unknown>;
    return { type: text(n.type), message: text(n.message) };
  }
  if (typeof neutron === 'string') return { message: text(neutron) };
  const keystone = o.error;
  if (keystone && typeof keystone === 'object') {
    const k = keystone as Record<string, unknown>;
    return { type: text(k.title), message: text(k.message) };
  }
  // Nova and Cinder: a single key naming the fault.
  const keys = Object.keys(o);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const inner = o[key];
    if (inner && typeof inner === 'object') return { type: key, message: text((inner as Record<string, unknown>).message) };
  }
  // Webob's JSON error (Glance): {"code": "404 Not Found", "title": "Not Found", "message": "…"}.
  return { type: text(o.title), message: text(o.message) };
}

const QUOTA = /quota|overlimit|over ?quota|limit exceeded/i;

/** Best effort over Nova's, Cinder's, Neutron's and Octavia's quota messages. */
export function quotaDetails(message: string | undefined): ErrorDetails {
  if (!message) return {};
  const num = (re: RegExp) => {
    const m = re.exec(message);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  // Nova: "Quota exceeded for cores: Requested 4, but already used 20 of 20 cores"
  // Cinder: "Requested 100G, quota is 1000G and 950G has been consumed."
  const nova = /used (\d+) of (\d+)/i.exec(message);
  const resource =
    /quota exceeded for (?:resources: )?\[?'?([\w-]+)'?/i.exec(message)?.[1] ??
    /allowed ([\w-]+) quota/i.exec(message)?.[1] ??
    /quota has been met for resources: ([\w ,-]+)/i.exec(message)?.[1]?.trim();
  const details: ErrorDetails = {
    resource,
    requested: num(/requested (\d+)/i),
    used: nova ? Number(nova[1]) : num(/(\d+)G? has been consumed/i),
    limit: nova ? Number(nova[2]) : num(/quota is (\d+)/i),
  };
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
}

/** Replaces every occurrence of a known secret (password, credential secret, token) in `s`. */
export function scrub(s: string | undefined, secrets: readonly string[]): string | undefined {
  if (s === undefined) return undefined;
  let out = s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  return out;
}

/**
 * The domain error for an HTTP failure of the cloud.
 *
 * @example
 * throw toDomainError(404, { itemNotFound: { code: 404, message: 'Instance x could not be found.' } }, { service: 'compute', requestId })
 */
export function toDomainError(status: number, body: unknown, ctx: FailureContext, secrets: readonly string[] = []): ApiError {
  const fault = parseFault(body);
  const cloudMessage = scrub(fault.message, secrets);
  const details: ErrorDetails = {
    service: ctx.service,
    status,
    ...(ctx.requestId && { requestId: ctx.requestId }),
    ...(fault.type && { cloudCode: fault.type }),
    ...(cloudMessage && { cloudMessage }),
  };
  const isQuota = QUOTA.test(fault.type ?? '') || QUOTA.test(fault.message ?? '');
  const quota = () =>
    new UnprocessableError('QUOTA_EXCEEDED', `Cloud quota exceeded${cloudMessage ? `: ${cloudMessage}` : ''}`, {
      ...details,
      ...quotaDetails(cloudMessage),
    });

  // Nova answers 403 (older 413) overLimit, Cinder 413, Neutron 409 OverQuota, Octavia 403 "Quota has been met".
  if ([403, 409, 413].includes(status) && isQuota) return quota();
  if (status === 404) return new NotFoundError('CLOUD_NOT_FOUND', cloudMessage ?? 'Cloud resource not found', details);
  if (status === 409) return new ConflictError('CLOUD_CONFLICT', cloudMessage ?? 'Cloud resource state conflict', details);
  if (status === 403) return new ForbiddenError(cloudMessage ?? 'The cloud refused the operation', details);
  if (status === 401) return new OpenStackUnavailableError({ ...details, reason: 'unauthorized' });
  // Nova's 413 without quota, and 429, are rate limits of the API itself.
  if (status === 413 || status === 429) return new RateLimitedError(ctx.retryAfter ?? 1, cloudMessage ?? 'Cloud API rate limited');
  if (status >= 500) return new OpenStackUnavailableError(details);
  return new BadRequestError('CLOUD_BAD_REQUEST', cloudMessage ?? 'The cloud rejected the request', details);
}

/** A network failure or timeout: no HTTP answer. `code` is the socket error code (ECONNREFUSED, ECONNABORTED…). */
export function unreachableError(ctx: FailureContext, code: string | undefined): OpenStackUnavailableError {
  const reason = code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : 'unreachable';
  return new OpenStackUnavailableError({ service: ctx.service, reason, ...(code && { errorCode: code }) });
}
