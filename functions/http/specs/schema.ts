// The contract of the schema routes (Heracles §9), apart from their handlers.
import { routeSpec } from '../../../lib/http/http-function.js';
import * as z from '../../../lib/http/zod.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';

export const ObjectTypeParams = z.object({ type: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,63}$/, 'invalid object type')) });

export const ObjectTypeList = z.object({
  types: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      icon: z.string(),
      base_dn: z.string(),
      structural_class: z.string(),
      tabs: z.optional(z.array(z.string())),
    }),
  ),
});

const FormField = z.object({
  name: z.string(),
  type: z.string(),
  label: z.string(),
  required: z.boolean(),
  pattern: z.optional(z.string()),
  readonly_after_create: z.optional(z.boolean()),
  nullable: z.optional(z.boolean()),
  min_length: z.optional(z.integer()),
  max_length: z.optional(z.integer()),
  minimum: z.optional(z.number()),
  maximum: z.optional(z.number()),
  options: z.optional(z.array(z.unknown())),
  items: z.optional(z.string()),
});

export const ObjectFormView = z.object({
  type: z.string(),
  sections: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      path: z.optional(z.string()),
      optional: z.optional(z.boolean()),
      fields: z.array(FormField),
    }),
  ),
});

// No role grants a `schema` object type (docs/permissions.md): these routes need authentication only.
export const listObjectTypes = routeSpec({
  method: 'GET',
  path: '/api/v1/schema/object-types',
  summary: 'The directory object types (labels in French, English with Accept-Language: en); any authenticated caller',
  tags: ['schema'],
  responses: { 200: { description: 'Object types', schema: ObjectTypeList } },
});

export const objectTypeForm = routeSpec({
  method: 'GET',
  path: '/api/v1/schema/object-types/{type}/form',
  summary: 'The form of an object type, generated from the zod schemas that validate its endpoints; any authenticated caller',
  tags: ['schema'],
  params: ObjectTypeParams,
  responses: {
    200: { description: 'The form', schema: ObjectFormView },
    404: { description: 'OBJECT_TYPE_NOT_FOUND', schema: ErrorBody },
  },
});
