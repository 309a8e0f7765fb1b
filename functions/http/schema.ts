import { route, httpFunction } from '../../lib/http/http-function.js';
import { ok } from '../../lib/http/respond.js';
import { NotFoundError } from '../../lib/core/errors.js';
import { platform } from '../../lib/platform.js';
import { OBJECT_TYPE_REGISTRY, findObjectType } from '../../lib/identity/object-types.js';
import { labelLocale, objectForm } from '../../lib/identity/object-forms.js';
import * as specs from './specs/schema.js';

/** Heracles §9: object types and their forms, from the registry and the endpoints' own zod schemas. */
export const listObjectTypesRoute = route(specs.listObjectTypes).handler(async (ctx) => {
  const locale = labelLocale(ctx.headers['accept-language']);
  return ok({
    types: OBJECT_TYPE_REGISTRY.map((t) => ({
      name: t.name,
      label: t.label[locale],
      icon: t.icon,
      base_dn: t.baseDn,
      structural_class: t.structuralClass,
      ...(t.tabs ? { tabs: t.tabs } : {}),
    })),
  });
});

export const objectTypeFormRoute = route(specs.objectTypeForm).handler(async (ctx) => {
  const def = findObjectType(ctx.params.type);
  if (!def) {
    throw new NotFoundError('OBJECT_TYPE_NOT_FOUND', `Unknown object type '${ctx.params.type}'`, {
      type: ctx.params.type,
      known: OBJECT_TYPE_REGISTRY.map((t) => t.name),
    });
  }
  return ok(objectForm(def, labelLocale(ctx.headers['accept-language'])));
});

export const routes = [listObjectTypesRoute, objectTypeFormRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
