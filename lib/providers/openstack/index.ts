/**
 * Typed OpenStack client: Keystone v3 authentication and catalog, Nova, Neutron, Cinder v3, Glance v2,
 * Octavia v2. It knows nothing of the product's domain; failures come out as domain errors (errors.ts).
 */
import { logger as coreLogger } from '../../core/logger.js';
import { Cinder } from './cinder.js';
import { DEFAULT_MICROVERSIONS, type OpenStackConfig } from './config.js';
import { Glance } from './glance.js';
import { backoff, ServiceHttp, versionedRoot, type OpenStackLogger } from './http.js';
import { Keystone, type KeystoneToken } from './keystone.js';
import { Neutron } from './neutron.js';
import { Nova } from './nova.js';
import { Octavia } from './octavia.js';

export * from './config.js';
export * from './errors.js';
export { path, versionedRoot, type OpenStackLogger, type Query, type ServiceResponse } from './http.js';
export { keystoneV3Url, selectEndpoint, SERVICE_TYPE_ALIASES, type CatalogEndpoint, type CatalogService } from './keystone.js';
export { collect, type ListOptions, type Page, type PageQuery } from './pagination.js';
export type * from './nova.js';
export type * from './neutron.js';
export type * from './cinder.js';
export type * from './glance.js';
export type * from './octavia.js';
export { Nova, Neutron, Cinder, Glance, Octavia };

export interface OpenStackClient {
  nova: Nova;
  neutron: Neutron;
  cinder: Cinder;
  glance: Glance;
  octavia: Octavia;
  /** Authenticates now (or returns the cached token's facts): a readiness check. */
  session(): Promise<{ projectId: string; expiresAt: Date }>;
  /** The endpoint the client uses for a catalog service type (`compute`, `volumev3`…). */
  endpoint(serviceType: string): Promise<string>;
}

export interface OpenStackDeps {
  /** Default: the Powertools logger of lib/core. */
  logger?: OpenStackLogger;
  /** Clock of the token cache (ms since the epoch). */
  now?: () => number;
}

/** Cinder's v3 catalog URL carries the project (`…/v3/<project_id>`); newer catalogs may not. */
function volumeRoot(url: string, token: KeystoneToken): string {
  const trimmed = url.replace(/\/+$/, '');
  if (trimmed.endsWith(`/${token.projectId}`)) return trimmed;
  return `${versionedRoot(trimmed, 'v3')}/${token.projectId}`;
}

/**
 * A client whose first call authenticates; the token is shared by all services and renewed before it expires.
 *
 * @example
 * const os = createOpenStackClient(openStackConfigFromEnv());
 * const { id } = await os.nova.createServer({ name: 'web-1', flavorRef, imageRef, networks: [{ uuid: netId }] });
 */
export function createOpenStackClient(config: OpenStackConfig, deps: OpenStackDeps = {}): OpenStackClient {
  const logger = deps.logger ?? coreLogger;
  const now = deps.now ?? Date.now;
  const retry = backoff(config.retry?.retries ?? 2, config.retry?.baseDelayMs ?? 200);
  const timeoutMs = config.timeoutMs ?? 30_000;
  const keystone = new Keystone({ config, logger, now, retry });
  const compute = config.microversions?.compute ?? DEFAULT_MICROVERSIONS.compute;
  const volume = config.microversions?.volume ?? DEFAULT_MICROVERSIONS.volume;

  const service = (serviceType: string, baseUrl: (url: string, token: KeystoneToken) => string, headers?: Record<string, string>) =>
    new ServiceHttp({ keystone, serviceType, logger, timeoutMs, retry, baseUrl, ...(headers && { headers }) });

  return {
    // Nova's catalog URL is versioned (`…/v2.1`, sometimes with the legacy project suffix): used as it is.
    nova: new Nova(
      service('compute', (url) => url.replace(/\/+$/, ''), {
        'OpenStack-API-Version': `compute ${compute}`,
        'X-OpenStack-Nova-API-Version': compute,
      }),
    ),
    neutron: new Neutron(service('network', (url) => versionedRoot(url, 'v2.0'))),
    cinder: new Cinder(service('block-storage', volumeRoot, { 'OpenStack-API-Version': `volume ${volume}` })),
    glance: new Glance(service('image', (url) => versionedRoot(url, 'v2'))),
    octavia: new Octavia(service('load-balancer', (url) => versionedRoot(url, 'v2', ['v2', 'v2.0']))),
    async session() {
      const token = await keystone.token();
      return { projectId: token.projectId, expiresAt: new Date(token.expiresAt) };
    },
    async endpoint(serviceType) {
      return (await keystone.endpoint(serviceType)).url;
    },
  };
}
