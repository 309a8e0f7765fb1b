import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ApiError, BadRequestError, ForbiddenError, InternalError, UnauthorizedError } from '../core/errors.js';
import { errorEnvelope } from './middleware/error-envelope.js';
import { jsonBody } from './middleware/json-body.js';
import { jsonResponse } from './middleware/json-response.js';
import { requestContext, requestInternals, type HttpInternal } from './middleware/request-context.js';
import { securityHeaders } from './middleware/security-headers.js';
import { parseQuery } from './query.js';
import { allowedMethods, compilePath, matchPath, type CompiledPath } from './route-match.js';
import type { Actor, AuthorizeRequest, HttpEvent, HttpResponse, HttpResult, RequestContext, Route, RouteSpec } from './types.js';
import { validate } from './validate.js';
import type * as z from './zod.js';

type Infer<S> = S extends z.Schema ? z.output<S> : undefined;
type SpecWith<BS, QS, PS> = Omit<RouteSpec, 'body' | 'query' | 'params'> & { body?: BS; query?: QS; params?: PS };

/**
 * Declares a route's contract (path, permission, zod schemas) on its own, keeping its schemas' types for
 * `route(spec).handler(…)`. The specs of `functions/http/specs/` live apart from their handlers so that the
 * OpenAPI document and the 404/405 fallback list every route without bundling every handler's dependencies.
 */
export function routeSpec<
  BS extends z.Schema | undefined = undefined,
  QS extends z.Schema | undefined = undefined,
  PS extends z.Schema | undefined = undefined,
>(spec: SpecWith<BS, QS, PS>): SpecWith<BS, QS, PS> {
  return spec;
}

/**
 * Declares a route: its spec (path, permission, zod schemas — the same ones the OpenAPI document is built
 * from) and its handler.
 *
 * @example
 * export const getTask = route({ method: 'GET', path: '/api/v1/tasks/{id}', summary: 'Read a task', tags: ['tasks'],
 *   permission: 'task:r', scoped: true, params: z.object({ id: z.string() }), responses: { 200: { description: 'The task' } } })
 *   .handler(async (ctx) => ok(await readTask(ctx.params.id, ctx)));
 */
export function route<
  BS extends z.Schema | undefined = undefined,
  QS extends z.Schema | undefined = undefined,
  PS extends z.Schema | undefined = undefined,
