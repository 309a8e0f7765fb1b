import * as z from './zod.js';

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 50;

/** `limit`/`offset` query fields, shared by every list endpoint. */
export const PageQuery = z.object({
  limit: z._default(z.coercedInt().check(z.gte(1), z.lte(MAX_LIMIT)), DEFAULT_LIMIT),
  offset: z._default(z.coercedInt().check(z.gte(0)), 0),
});
export type PageQuery = z.infer<typeof PageQuery>;

export interface Page<T> {
  data: T[];
  pagination: { total: number; limit: number; offset: number; has_more: boolean };
}

export function page<T>(data: T[], total: number, q: PageQuery): Page<T> {
  return { data, pagination: { total, limit: q.limit, offset: q.offset, has_more: q.offset + data.length < total } };
}

/** z.Schema of a paginated answer, for the OpenAPI document. */
export const PageOf = <T extends z.Schema>(item: T) =>
  z.object({
    data: z.array(item),
    pagination: z.object({ total: z.integer(), limit: z.integer(), offset: z.integer(), has_more: z.boolean() }),
  });
