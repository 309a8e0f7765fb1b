import { z } from 'zod';

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 50;

/** `limit`/`offset` query fields, shared by every list endpoint. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  offset: z.coerce.number().int().min(0).default(0),
});
export type PageQuery = z.infer<typeof PageQuery>;

export interface Page<T> {
  data: T[];
  pagination: { total: number; limit: number; offset: number; has_more: boolean };
}

export function page<T>(data: T[], total: number, q: PageQuery): Page<T> {
  return { data, pagination: { total, limit: q.limit, offset: q.offset, has_more: q.offset + data.length < total } };
}

/** Schema of a paginated answer, for the OpenAPI document. */
export const PageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    pagination: z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), has_more: z.boolean() }),
  });
