import * as z from './zod.js';
import type { Route } from './types.js';
import { ErrorBody } from './openapi-schemas.js';

type Json = Record<string, unknown>;

function schemaOf(s: z.Schema, io: 'input' | 'output'): Json {
  const json = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete json.$schema;
  return json;
}

function parametersOf(s: z.Schema | undefined, where: 'path' | 'query'): Json[] {
  if (!s) return [];
  const json = schemaOf(s, 'input');
  const props = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(name === 'filter'
      ? { style: 'form', explode: true, description: 'attr:op:value (eq, contains, starts, ends, present); repeatable, AND-ed' }
      : {}),
    schema,
  }));
}

/**
 * The OpenAPI 3.1 document, built from the same route specs and zod schemas that validate requests, so it
 * cannot drift from what the API accepts.
 */
export function buildOpenApi(routes: Pick<Route<any, any, any>, 'spec'>[], info: { version: string; serverUrl?: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const { spec } of routes) {
    const responses: Record<string, Json> = {};
    for (const [status, doc] of Object.entries(spec.responses)) {
      responses[status] = {
        description: doc.description,
        ...(doc.schema ? { content: { 'application/json': { schema: schemaOf(doc.schema, 'output') } } } : {}),
      };
    }
    if (spec.body)
      responses['400'] ??= {
        description: 'VALIDATION_ERROR or MALFORMED_JSON',
        content: { 'application/json': { schema: schemaOf(ErrorBody, 'output') } },
      };
    if (spec.auth !== 'public')
      responses['401'] ??= {
        description: 'Missing, invalid or revoked token',
        content: { 'application/json': { schema: schemaOf(ErrorBody, 'output') } },
      };
    const op: Json = {
      operationId: `${spec.method.toLowerCase()}${spec.path
        .replace(/^\/api\/v1/, '')
        .replace(/[{}]/g, '')
        .replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: spec.summary,
      tags: spec.tags,
      parameters: [
        ...parametersOf(spec.params, 'path'),
        ...parametersOf(spec.query, 'query'),
        ...(spec.idempotent
          ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' } }]
          : []),
      ],
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(spec.body, 'input') } } } } : {}),
      responses,
      ...(spec.auth === 'public' ? { security: [] } : {}),
      ...(spec.permission ? { 'x-permission': spec.permission } : {}),
    };
    (paths[spec.path] ??= {})[spec.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ApiBibind',
      version: info.version,
      description: 'One HTTPS API in front of the platform: directory, cloud, PaaS, SLICES, secrets, CI, ERP.',
    },
    servers: [{ url: info.serverUrl ?? '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A self-contained HTML reference (no CDN: it must render on an offline laptop). */
export function renderDocs(doc: Json): string {
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const rows: string[] = [];
  for (const [path, ops] of Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))) {
    for (const [method, op] of Object.entries(ops)) {
      const responses = Object.entries(op.responses as Record<string, Json>)
        .map(([s, r]) => `<li><code>${esc(s)}</code> ${esc(String(r.description))}</li>`)
        .join('');
      const body = op.requestBody
        ? `<details><summary>Request body</summary><pre>${esc(JSON.stringify((op.requestBody as any).content['application/json'].schema, null, 2))}</pre></details>`
        : '';
      const params = (op.parameters as Json[]).length
        ? `<p>Parameters: ${(op.parameters as Json[]).map((p) => `<code>${esc(String(p.name))}</code> (${esc(String(p.in))})`).join(', ')}</p>`
        : '';
      rows.push(
        `<section><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3><p>${esc(String(op.summary))}${op['x-permission'] ? ` — needs <code>${esc(String(op['x-permission']))}</code>` : ''}${op.security ? ' — public' : ''}</p>${params}${body}<ul>${responses}</ul></section>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ApiBibind API reference</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}section{border-top:1px solid #ddd;padding:.5rem 0}
.m{display:inline-block;min-width:4.5rem;font-size:.8rem;color:#fff;border-radius:3px;padding:2px 6px;text-align:center}.get{background:#2f7ed8}.post{background:#2a9d55}.put{background:#c77c02}.delete{background:#c0392b}.patch{background:#7b52ab}
pre{background:#f6f6f6;padding:.5rem;overflow:auto}</style></head><body><h1>ApiBibind API reference</h1>
<p>Version ${esc(String((doc.info as Json).version))}. Machine-readable: <a href="openapi.json">openapi.json</a>. Errors: <code>{"error":{"code","message","details"}}</code>.</p>
${rows.join('\n')}</body></html>`;
}
