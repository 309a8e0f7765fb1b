/**
 * One axios instance per OpenStack service: endpoint from the catalog, `X-Auth-Token`, microversion
 * headers, timeout, `x-openstack-request-id` logged, one re-authentication on 401, retries with backoff
 * of idempotent calls (GET, DELETE) on 5xx and network errors, and failures turned into domain errors.
 */
import type { AxiosInstance, AxiosResponse, CreateAxiosDefaults, Method } from 'axios';
import { lazy } from '../../core/lazy.js';

/**
 * axios, required on the first cloud request (its Node build loads http, https, zlib, follow-redirects… at
 * require time): a function that never reaches the cloud, or a cold start before its first request, does not
 * pay for it. One instance per options object, created once.
 */
const loadAxios = lazy(async () => (await import('axios')).default);
export function lazyAxios(options: CreateAxiosDefaults): () => Promise<AxiosInstance> {
  return lazy(async () => (await loadAxios()).create(options));
}
import { toDomainError, unreachableError, OpenStackUnavailableError } from './errors.js';
import type { Keystone, KeystoneToken } from './keystone.js';

/** The slice of the Powertools logger the client uses (a plain fake in tests). */
export interface OpenStackLogger {
  debug(message: string, extra: Record<string, unknown>): void;
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
}

export type QueryValue = string | number | boolean | readonly string[] | null | undefined;
export type Query = Record<string, QueryValue>;

export interface ServiceResponse<T> {
  data: T;
  status: number;
  requestId?: string;
}

export interface ServiceHttpOptions {
  keystone: Keystone;
  /** Catalog service type, also the `service` of error details. */
  serviceType: string;
  logger: OpenStackLogger;
  timeoutMs: number;
  /** Extra headers of every call (microversions). */
  headers?: Record<string, string>;
  /** Resolves after a backoff when attempt `attempt` (0-based) may be retried. */
  retry: (attempt: number) => Promise<boolean>;
  /** The service root from the catalog URL: adds the API version the paths are relative to. */
  baseUrl: (catalogUrl: string, token: KeystoneToken) => string;
}

const IDEMPOTENT = new Set<Method>(['GET', 'DELETE', 'HEAD']);

/**
 * A path whose interpolated values are URI-encoded.
 *
 * @example path`/servers/${id}/action` // '/servers/9f1c…/action'
 */
export function path(strings: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

/** Exponential backoff with jitter: base, 2×base, 4×base… each scaled by a random 0.5–1. */
export function backoff(retries: number, baseDelayMs: number): (attempt: number) => Promise<boolean> {
  return async (attempt) => {
    if (attempt >= retries) return false;
    const delay = baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
    await new Promise((r) => setTimeout(r, delay));
    return true;
  };
}

/**
 * The root of a service whose catalog URL may or may not carry the API version
 * (`http://h:9696` and `http://h:9696/v2.0/` both give `http://h:9696/v2.0`).
 */
export function versionedRoot(url: string, version: string, accepted: readonly string[] = [version]): string {
  const base = url.replace(/\/+$/, '');
  return accepted.some((v) => base.endsWith(`/${v}`)) ? base : `${base}/${version}`;
}

function serializeQuery(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null) continue;
    // OpenStack reads repeated keys (`?status=a&status=b`), not `status[]=`.
    if (Array.isArray(v)) for (const item of v as readonly string[]) params.append(k, item);
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

export class ServiceHttp {
  readonly serviceType: string;
  private readonly axios: () => Promise<AxiosInstance>;

  constructor(private readonly opts: ServiceHttpOptions) {
    this.serviceType = opts.serviceType;
    this.axios = lazyAxios({
      timeout: opts.timeoutMs,
      // Statuses are handled here; an AxiosError would carry the request config (and its token).
      validateStatus: () => true,
      maxRedirects: 0,
      headers: { Accept: 'application/json', ...opts.headers },
    });
  }

  get<T>(p: string, query?: Query): Promise<ServiceResponse<T>> {
    return this.request<T>('GET', p, { query });
  }

  post<T>(p: string, body?: unknown, query?: Query): Promise<ServiceResponse<T>> {
    return this.request<T>('POST', p, { body, query });
  }

  put<T>(p: string, body?: unknown, query?: Query): Promise<ServiceResponse<T>> {
    return this.request<T>('PUT', p, { body, query });
  }

  delete(p: string, query?: Query): Promise<ServiceResponse<unknown>> {
    return this.request('DELETE', p, { query });
  }

  /** The project id of the current token (quota paths need it). */
  async projectId(): Promise<string> {
    return (await this.opts.keystone.token()).projectId;
  }

  async request<T>(method: Method, p: string, req: { query?: Query; body?: unknown }): Promise<ServiceResponse<T>> {
    const { keystone, logger, serviceType } = this.opts;
    const idempotent = IDEMPOTENT.has(method);
    const url = p + serializeQuery(req.query);
    let reauthenticated = false;
    for (let attempt = 0; ;) {
      const { url: catalogUrl, token } = await keystone.endpoint(serviceType);
      const started = Date.now();
      let res: AxiosResponse;
      try {
        res = await (
          await this.axios()
        ).request({
          method,
          url: this.opts.baseUrl(catalogUrl, token) + url,
          headers: { 'X-Auth-Token': token.value, ...(req.body !== undefined && { 'Content-Type': 'application/json' }) },
          ...(req.body !== undefined && { data: req.body }),
        });
      } catch (e) {
        const code = (e as { code?: string }).code;
        logger.warn('openstack request failed', { cloud_service: serviceType, method, path: p, code, durationMs: Date.now() - started });
        if (idempotent && (await this.opts.retry(attempt++))) continue;
        throw unreachableError({ service: serviceType }, code);
      }
      const requestId = (res.headers['x-openstack-request-id'] ?? res.headers['x-compute-request-id']) as string | undefined;
      // Failures and mutations are logged at INFO and above (their request id is what the cloud's operators
      // ask for); reads, polling mostly, at DEBUG.
      const log = res.status >= 400 ? logger.warn : idempotent && method !== 'DELETE' ? logger.debug : logger.info;
      log.call(logger, 'openstack request', {
        cloud_service: serviceType,
        method,
        path: p,
        status: res.status,
        requestId,
        durationMs: Date.now() - started,
      });
      // The request was refused before any effect: safe to replay once with a fresh token, whatever the method.
      if (res.status === 401 && !reauthenticated) {
        reauthenticated = true;
        keystone.invalidate(token);
        continue;
      }
      if (res.status >= 500 && idempotent && (await this.opts.retry(attempt++))) continue;
      if (res.status >= 400) {
        const retryAfter = Number(res.headers['retry-after']);
        throw toDomainError(
          res.status,
          res.data,
          { service: serviceType, requestId, ...(Number.isFinite(retryAfter) && { retryAfter }) },
          keystone.secrets(),
        );
      }
      if (res.status >= 300) throw new OpenStackUnavailableError({ service: serviceType, status: res.status, requestId });
      return { data: res.data as T, status: res.status, ...(requestId && { requestId }) };
    }
  }
}
