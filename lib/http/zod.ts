/**
 * The one zod entry point of the code base: `zod/mini`, the functional, tree-shakable API (~30-40 KB in a
 * function bundle, ~60 KB with `toJSONSchema`, against ~190 KB for the classic method-chaining API) over the
 * same core, so parsing, issues and `toJSONSchema` behave as with classic zod.
 *
 * Classic zod registers English messages when its first schema is built; `zod/mini` registers none (every
 * message would be "Invalid input"), so English is registered here. Import zod as `import * as z from
 * '…/http/zod.js'`, never from `zod/mini` directly, so the messages of `{field, code, message}` validation
 * issues stay readable; the helpers below are then `z.text(1, 256)`, `z.integer()`, ….
 *
 * Classic → mini cheat sheet: `s.optional()` → `z.optional(s)`, `s.default(v)` → `z._default(s, v)`,
 * `s.min(n)` (string/array) → `s.check(z.minLength(n))`, `s.min(n)` (number) → `s.check(z.gte(n))`,
 * `s.int()` → `s.check(z.int())`, `s.refine(f, m)` → `s.check(z.refine(f, m))`, `a.extend(b)` →
 * `z.extend(a, b)`, `s.transform(f)` → `z.pipe(s, z.transform(f))`, `s.safeParse(x)` → `z.safeParse(s, x)`.
 */
import * as z from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

z.config(en());

// Re-exported member by member (`export *`), not as a namespace value (`export { z }`): a namespace object
// that escapes its module defeats esbuild's tree shaking and would bundle the whole of zod/mini.
export * from 'zod/mini';

/** Any zod schema (mini or classic): what validation and the OpenAPI document accept. */
export type Schema<O = unknown, I = unknown> = $ZodType<O, I>;

/** A string of `min` to `max` characters (classic `z.string().min(min).max(max)`). */
export const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));

/** A string of at most `max` characters (classic `z.string().max(max)`). */
export const maxText = (max: number) => z.string().check(z.maxLength(max));

/** A safe integer (classic `z.number().int()`). */
export const integer = () => z.number().check(z.int());

/** A string-or-number input coerced to a safe integer (classic `z.coerce.number().int()`): query strings, environment. */
export const coercedInt = () => z.coerce.number().check(z.int());

/** A free-form JSON object (classic `z.record(z.string(), z.unknown())`). */
export const jsonObject = () => z.record(z.string(), z.unknown());
