/**
 * A local OpenStack cloud speaking the real REST protocols (Keystone v3, Nova v2.1, Neutron v2.0, Cinder v3,
 * Glance v2, Octavia v2) on one HTTP server, services under path prefixes discovered from the Keystone catalog.
 * State changes (BUILD → ACTIVE, creating → available, PENDING_* → ACTIVE) happen `transitionMs` after the
 * request; latency and faults are injectable; ids and fault draws are reproducible under `seed`.
 *
 * Faults (`faults` option, `setFaults()`/`clearFaults()` on the handle, or over HTTP): `errorRate` and
 * `buildErrorRate` draw at random; `rules` fail chosen calls, in each service's own fault body —
 *   { method?: 'POST', path: '^/servers$' (regex on the path below the version root, Cinder's project
 *     dropped: /servers/ID/action, /volumes, /networks, /lbaas/loadbalancers; or on the full /v2.1/… path),
 *     service?: 'compute'|'network'|'volumev3'|'image'|'load-balancer'|'identity'|'placement',
 *     status: 409, message?: '…', times?: 1, skip?: 0 }
 * consulted in order and dropped once used up; `buildErrorFor: {kind: 'server'|'volume'|'snapshot'|
 * 'loadbalancer', times?: 1}` (or a list) makes the next builds of that kind end in ERROR (server with a Nova
 * `fault` {code: 500, message}, volume/snapshot `error`, load balancer provisioning_status ERROR).
 * The same over HTTP, for a stack run as a child process (`npm run dev`), outside the service prefixes:
 *   GET    /_sim/faults   → 200 {"faults": {…what is left…}}
 *   PUT    /_sim/faults   body: a faults object, replacing the one in force → 200 {"faults": …} | 400 {"error"}
 *   DELETE /_sim/faults   → 204, no faults
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCinder } from './cinder.js';
import { createGlance, glanceFault } from './glance.js';
import { OsHttpError, reply, Router, type OsRequest, type OsResponse } from './http.js';
import { authenticate, createKeystone, keystoneFault } from './keystone.js';
import { wrappedFault, type Microversion } from './microversion.js';
import type { State } from './model.js';
import { createNeutron } from './neutron.js';
import { neutronError } from './neutron-core.js';
import { createNova, novaMicroversion } from './nova.js';
import { cinderMicroversion } from './cinder.js';
import { createOctavia, octaviaFault } from './octavia.js';
import { seed, seededCredentials, type SeededCredentials } from './seed.js';
import { normalizeFaults, Sim, type FaultService, type Faults } from './sim.js';

export type { BuildErrorFor, BuildKind, FaultRule, FaultService, Faults } from './sim.js';
export type { State } from './model.js';
export type { SeededCredentials } from './seed.js';

export interface OpenStackSimulatorOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Added to every request. */
  latencyMs?: number;
  /** BUILD → ACTIVE, creating → available, PENDING_* → ACTIVE… Default 300; 0 settles on the next request. */
  transitionMs?: number;
  faults?: Faults;
  /** Makes ids and fault draws reproducible. Default 1. */
  seed?: number;
  /** Keystone token lifetime. Default 3600. */
  tokenTtlSeconds?: number;
  /** Persist state to `<dataDir>/openstack.json` after every mutating call; reload it at start. */
  dataDir?: string;
}

export interface RunningOpenStackSimulator {
  /** Keystone v3 base, e.g. http://127.0.0.1:PORT/identity/v3 */
  url: string;
  /** http://host:port */
  origin: string;
  port: number;
  /** The seeded admin user, projects and application credential. */
  credentials: SeededCredentials;
  /** Live state, with due transitions applied (for test assertions; mutate with care). */
  readonly state: State;
  /** Merges `f` into the current faults (each given key replaces the one in force). */
  setFaults(f: Faults): void;
  /** The faults in force, with the rules and forced build errors that are left. */
  readonly faults: Faults;
  /** Removes every fault. */
  clearFaults(): void;
  stop(): Promise<void>;
}

interface Service {
  prefix: string;
  /** Catalog type, for fault rules. */
  type: FaultService;
  router: Router;
  /** The fault in the service's shape; for 5xx the message is replaced by the service's own text unless `verbatim`. */
  fault(status: number, message: string, req?: OsRequest, verbatim?: boolean): OsHttpError;
  /** Version documents answer without a token, as the real services do. */
  isPublic(path: string): boolean;
  microversion?(req: OsRequest): Microversion;
  normalize?(path: string): string;
  /** Nova and Cinder log the request id under their own header too. */
  extraIdHeader?: string;
}

