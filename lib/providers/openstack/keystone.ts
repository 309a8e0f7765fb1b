/**
 * Keystone v3: password or application-credential authentication, a cached token renewed before its
 * `expires_at`, and endpoint selection from the token's catalog (service type + interface + region).
 */
import type { AxiosInstance } from 'axios';
import type { OpenStackConfig, OpenStackInterface } from './config.js';
import { OpenStackUnavailableError, toDomainError, unreachableError } from './errors.js';
import { lazyAxios, type OpenStackLogger } from './http.js';

export interface CatalogEndpoint {
  id?: string;
  interface: string;
  region_id?: string | null;
  region?: string | null;
  url: string;
}

export interface CatalogService {
  id?: string;
  type: string;
  name?: string;
  endpoints: CatalogEndpoint[];
}

export interface KeystoneToken {
  /** The `X-Subject-Token`; a secret. */
  value: string;
  expiresAt: number;
  projectId: string;
  catalog: CatalogService[];
}

/**
 * Service types of the service-types authority and the older names clouds still register them under:
 * Cinder is `block-storage` in new catalogs and `volumev3` in most deployed ones.
 */
export const SERVICE_TYPE_ALIASES: Record<string, readonly string[]> = {
  'block-storage': ['block-storage', 'volumev3', 'block-store', 'volume'],
  volumev3: ['block-storage', 'volumev3', 'block-store', 'volume'],
  compute: ['compute'],
  network: ['network'],
  image: ['image'],
  'load-balancer': ['load-balancer'],
  identity: ['identity'],
};

export interface KeystoneOptions {
  config: OpenStackConfig;
  logger: OpenStackLogger;
  now: () => number;
  /** Retries of the token request on 5xx / network errors. */
  retry: (attempt: number) => Promise<boolean>;
}

interface TokenBody {
  token?: {
    expires_at?: string;
    project?: { id?: string };
    application_credential?: { id?: string };
    catalog?: CatalogService[];
  };
}

/** `http://host:5000` → `http://host:5000/v3`; a trailing slash is dropped. */
export function keystoneV3Url(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

/** Keystone writes microseconds and, in old releases, no zone: both mean UTC. */
function parseExpiry(s: string | undefined): number {
  if (!s) return NaN;
  return Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(s) ? s : `${s}Z`);
}

/**
 * Picks the endpoint of `serviceType` (aliases included) for the interface, in the region when one is
 * configured, otherwise the first one of that interface (as keystoneauth does).
 */
export function selectEndpoint(catalog: CatalogService[], serviceType: string, iface: OpenStackInterface, region?: string): string {
  const types = SERVICE_TYPE_ALIASES[serviceType] ?? [serviceType];
  for (const type of types) {
    const service = catalog.find((s) => s.type === type);
    if (!service) continue;
    const endpoint = service.endpoints.find(
      (e) => e.interface === iface && (region === undefined || e.region_id === region || e.region === region),
    );
    if (endpoint) return endpoint.url;
  }
  throw new OpenStackUnavailableError({
    service: serviceType,
    reason: 'no_endpoint',
    interface: iface,
    ...(region !== undefined && { region }),
  });
}

export class Keystone {
  readonly authUrl: string;
  private readonly http: () => Promise<AxiosInstance>;
  private cached?: KeystoneToken;
  private pending?: Promise<KeystoneToken>;

  constructor(private readonly opts: KeystoneOptions) {
    this.authUrl = keystoneV3Url(opts.config.authUrl);
    this.http = lazyAxios({
      timeout: opts.config.timeoutMs ?? 30_000,
      validateStatus: () => true,
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    });
  }

  /** The secrets of the configuration and the current token, for scrubbing messages. */
  secrets(): string[] {
    const auth = this.opts.config.auth;
    const s = auth.type === 'password' ? [auth.password] : [auth.secret];
    if (this.cached) s.push(this.cached.value);
    return s;
  }

  /** A token valid for at least the renewal margin; concurrent callers share one authentication. */
  async token(): Promise<KeystoneToken> {
    const margin = this.opts.config.tokenRenewalMarginMs ?? 120_000;
    if (this.cached && this.opts.now() < this.cached.expiresAt - margin) return this.cached;
    this.pending ??= this.authenticate().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets `used` after a 401, unless a newer token already replaced it. */
  invalidate(used: KeystoneToken): void {
    if (this.cached === used) this.cached = undefined;
  }

  async endpoint(serviceType: string): Promise<{ url: string; token: KeystoneToken }> {
    const token = await this.token();
    const { interface: iface = 'public', region } = this.opts.config;
    return { url: selectEndpoint(token.catalog, serviceType, iface, region), token };
  }

  private body(): unknown {
    const auth = this.opts.config.auth;
    if (auth.type === 'application_credential') {
      return { auth: { identity: { methods: ['application_credential'], application_credential: { id: auth.id, secret: auth.secret } } } };
    }
    return {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: auth.username, domain: { name: auth.userDomain }, password: auth.password } },
        },
        scope: { project: { name: auth.projectName, domain: { name: auth.projectDomain } } },
      },
    };
  }

  private async authenticate(): Promise<KeystoneToken> {
    const ctx = { service: 'identity' };
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      let res;
      try {
        res = await (await this.http()).post(`${this.authUrl}/auth/tokens`, this.body());
      } catch (e) {
        const code = (e as { code?: string }).code;
        this.opts.logger.warn('openstack request failed', { cloud_service: 'identity', method: 'POST', path: '/auth/tokens', code });
        if (await this.opts.retry(attempt)) continue;
        throw unreachableError(ctx, code);
      }
      const requestId = res.headers['x-openstack-request-id'] as string | undefined;
      this.opts.logger.debug('openstack request', {
        cloud_service: 'identity',
        method: 'POST',
        path: '/auth/tokens',
        status: res.status,
        requestId,
        durationMs: Date.now() - started,
      });
      if (res.status >= 500 && (await this.opts.retry(attempt))) continue;
      if (res.status >= 400) {
        const err = toDomainError(res.status, res.data, { ...ctx, requestId }, this.secrets());
        // Bad credentials or an unknown project are the platform's configuration, not the caller's request.
        if (res.status === 401 || res.status === 403 || res.status === 404) {
          throw new OpenStackUnavailableError({ ...err.details, reason: 'authentication_failed' });
        }
        throw err;
      }
      const value = res.headers['x-subject-token'] as string | undefined;
      const t = (res.data as TokenBody).token;
      const expiresAt = parseExpiry(t?.expires_at);
      if (!value || !t || Number.isNaN(expiresAt) || !t.project?.id || !Array.isArray(t.catalog)) {
        // A domain-scoped or unscoped token has no project and no useful catalog.
        throw new OpenStackUnavailableError({ service: 'identity', reason: 'invalid_token_response', requestId });
      }
      this.cached = { value, expiresAt, projectId: t.project.id, catalog: t.catalog };
      return this.cached;
    }
  }
}
