import * as z from './zod.js';

/** The error envelope, for the OpenAPI document. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.optional(z.jsonObject()),
  }),
});

export const TaskRef = z.object({ id: z.string(), status: z.string(), href: z.string() });
