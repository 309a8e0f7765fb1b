import { ValidationError, type FieldIssue } from '../core/errors.js';
import * as z from './zod.js';

/** Parses `input` with `schema`; every issue becomes a named field issue in a 400 VALIDATION_ERROR. */
export function validate<T>(schema: z.Schema<T>, input: unknown, location: 'body' | 'query' | 'path'): T {
  const result = z.safeParse(schema, input);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    field: [location, ...issue.path.map(String)].join('.'),
    code: issue.code,
    message: issue.message,
  }));
  throw new ValidationError(issues);
}
