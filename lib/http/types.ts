import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Locale } from './i18n.js';
import type * as z from './zod.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

/** The authenticated caller, as every handler sees it. */
export interface Actor {
  dn: string;
  uid: string;
  cn?: string;
  mail?: string;
  groups: string[];
  /** session id (login family) or api key id */
  sid: string;
  jti: string;
  kind: 'user' | 'api-key';
  /** For API keys: the permissions the key is restricted to (subset of its owner's). */
  scopes?: string[];
  exp: number;
}

export interface AuthorizeRequest {
  action: 'create' | 'read' | 'write' | 'delete' | 'move';
  objectType: string;
  objectDn?: string;
  ownerDn?: string;
}

export interface RequestContext<B = unknown, Q = unknown, P = unknown> {
  body: B;
  query: Q;
  params: P;
  actor: Actor | undefined;
  requestId: string;
  locale: Locale;
  sourceIp: string;
  userAgent?: string;
  idempotencyKey?: string;
  headers: Record<string, string | undefined>;
  event: HttpEvent;
  lambdaContext: Context;
  /** Object-level check for routes declared with a scoped permission; throws ForbiddenError. */
  authorize(req: AuthorizeRequest): Promise<void>;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Pre-rendered body (HTML, CSV) with its content type. */
  raw?: { contentType: string; body: string };
}

export interface ResponseDoc {
  description: string;
  schema?: z.Schema;
}

export interface RouteSpec<B = unknown, Q = unknown, P = unknown> {
  method: HttpMethod;
  path: string;
  summary: string;
  tags: string[];
  /** 'public' routes need no token. Default: bearer. */
  auth?: 'public' | 'bearer';
  /**
   * The permission the route needs, `objectType:letter` (c r w d m). With `scoped: true` the router does
   * not decide: the handler must call `ctx.authorize()` with the target object (own-object `s` grants).
   */
  permission?: string;
  scoped?: boolean;
  body?: z.Schema<B>;
  query?: z.Schema<Q>;
  params?: z.Schema<P>;
  /** Accepts `Idempotency-Key` (POSTs that create or start something). */
  idempotent?: boolean;
  responses: Record<number, ResponseDoc>;
}

export interface Route<B = unknown, Q = unknown, P = unknown> {
  spec: RouteSpec<B, Q, P>;
  run(ctx: RequestContext<B, Q, P>): Promise<HttpResult>;
  /** A read started once the token is verified, in parallel with the session read (see `route().prefetch`). */
  prefetch?: (req: { query: Q; params: P }) => Promise<unknown>;
}
