/** The small HTTP vocabulary shared by the services: requests, answers, faults and a path router. */
import type { Token } from './model.js';

export interface OsRequest {
  method: string;
  /** Path below the service prefix, without the query string (e.g. `/v2.1/servers/abc`). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; `undefined` when empty. */
  body: unknown;
  rawBody: Buffer;
  /** The validated token (services) — undefined on Keystone's own unauthenticated routes. */
  token?: Token;
  /** Root of this service as advertised in the catalog, e.g. `http://127.0.0.1:5000/compute`. */
  serviceUrl: string;
  /** Scheme + authority, e.g. `http://127.0.0.1:5000`. */
  origin: string;
}

export interface OsResponse {
  status: number;
  body?: unknown;
  /** A text body instead of JSON (Glance's HTML faults). */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A fault already in its service's wire shape; thrown by handlers, rendered by the dispatcher. */
export class OsHttpError extends Error {
  constructor(
    readonly response: OsResponse,
    message = `HTTP ${response.status}`,
  ) {
    super(message);
    this.name = 'OsHttpError';
  }
}

export const reply = (status: number, body?: unknown, headers?: Record<string, string>): OsResponse => ({ status, body, headers });

export type Params = Record<string, string>;
export type Handler = (req: OsRequest, params: Params) => OsResponse | Promise<OsResponse>;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export type RouteMatch = { handler: Handler; params: Params } | { methodNotAllowed: true } | undefined;

/** Matches `/v2.1/servers/:id/action`-style patterns; the first registered match wins. */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const segs = path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const r of this.routes) {
      if (r.parts.length !== segs.length) continue;
      const params: Params = {};
      let ok = true;
      for (let i = 0; i < segs.length && ok; i++) {
        const p = r.parts[i]!;
        const s = decodeURIComponent(segs[i]!);
        if (p.startsWith(':')) params[p.slice(1)] = s;
        else ok = p === s;
      }
      if (!ok) continue;
      pathMatched = true;
      if (r.method === method) return { handler: r.handler, params };
    }
    return pathMatched ? { methodNotAllowed: true } : undefined;
  }
}

export function header(req: OsRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}