const INTERNAL: Record<string, string> = {
  nova: "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.\n<class 'oslo_db.exception.DBConnectionError'>",
  cinder: 'The server has either erred or is incapable of performing the requested operation.',
  neutron: 'Request Failed: internal server error while processing your request.',
};

const NEUTRON_TYPES: Record<number, string> = {
  400: 'HTTPBadRequest',
  401: 'HTTPUnauthorized',
  403: 'HTTPForbidden',
  404: 'HTTPNotFound',
  405: 'HTTPMethodNotAllowed',
  409: 'HTTPConflict',
  413: 'HTTPRequestEntityTooLarge',
  429: 'HTTPTooManyRequests',
  500: 'HTTPInternalServerError',
  502: 'HTTPBadGateway',
  503: 'HTTPServiceUnavailable',
  504: 'HTTPGatewayTimeout',
};

/** The admin endpoint of the simulator itself, outside every service prefix. */
const ADMIN_FAULTS = '/_sim/faults';

/** The path a fault rule sees: below the version root (and Cinder's project segment), `/` at the root. */
function resourcePath(type: FaultService, path: string): string {
  const re = type === 'volumev3' ? /^\/v3\/[^/]+(?=\/|$)/ : /^\/v\d+(\.\d+)?(?=\/|$)/;
  if (type === 'volumev3' && path === '/v3') return '/';
  return path.replace(re, '') || '/';
}

/** A fault's default message when the rule gives none. */
const INJECTED = (status: number) => `Injected fault (HTTP ${status})`;

