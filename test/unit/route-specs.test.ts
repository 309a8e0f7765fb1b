import { describe, expect, it } from 'vitest';
import { ALL_ROUTES } from '../../functions/http/registry.js';
import { ALL_SPECS } from '../../functions/http/specs/index.js';

describe('route specs', () => {
  it('lists exactly the specs of the route registry, in its order (OpenAPI document, 404/405 fallback)', () => {
    expect(ALL_SPECS.map((s) => `${s.method} ${s.path}`)).toEqual(ALL_ROUTES.map((r) => `${r.spec.method} ${r.spec.path}`));
    ALL_SPECS.forEach((spec, i) => expect(spec).toBe(ALL_ROUTES[i]!.spec));
  });
});
