/**
 * A tiny scripted OpenStack for the client's unit tests: Keystone issues tokens with a catalog pointing
 * back at this server (one path prefix per service, interface and region); every other route is whatever
 * the test scripts with `on()`. Every request is recorded.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect } from 'vitest';
import { ApiError } from '../../lib/core/errors.js';
import {
  createOpenStackClient,
  type CatalogService,
  type OpenStackClient,
  type OpenStackConfig,
  type OpenStackLogger,
} from '../../lib/providers/openstack/index.js';

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** `'hang'`: never answer (timeouts). */
export type Handler = (req: Recorded) => Reply | 'hang';

export const PROJECT_ID = 'b2f5e0c4a1d94a6f8e3c7d9a0b1c2d3e';

export class FakeOpenStack {
  url = '';
  requests: Recorded[] = [];
  issued: string[] = [];
  /** Seconds of validity of the next tokens. */
  tokenTtlSeconds = 3600;
  /** Clock of `expires_at`; tests move it with the client's. */
  now = () => Date.now();
  /** The catalog of the next tokens; default: `defaultCatalog(url)`. */
  catalog?: CatalogService[];
  private readonly routes = new Map<string, Handler>();
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://fake');
        const raw = Buffer.concat(chunks).toString('utf8');
        const rec: Recorded = {
          method: req.method ?? 'GET',
          path: u.pathname,
          query: u.searchParams,
          headers: req.headers,
          body: raw === '' ? undefined : (JSON.parse(raw) as unknown),
        };
        this.requests.push(rec);
        const handler =
          this.routes.get(`${rec.method} ${rec.path}`) ?? (rec.path.endsWith('/v3/auth/tokens') ? this.issueToken : undefined);
        const reply = handler ? handler(rec) : { status: 404, body: { itemNotFound: { code: 404, message: `no route ${rec.path}` } } };
        if (reply === 'hang') return;
        const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        res.writeHead(reply.status, {
          'x-openstack-request-id': `req-${this.requests.length}`,
          ...(typeof reply.body === 'object' && { 'content-type': 'application/json' }),
          ...reply.headers,
        });
        res.end(body);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  on(method: string, p: string, handler: Handler | Reply): this {
    this.routes.set(`${method} ${p}`, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  /** Requests to a path (any method unless given), Keystone's excluded unless asked. */
  calls(p: string | RegExp, method?: string): Recorded[] {
    return this.requests.filter((r) => (typeof p === 'string' ? r.path === p : p.test(r.path)) && (!method || r.method === method));
  }

  get authCount(): number {
    return this.calls(/\/v3\/auth\/tokens$/).length;
  }

  /** Keystone's answer to `POST /v3/auth/tokens`: a new token with the catalog. */
  readonly issueToken: Handler = () => {
    const token = `gAAAAAtoken-${this.issued.length + 1}`;
    this.issued.push(token);
    return {
      status: 201,
      headers: { 'x-subject-token': token },
      body: {
        token: {
          // Keystone writes microseconds.
          expires_at: new Date(this.now() + this.tokenTtlSeconds * 1000).toISOString().replace('Z', '000Z'),
          project: { id: PROJECT_ID, name: 'admin', domain: { id: 'default', name: 'Default' } },
          catalog: this.catalog ?? defaultCatalog(this.url),
        },
      },
    };
  };
}

/** One service per type; endpoints for public/internal and RegionOne/RegionTwo, each under its own prefix. */
export function defaultCatalog(base: string): CatalogService[] {
  const endpoints = (prefix: string, suffix = '') =>
    ['RegionOne', 'RegionTwo'].flatMap((region) =>
      (['public', 'internal', 'admin'] as const).map((iface) => ({
        interface: iface,
        region_id: region,
        region,
        url: `${base}/${prefix}/${region}/${iface}${suffix}`,
      })),
    );
  return [
    { type: 'identity', endpoints: endpoints('identity', '/v3') },
    { type: 'compute', endpoints: endpoints('compute', '/v2.1') },
    { type: 'network', endpoints: endpoints('network') },
    { type: 'volumev3', endpoints: endpoints('volume', `/v3/${PROJECT_ID}`) },
    { type: 'image', endpoints: endpoints('image') },
    { type: 'load-balancer', endpoints: endpoints('load-balancer') },
  ];
}

/** The service root the client should use, RegionOne public unless told. */
export function root(service: string, region = 'RegionOne', iface = 'public'): string {
  const versions: Record<string, string> = {
    compute: '/v2.1',
    network: '/v2.0',
    volume: `/v3/${PROJECT_ID}`,
    image: '/v2',
    'load-balancer': '/v2',
  };
  return `/${service}/${region}/${iface}${versions[service] ?? ''}`;
}

export const PASSWORD = 'S3cr3t-Passw0rd!';
export const APP_SECRET = 'app-cred-secret-value';

export interface LogLine {
  level: string;
  message: string;
  extra: Record<string, unknown>;
}

export interface FakeOpenStackBed {
  /** A fresh cloud per test. */
  cloud: FakeOpenStack;
  /** What the client logged in this test. */
  logs: LogLine[];
  /** A client of `cloud` (admin with PASSWORD, RegionOne, 1 ms backoff), logging into `logs`. */
  client(over?: Partial<OpenStackConfig>, now?: () => number): OpenStackClient;
}

/** Starts a fake cloud before each test of the file and stops it after. */
export function useFakeOpenStack(): FakeOpenStackBed {
  const logger: OpenStackLogger = {
    debug: (message, extra) => bed.logs.push({ level: 'debug', message, extra }),
    info: (message, extra) => bed.logs.push({ level: 'info', message, extra }),
    warn: (message, extra) => bed.logs.push({ level: 'warn', message, extra }),
  };
  const bed: FakeOpenStackBed = {
    cloud: new FakeOpenStack(),
    logs: [],
    client(over = {}, now) {
      const config: OpenStackConfig = {
        authUrl: `${bed.cloud.url}/identity/v3`,
        auth: {
          type: 'password',
          username: 'admin',
          password: PASSWORD,
          userDomain: 'Default',
          projectName: 'admin',
          projectDomain: 'Default',
        },
        region: 'RegionOne',
        retry: { retries: 2, baseDelayMs: 1 },
        ...over,
      };
      return createOpenStackClient(config, { logger, ...(now && { now }) });
    },
  };
  beforeEach(async () => {
    bed.logs = [];
    bed.cloud = await new FakeOpenStack().start();
  });
  afterEach(() => bed.cloud.stop());
  return bed;
}

/** The ApiError `p` rejects with. */
export async function failure(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}
