import * as z from '../http/zod.js';

export const PluginParams = z.object({
  name: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, 'invalid plugin name')),
});

export const PluginListQuery = z.object({
  enabled: z.optional(
    z.pipe(
      z.enum(['true', 'false']),
      z.transform((v: 'true' | 'false') => v === 'true'),
    ),
  ),
});

export const PluginView = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  required: z.boolean(),
  object_types: z.array(z.string()),
  tabs: z.array(z.object({ id: z.string(), label: z.string(), object_type: z.string() })),
  updated_at: z.optional(z.string()),
  updated_by: z.optional(z.string()),
});

export const PluginList = z.object({ data: z.array(PluginView) });
