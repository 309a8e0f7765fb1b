import { z } from 'zod';

/** The error envelope, for the OpenAPI document. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const TaskRef = z.object({ id: z.string(), status: z.string(), href: z.string() });
