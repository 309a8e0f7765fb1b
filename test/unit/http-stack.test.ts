import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { httpFunction, route, type HttpServices } from '../../lib/http/http-function.js';
import { created, ok } from '../../lib/http/respond.js';
import { PageQuery } from '../../lib/http/pagination.js';
import { filterParam } from '../../lib/http/filter.js';
import * as z from '../../lib/http/zod.js';
import type { Actor, HttpResult } from '../../lib/http/types.js';
import { UnauthorizedError } from '../../lib/core/errors.js';
import { httpEvent, lambdaContext } from '../helpers/http.js';

const actor: Actor = { dn: 'uid=jdoe,ou=people,dc=example,dc=com', uid: 'jdoe', groups: [], sid: 's', jti: 'j', kind: 'user', exp: 0 };

function fakeServices(over: Partial<HttpServices> = {}) {
  const idem = new Map<string, { fp: string; result?: HttpResult }>();
  const denied: string[] = [];
  const services: HttpServices = {
    authenticate: async (token) => {
      if (token !== 'good') throw new UnauthorizedError('INVALID_TOKEN', 'The token is invalid or expired');
      return actor;
    },
    authorize: async (_a, req) => ({ allowed: req.objectType !== 'secret', reason: 'test' }),
    onDenied: async (_a, req) => {
      denied.push(`${req.objectType}:${req.action}`);
    },
    idempotency: {
      async begin(scope, key, fp) {
        const k = `${scope}|${key}`;
        const prev = idem.get(k);
        if (!prev) {
          idem.set(k, { fp });
          return {};
        }
        if (prev.fp !== fp)
          throw Object.assign(new (await import('../../lib/core/errors.js')).UnprocessableError('IDEMPOTENCY_KEY_REUSED', 'reused'));
        if (!prev.result) throw new (await import('../../lib/core/errors.js')).ConflictError('IDEMPOTENCY_IN_PROGRESS', 'in progress');
        return { replay: prev.result };
      },
      async complete(scope, key, result) {
        idem.get(`${scope}|${key}`)!.result = result;
      },
      async release(scope, key) {
        idem.delete(`${scope}|${key}`);
      },
    },
    ...over,
  };
  return { services, denied };
}

let created_count = 0;
const widgets = route({
  method: 'POST',
  path: '/api/v1/widgets',
  summary: 'create',
  tags: ['t'],
  permission: 'widget:c',
  idempotent: true,
  body: z.object({ name: z.string().check(z.minLength(2)), size: z.integer().check(z.positive()) }),
  responses: { 201: { description: 'ok' } },
}).handler(async (ctx) => created({ id: ++created_count, ...ctx.body }));
const listWidgets = route({
  method: 'GET',
  path: '/api/v1/widgets',
  summary: 'list',
  tags: ['t'],
  auth: 'public',
  query: z.extend(PageQuery, { filter: filterParam(['name', 'size']) }),
  responses: { 200: { description: 'ok' } },
}).handler(async (ctx) => ok({ query: ctx.query }));
const getWidget = route({
  method: 'GET',
  path: '/api/v1/widgets/{id}',
  summary: 'get',
  tags: ['t'],
  params: z.object({ id: z.coercedInt() }),
  responses: { 200: { description: 'ok' } },
}).handler(async (ctx) => ok({ id: ctx.params.id }));
const secret = route({ method: 'GET', path: '/api/v1/secrets', summary: 's', tags: ['t'], permission: 'secret:r', responses: {} }).handler(
  async () => ok({ value: 'classified' }),
);
const boom = route({ method: 'GET', path: '/api/v1/boom', summary: 'b', tags: ['t'], auth: 'public', responses: {} }).handler(async () => {
  throw new Error('db password=hunter2 at /srv/app.js:12');
});
const scopedForgot = route({
  method: 'GET',
  path: '/api/v1/scoped',
  summary: 's',
  tags: ['t'],
  permission: 'thing:r',
  scoped: true,
  responses: {},
}).handler(async () => ok({ leaked: true }));

function app(over: Partial<HttpServices> = {}) {
  const f = fakeServices(over);
  const handler = httpFunction([widgets, listWidgets, getWidget, secret, boom, scopedForgot], () => f.services);
  const call = async (method: string, path: string, opts: Parameters<typeof httpEvent>[2] = {}) => {
    const res = await handler(httpEvent(method, path, opts), lambdaContext());
    return { ...res, json: res.body ? JSON.parse(res.body) : undefined };
  };
  return { call, denied: f.denied };
}
const auth = { authorization: 'Bearer good' };