>(spec: SpecWith<BS, QS, PS>) {
  return {
    handler(fn: (ctx: RequestContext<Infer<BS>, Infer<QS>, Infer<PS>>) => Promise<HttpResult>): Route<Infer<BS>, Infer<QS>, Infer<PS>> {
      return { spec: spec as RouteSpec<Infer<BS>, Infer<QS>, Infer<PS>>, run: fn };
    },
    /**
     * A read that depends only on the validated query and path, started as soon as the caller's token is
     * verified — in parallel with the session read and the ACL — and handed to the handler as
     * `ctx.prefetched`. The handler awaits it only after its own authorization: an unauthorized caller
     * never sees its result, and a caller without a validly signed token never starts it.
     */
    prefetch<T>(read: (req: { query: Infer<QS>; params: Infer<PS> }) => Promise<T>) {
      return {
        handler(
          fn: (ctx: RequestContext<Infer<BS>, Infer<QS>, Infer<PS>> & { prefetched: Promise<T> }) => Promise<HttpResult>,
        ): Route<Infer<BS>, Infer<QS>, Infer<PS>> {
          return {
            spec: spec as RouteSpec<Infer<BS>, Infer<QS>, Infer<PS>>,
            prefetch: read as Route['prefetch'],
            run: fn as Route<Infer<BS>, Infer<QS>, Infer<PS>>['run'],
          };
        },
      };
    },
  };
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

export interface IdempotencyPort {
  begin(scope: string, key: string, fingerprint: string): Promise<{ replay?: HttpResult }>;
  complete(scope: string, key: string, result: HttpResult): Promise<void>;
  release(scope: string, key: string): Promise<void>;
}

/** What the HTTP layer needs from the platform; built once per container by `lib/platform`. */
export interface HttpServices {
  authenticate(token: string, ctx: { sourceIp: string; requestId: string }, onVerified?: () => void): Promise<Actor>;
  authorize(actor: Actor, req: AuthorizeRequest): Promise<Decision>;
  /** Records an authorization denial in the security log. */
  onDenied(actor: Actor, req: AuthorizeRequest, reason: string, ctx: { sourceIp: string; requestId: string; route: string }): Promise<void>;
  idempotency: IdempotencyPort;
}

const PERMISSION = /^([a-z*][a-z0-9-]*):([crwdm])$/;
const LETTER_ACTION = { c: 'create', r: 'read', w: 'write', d: 'delete', m: 'move' } as const;

export function permissionRequest(permission: string): AuthorizeRequest {
  const m = PERMISSION.exec(permission);
  if (!m) throw new Error(`Invalid route permission "${permission}"`);
  return { action: LETTER_ACTION[m[2] as keyof typeof LETTER_ACTION], objectType: m[1]! };
}

interface CompiledRoute {
  route: Route<any, any, any>;
  path: CompiledPath;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

function toResponse(result: HttpResult): HttpResponse {
  if (result.raw) {
    return {
      statusCode: result.status,
      headers: { 'Content-Type': result.raw.contentType, ...(result.headers ?? {}) },
      body: result.raw.body,
    };
  }
  return jsonResponse(result.status, result.body, result.headers ?? {});
}

/**
 * One Lambda serving the routes of one resource area: the middy stack (request id, security headers/CORS,
 * error envelope, JSON body) around a dispatcher that matches the route, validates, authenticates,
 * authorizes, applies `Idempotency-Key` and calls the route's handler.
 */
export function httpFunction(
  routes: Route<any, any, any>[],
  services: () => HttpServices | Promise<HttpServices>,
  opts: { routeTable?: readonly { method: RouteSpec['method']; path: string }[] } = {},
) {
  const missTable = opts.routeTable ?? routes.map((r) => r.spec);
  const compiled: CompiledRoute[] = routes.map((r) => ({ route: r, path: compilePath(r.spec.path) }));
  for (const r of routes) if (r.spec.permission) permissionRequest(r.spec.permission);
  let servicesPromise: Promise<HttpServices> | undefined;
  const getServices = () =>
    (servicesPromise ??= Promise.resolve(services()).catch((e) => {
      servicesPromise = undefined;
      throw e;
    }));

  async function dispatch(event: HttpEvent, context: Context, internal: HttpInternal): Promise<HttpResponse> {
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
    if (method === 'OPTIONS') return { statusCode: 204, headers: corsPreflight(event) };
    let found: { route: Route<any, any, any>; params: Record<string, string> } | undefined;
    for (const c of compiled) {
      if (c.route.spec.method !== method && !(method === 'HEAD' && c.route.spec.method === 'GET')) continue;
      const params = matchPath(c.path, path);
      if (params) {
        found = { route: c.route, params };
        break;
      }
    }
    if (!found) throw routeMiss(missTable, method, path);
    const { route: r, params } = found;
    const spec = r.spec;
    const svc = await getServices();
    const headers = event.headers as Record<string, string | undefined>;
    const sourceIp = event.requestContext?.http?.sourceIp ?? 'unknown';
    const base = { sourceIp, requestId: internal.requestId };

    const pathParams = spec.params ? validate(spec.params, params, 'path') : params;
    const query = spec.query ? validate(spec.query, parseQuery(event.rawQueryString, event.queryStringParameters), 'query') : undefined;

    let actor: Actor | undefined;
    let prefetched: Promise<unknown> | undefined;
    if (spec.auth !== 'public') {
      const header = headers.authorization ?? '';
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw new UnauthorizedError('UNAUTHORIZED', 'Authentication required');
      actor = await svc.authenticate(m[1]!, base, () => {
        if (r.prefetch) {
          prefetched = r.prefetch({ query, params: pathParams });
          prefetched.catch(() => undefined); // awaited by the handler, or dropped when the request fails first
        }
      });
    }
    let authorized = !spec.permission;
    let scopedChecked = false;
    const authorize = async (req: AuthorizeRequest) => {
      if (!actor) throw new UnauthorizedError();
      const decision = await svc.authorize(actor, req);
      scopedChecked = true;
      if (!decision.allowed) {
        await svc.onDenied(actor, req, decision.reason, { ...base, route: `${spec.method} ${spec.path}` });
        throw new ForbiddenError();
      }
    };
    if (spec.permission && !spec.scoped) {
      await authorize(permissionRequest(spec.permission));
      authorized = true;
    }

    const internalBody = (internal as Record<string, unknown>).body;
    // Routes without a body schema accept nothing but an empty object (what many clients send on logout).
    const emptyObject =
      internalBody !== null && typeof internalBody === 'object' && !Array.isArray(internalBody) && Object.keys(internalBody).length === 0;
    if (internalBody !== undefined && !spec.body && !emptyObject) {
      throw new BadRequestError('UNEXPECTED_BODY', 'This endpoint takes no request body');
    }
    const body = spec.body ? validate(spec.body, internalBody ?? {}, 'body') : undefined;

    const rawKey = headers['idempotency-key'];
    let idem: { scope: string; key: string } | undefined;
    if (rawKey !== undefined) {
      if (!spec.idempotent) throw new BadRequestError('IDEMPOTENCY_NOT_SUPPORTED', 'This endpoint does not take an Idempotency-Key');
      if (!IDEMPOTENCY_KEY.test(rawKey)) {
        throw new BadRequestError('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1-128 characters of [A-Za-z0-9._:-]', {
          header: 'Idempotency-Key',
        });
      }
      idem = { scope: `${actor?.dn ?? sourceIp}|${spec.method} ${spec.path}`, key: rawKey };
      const fingerprint = JSON.stringify([path, internalBody ?? null]);
      const { replay } = await svc.idempotency.begin(idem.scope, idem.key, fingerprint);
      if (replay) return toResponse({ ...replay, headers: { ...(replay.headers ?? {}), 'Idempotency-Replayed': 'true' } });
    }

    const ctx: RequestContext = {
      body,
      query,
      params: pathParams,
      actor,
      requestId: internal.requestId,
      locale: internal.locale,
      sourceIp,
      userAgent: headers['user-agent'],
      idempotencyKey: idem?.key,
      headers,
      event,
      lambdaContext: context,
      authorize,
      ...(r.prefetch && { prefetched: prefetched ?? r.prefetch({ query, params: pathParams }) }),
    };
    let result: HttpResult;
    try {
      result = await r.run(ctx);
    } catch (e) {
      if (idem) await svc.idempotency.release(idem.scope, idem.key).catch(() => undefined);
      throw e;
    }
    if (!authorized && !scopedChecked) {
      // A scoped route that forgot its object check must fail loudly rather than leak.
      if (idem) await svc.idempotency.release(idem.scope, idem.key).catch(() => undefined);
      throw new InternalError(`Route ${spec.method} ${spec.path} did not authorize its object`);
    }
    if (idem) await svc.idempotency.complete(idem.scope, idem.key, result);
    const response = toResponse(result);
    if (method === 'HEAD') response.body = '';
    return response;
  }

  function corsPreflight(event: HttpEvent): Record<string, string> {
    const origin = event.headers?.origin;
    return origin
      ? {
          'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key, Accept-Language, X-Request-Id',
          'Access-Control-Max-Age': '600',
        }
      : {};
  }

  const lazyOptions = { maxBodyBytes: Number(process.env.MAX_BODY_BYTES ?? 1_048_576), corsOrigins: process.env.CORS_ORIGINS ?? '*' };
  return middy<HttpEvent, HttpResponse>()
    .use(requestContext())
    .use(securityHeaders({ origins: lazyOptions.corsOrigins }))
    .use(errorEnvelope())
    .use(jsonBody({ maxBytes: lazyOptions.maxBodyBytes }))
    .handler(async (event, context) => {
      const internal = requestInternals.get(event);
      if (!internal) throw new InternalError('request context missing');
      return dispatch(event, context, internal);
    });
}

/** 404 or 405 (with Allow) for a request no route of this table serves. */
export function routeMiss(table: readonly { method: RouteSpec['method']; path: string }[], method: string, path: string): ApiError {
  const allow = allowedMethods(table, path);
  if (allow.length > 0) {
    return new ApiError('METHOD_NOT_ALLOWED', 405, `Method ${method} is not allowed on ${path}`, {
      details: { method, path, allowed: allow },
      messageParams: { method, path },
      headers: { Allow: [...allow, 'OPTIONS'].join(', ') },
    });
  }
  return new ApiError('ROUTE_NOT_FOUND', 404, `No route matches ${method} ${path}`, {
    details: { method, path },
    messageParams: { method, path: path.slice(0, 200) },
  });
}
