import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_SPECS } from '../../functions/http/specs/index.js';
import { buildOpenApi } from '../../lib/http/openapi.js';

describe('OpenAPI document', () => {
  const doc = buildOpenApi(
    ALL_SPECS.map((spec) => ({ spec, run: async () => ({ status: 200 }) })),
    { version: '0.1.0' },
  ) as {
    paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown>; 'x-permission'?: string }>>;
  };

  it('describes every route once, with a body schema where the route validates one', () => {
    const ops = Object.entries(doc.paths).flatMap(([p, m]) => Object.keys(m).map((verb) => `${verb.toUpperCase()} ${p}`));
    expect(ops.sort()).toEqual(ALL_SPECS.map((s) => `${s.method} ${s.path}`).sort());
    for (const s of ALL_SPECS) {
      const op = doc.paths[s.path]![s.method.toLowerCase()]!;
      expect(Boolean(op.requestBody)).toBe(Boolean(s.body));
      if (s.permission) expect(op['x-permission']).toBe(s.permission);
    }
  });

  it('is the committed docs/openapi.json and generated modules (run `npm run openapi` after changing a route)', async () => {
    const committed = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(doc)));
    const { generated } = await import('../../scripts/openapi.js');
    const g = generated();
    expect(readFileSync(new URL('../../functions/http/generated/openapi.ts', import.meta.url), 'utf8')).toBe(g.openapiModule);
    expect(readFileSync(new URL('../../functions/http/generated/route-table.ts', import.meta.url), 'utf8')).toBe(g.routeTableModule);
  });
});

describe('permissions document', () => {
  it('is the committed docs/permissions.md (run `npm run docs:permissions` after changing a role)', async () => {
    const { permissionsDoc } = await import('../../scripts/permissions-doc.js');
    expect(readFileSync(new URL('../../docs/permissions.md', import.meta.url), 'utf8')).toBe(permissionsDoc());
  });
});