describe('HTTP stack', () => {
  it('answers 400 MALFORMED_JSON for a body that is not JSON', async () => {
    const res = await app().call('POST', '/api/v1/widgets', {
      rawBody: '{"name":',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.code).toBe('MALFORMED_JSON');
  });

  it('answers 415 when the body is not JSON-typed', async () => {
    const res = await app().call('POST', '/api/v1/widgets', {
      rawBody: 'name=x',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(415);
    expect(res.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 413 past the body limit', async () => {
    const res = await app().call('POST', '/api/v1/widgets', { body: { name: 'x'.repeat(1_100_000), size: 1 }, headers: auth });
    expect(res.statusCode).toBe(413);
    expect(res.json.error.details.limit_bytes).toBe(1_048_576);
  });

  it('names every invalid field in a 400', async () => {
    const res = await app().call('POST', '/api/v1/widgets', { body: { name: 'x', size: -1 }, headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.code).toBe('VALIDATION_ERROR');
    expect(res.json.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['body.name', 'body.size']);
  });

  it('answers 404 ROUTE_NOT_FOUND and 405 with Allow', async () => {
    const a = app();
    const missing = await a.call('GET', '/api/v1/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json.error.code).toBe('ROUTE_NOT_FOUND');
    const wrong = await a.call('DELETE', '/api/v1/widgets');
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.Allow).toBe('GET, POST, OPTIONS');
  });

  it('answers 401 without a token and with a bad one', async () => {
    const a = app();
    expect((await a.call('GET', '/api/v1/widgets/1')).statusCode).toBe(401);
    const bad = await a.call('GET', '/api/v1/widgets/1', { headers: { authorization: 'Bearer nope' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json.error.code).toBe('INVALID_TOKEN');
    expect(bad.headers['WWW-Authenticate']).toBe('Bearer');
  });

  it('answers 403 FORBIDDEN with no data and records the denial', async () => {
    const a = app();
    const res = await a.call('GET', '/api/v1/secrets', { headers: auth });
    expect(res.statusCode).toBe(403);
    expect(res.body).not.toContain('classified');
    expect(a.denied).toEqual(['secret:read']);
  });

  it('fails closed when a scoped route forgets its object check', async () => {
    const res = await app().call('GET', '/api/v1/scoped', { headers: auth });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('leaked');
  });

  it('hides internals of unexpected errors behind a request id', async () => {
    const res = await app().call('GET', '/api/v1/boom', { headers: { 'x-request-id': 'req-12345678' } });
    expect(res.statusCode).toBe(500);
    expect(res.json.error).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error', details: { request_id: 'req-12345678' } });
    expect(res.body).not.toContain('hunter2');
    expect(res.headers['X-Request-Id']).toBe('req-12345678');
  });

  it('localises messages from Accept-Language but never codes', async () => {
    const a = app();
    for (const [lang, word] of [
      ['fr-FR,fr;q=0.9', 'validation'],
      ['ar', 'التحقق'],
      ['tzm', 'tsenqedt'],
      ['de', 'validation failed'],
    ] as const) {
      const res = await a.call('POST', '/api/v1/widgets', { body: {}, headers: { ...auth, 'accept-language': lang } });
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
      expect(res.json.error.message).toContain(word);
    }
  });

  it('parses and validates filters and pagination once', async () => {
    const a = app();
    const res = await a.call('GET', '/api/v1/widgets?limit=5&offset=10&filter=name:contains:a,b&filter=size:present');
    expect(res.json.query).toEqual({
      limit: 5,
      offset: 10,
      filter: [
        { attr: 'name', op: 'contains', value: 'a,b' },
        { attr: 'size', op: 'present', value: '' },
      ],
    });
    expect((await a.call('GET', '/api/v1/widgets?filter=name:like:x')).statusCode).toBe(400);
    expect((await a.call('GET', '/api/v1/widgets?filter=color:eq:x')).statusCode).toBe(400);
    expect((await a.call('GET', '/api/v1/widgets?limit=501')).json.error.details.fields[0].field).toBe('query.limit');
  });

  it('replays the same answer for the same Idempotency-Key and body, 422 for another body', async () => {
    const a = app();
    const headers = { ...auth, 'idempotency-key': 'key-1' };
    const first = await a.call('POST', '/api/v1/widgets', { body: { name: 'ab', size: 1 }, headers });
    const again = await a.call('POST', '/api/v1/widgets', { body: { name: 'ab', size: 1 }, headers });
    expect(first.statusCode).toBe(201);
    expect(again.json).toEqual(first.json);
    expect(again.headers['Idempotency-Replayed']).toBe('true');
    const other = await a.call('POST', '/api/v1/widgets', { body: { name: 'cd', size: 1 }, headers });
    expect(other.statusCode).toBe(422);
  });

  it('sets security headers and CORS on errors too', async () => {
    const res = await app().call('GET', '/api/v1/nope', { headers: { origin: 'https://console.example.com' } });
    expect(res.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(res.headers['Strict-Transport-Security']).toContain('max-age');
    expect(res.headers['Access-Control-Allow-Origin']).toBe('*');
    expect(res.headers['Content-Type']).toBe('application/json; charset=utf-8');
  });

  it('never answers 500 to arbitrary bodies (fuzz)', async () => {
    const a = app();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (raw) => {
        const res = await a.call('POST', '/api/v1/widgets', { rawBody: raw, headers: { ...auth, 'content-type': 'application/json' } });
        expect([201, 400]).toContain(res.statusCode);
        expect(res.json.error?.code ?? 'ok').toMatch(/^[A-Z_]+$|^ok$/);
      }),
      { numRuns: 150 },
    );
  });

  it('never answers 500 to arbitrary bearer tokens (fuzz)', async () => {
    const authenticate = vi.fn(async () => {
      throw new UnauthorizedError('INVALID_TOKEN', 'bad');
    });
    const a = app({ authenticate });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 100 }).filter((s) => !/\s/.test(s)),
        async (token) => {
          const res = await a.call('GET', '/api/v1/widgets/1', { headers: { authorization: `Bearer ${token}` } });
          expect(res.statusCode).toBe(401);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('speculative prefetch', () => {
  const reads: string[] = [];
  const tokens: Record<string, 'ok' | 'revoked'> = { good: 'ok', revoked: 'revoked' };
  const services = (allowed: boolean): HttpServices => ({
    ...fakeServices().services,
    // Like the platform: the signature is checked, then onVerified, then the session read.
    authenticate: async (token, _ctx, onVerified) => {
      if (!tokens[token]) throw new UnauthorizedError('INVALID_TOKEN', 'bad signature');
      onVerified?.();
      await new Promise((r) => setTimeout(r, 5));
      if (tokens[token] === 'revoked') throw new UnauthorizedError('TOKEN_REVOKED', 'revoked');
      return actor;
    },
    authorize: async () => ({ allowed, reason: 'test' }),
  });
  const things = route({
    method: 'GET',
    path: '/api/v1/things',
    summary: 'things',
    tags: ['t'],
    permission: 'thing:r',
    scoped: true,
    query: z.object({ q: z._default(z.string(), 'x') }),
    responses: { 200: { description: 'ok' } },
  })
    .prefetch(async ({ query }) => {
      reads.push(query.q);
      return [`thing-${query.q}`];
    })
    .handler(async (ctx) => {
      await ctx.authorize({ action: 'read', objectType: 'thing' });
      return ok({ data: await ctx.prefetched });
    });
  const call = async (allowed: boolean, token: string) => {
    const h = httpFunction([things], () => services(allowed));
    const res = await h(httpEvent('GET', '/api/v1/things?q=a', { headers: { authorization: `Bearer ${token}` } }), lambdaContext());
    return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : undefined };
  };

  it('runs the read once the token is verified and answers it only to an authorized caller', async () => {
    reads.length = 0;
    expect(await call(true, 'good')).toEqual({ status: 200, json: { data: ['thing-a'] } });
    expect(reads).toEqual(['a']);
    const denied = await call(false, 'good');
    expect(denied.status).toBe(403);
    expect(JSON.stringify(denied.json)).not.toContain('thing-a');
  });

  it('never starts the read for a token whose signature fails; a revoked session gets 401 without the data', async () => {
    reads.length = 0;
    expect((await call(true, 'forged')).status).toBe(401);
    expect(reads).toEqual([]);
    const revoked = await call(true, 'revoked');
    expect(revoked.status).toBe(401);
    expect(JSON.stringify(revoked.json)).not.toContain('thing-a');
  });
});