export async function startOpenStackSimulator(opts: OpenStackSimulatorOptions): Promise<RunningOpenStackSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const sim = new Sim({
    seed: opts.seed ?? 1,
    transitionMs: opts.transitionMs ?? 300,
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 3600,
    faults: opts.faults ?? {},
    dataDir: opts.dataDir,
  });
  const loaded = sim.load();
  if (!loaded) seed(sim);

  const root =
    (...paths: string[]) =>
    (p: string) =>
      paths.includes(p.replace(/\/$/, '') || '/');
  const services: Service[] = [
    { prefix: '/identity', type: 'identity', router: createKeystone(sim), fault: (s, m) => keystoneFault(s, m), isPublic: () => true },
    {
      prefix: '/compute',
      type: 'compute',
      router: createNova(sim),
      fault: (s, m, _req, verbatim) => wrappedFault(s, s >= 500 && !verbatim ? INTERNAL.nova! : m),
      isPublic: root('/', '/v2.1'),
      microversion: novaMicroversion,
      extraIdHeader: 'x-compute-request-id',
    },
    {
      prefix: '/networking',
      type: 'network',
      router: createNeutron(sim),
      fault: (s, m, _req, verbatim) => neutronError(s, NEUTRON_TYPES[s] ?? 'HTTPError', s >= 500 && !verbatim ? INTERNAL.neutron! : m),
      isPublic: root('/'),
      normalize: (p) => p.replace(/\.json$/, ''),
    },
    {
      prefix: '/volume',
      type: 'volumev3',
      router: createCinder(sim),
      fault: (s, m, _req, verbatim) => wrappedFault(s, s >= 500 && !verbatim ? INTERNAL.cinder! : m),
      isPublic: root('/', '/v3'),
      microversion: cinderMicroversion,
      extraIdHeader: 'x-compute-request-id',
    },
    {
      prefix: '/image',
      type: 'image',
      router: createGlance(sim),
      fault: (s, m, req) => glanceFault(req, s, m),
      isPublic: root('/', '/versions'),
    },
    {
      prefix: '/load-balancer',
      type: 'load-balancer',
      router: createOctavia(sim),
      fault: octaviaFault,
      isPublic: root('/', '/v2', '/v2.0'),
      normalize: (p) => p.replace(/^\/v2\.0(\/|$)/, '/v2$1'),
    },
    {
      prefix: '/placement',
      type: 'placement',
      router: placementRouter(),
      fault: (s, m) =>
        new OsHttpError({
          status: s,
          body: { errors: [{ status: s, title: s === 404 ? 'Not Found' : 'Error', detail: m, request_id: `req-${randomUUID()}` }] },
        }),
      isPublic: root('/'),
    },
  ];

  let origin = '';
  /** `GET` the faults in force, `PUT` a faults object (replacing them), `DELETE` them. */
  const admin = (method: string, raw: Buffer): OsResponse => {
    const error = (status: number, message: string) => reply(status, { error: { code: status, message } });
    if (method === 'GET') return reply(200, { faults: sim.faults });
    if (method === 'DELETE') {
      sim.faults = {};
      return reply(204);
    }
    if (method !== 'PUT')
      return { ...error(405, `${method} is not allowed on ${ADMIN_FAULTS}: GET, PUT or DELETE`), headers: { Allow: 'GET, PUT, DELETE' } };
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      return error(400, 'the body must be a JSON faults object');
    }
    try {
      sim.faults = normalizeFaults(body);
    } catch (e) {
      return error(400, (e as Error).message);
    }
    return reply(200, { faults: sim.faults });
  };

  const handle = async (req: http.IncomingMessage, raw: Buffer): Promise<{ res: OsResponse; service?: Service }> => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === ADMIN_FAULTS) return { res: admin(req.method ?? 'GET', raw) };
    const service = services.find((s) => url.pathname === s.prefix || url.pathname.startsWith(`${s.prefix}/`));
    if (!service)
      return { res: reply(404, { error: { code: 404, title: 'Not Found', message: `No OpenStack service under ${url.pathname}` } }) };
    const method = req.method ?? 'GET';
    let path = url.pathname.slice(service.prefix.length) || '/';
    if (service.normalize) path = service.normalize(path);
    const osReq: OsRequest = {
      method,
      path,
      query: url.searchParams,
      headers: req.headers,
      body: undefined,
      rawBody: raw,
      serviceUrl: origin + service.prefix,
      origin,
    };
    let mv: Microversion | undefined;
    try {
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      sim.settle();
      const isJson = !req.headers['content-type'] || String(req.headers['content-type']).includes('json');
      if (raw.length && isJson) {
        try {
          osReq.body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw service.fault(400, 'Malformed request body', osReq);
        }
      }
      if (service.prefix !== '/identity' && !service.isPublic(path)) osReq.token = authenticate(sim, osReq);
      mv = service.microversion?.(osReq);
      const rule = sim.takeRule({ service: service.type, method, path: resourcePath(service.type, path), fullPath: path });
      if (rule) throw service.fault(rule.status, rule.message ?? INJECTED(rule.status), osReq, rule.message !== undefined);
      const mutating = method !== 'GET' && method !== 'HEAD';
      if (mutating && service.prefix !== '/identity' && sim.drawApiError()) throw service.fault(500, 'Injected fault', osReq);
      const match = service.router.match(method, path);
      if (!match) throw service.fault(404, 'The resource could not be found.', osReq);
      if ('methodNotAllowed' in match) throw service.fault(405, 'The method specified is not allowed for this resource.', osReq);
      const res = await match.handler(osReq, match.params);
      if (mutating) sim.save();
      return { res: { ...res, headers: { ...(mv?.headers ?? {}), ...(res.headers ?? {}) } }, service };
    } catch (err) {
      const e = err instanceof OsHttpError ? err : service.fault(500, (err as Error).message, osReq);
      return { res: { ...e.response, headers: { ...(mv?.headers ?? {}), ...(e.response.headers ?? {}) } }, service };
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, Buffer.concat(chunks)).then(({ res: r, service }) => {
        const requestId = `req-${randomUUID()}`;
        const headers: Record<string, string | number> = { 'x-openstack-request-id': requestId, ...(r.headers ?? {}) };
        if (service?.extraIdHeader) headers[service.extraIdHeader] = requestId;
        let payload = '';
        if (r.text !== undefined) {
          payload = r.text;
          headers['content-type'] = r.contentType ?? 'text/plain; charset=UTF-8';
        } else if (r.body !== undefined && r.status !== 204) {
          payload = JSON.stringify(r.body);
          headers['content-type'] = 'application/json';
        }
        headers['content-length'] = Buffer.byteLength(payload);
        if (res.destroyed) return;
        res.writeHead(r.status, headers);
        res.end(req.method === 'HEAD' ? undefined : payload);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const url = `${origin}/identity/v3`;
  return {
    url,
    origin,
    port,
    credentials: seededCredentials(sim, url),
    get state() {
      sim.settle();
      return sim.state;
    },
    setFaults(f) {
      sim.faults = normalizeFaults({ ...sim.faults, ...f });
    },
    get faults() {
      return sim.faults;
    },
    clearFaults() {
      sim.faults = {};
    },
    async stop() {
      sim.save();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function placementRouter(): Router {
  return new Router().on('GET', '/', (req) =>
    reply(200, {
      versions: [
        { id: 'v1.0', max_version: '1.39', min_version: '1.0', status: 'CURRENT', links: [{ rel: 'self', href: `${req.serviceUrl}/` }] },
      ],
    }),
  );
}
