import * as z from '../http/zod.js';

export const ConfigKeyParams = z.object({
  key: z.string().check(z.regex(/^[a-z][a-z0-9_]{0,63}(\.[a-z][a-z0-9_]{0,63}){1,3}$/, 'key must look like category.name')),
});

/** `{value}`: typed by the setting (checked against its definition by the use case, 400 naming `body.value`). */
export const PutConfigBody = z.object({ value: z.union([z.number(), z.string(), z.boolean()]) });

const value = z.union([z.number(), z.string(), z.boolean()]);

export const SettingView = z.object({
  key: z.string(),
  value,
  default: value,
  type: z.enum(['int', 'string', 'enum', 'bool']),
  description: z.string(),
  is_default: z.boolean(),
  constraints: z.optional(z.jsonObject()),
  updated_at: z.optional(z.string()),
  updated_by: z.optional(z.string()),
});

export const ConfigView = z.object({
  categories: z.array(z.object({ id: z.string(), label: z.string(), settings: z.array(SettingView) })),
});
