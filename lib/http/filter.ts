import * as z from './zod.js';

/**
 * The list filter syntax of the API: `filter=attr:op:value`, repeatable, AND-ed.
 * ops: eq, contains, starts, ends, present (present takes no value). The value may contain ':'.
 */
export const FILTER_OPS = ['eq', 'contains', 'starts', 'ends', 'present'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export interface FilterClause {
  attr: string;
  op: FilterOp;
  value: string;
}

const ATTR = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export function parseFilter(raw: string): FilterClause | string {
  const first = raw.indexOf(':');
  if (first < 1) return `"${raw}" is not attr:op:value`;
  const attr = raw.slice(0, first);
  const rest = raw.slice(first + 1);
  const second = rest.indexOf(':');
  const op = (second === -1 ? rest : rest.slice(0, second)) as FilterOp;
  const value = second === -1 ? '' : rest.slice(second + 1);
  if (!ATTR.test(attr)) return `invalid attribute name "${attr}"`;
  if (!FILTER_OPS.includes(op)) return `unknown operator "${op}" (expected one of ${FILTER_OPS.join(', ')})`;
  if (op === 'present') {
    if (value !== '') return 'operator "present" takes no value';
  } else if (value === '') return `operator "${op}" needs a value`;
  if (value.length > 256) return 'value longer than 256 characters';
  return { attr, op, value };
}

/** zod field for `filter` (string or repeated), optionally restricted to known attributes. */
export function filterParam(allowed?: readonly string[]) {
  return z.pipe(
    z.optional(z.union([z.string(), z.array(z.string())])),
    z.transform((v: string | string[] | undefined, ctx) => {
      // zod/mini's transform context is the bare parse payload (no `addIssue`): issues are pushed to it.
      const fail = (message: string) => {
        ctx.issues.push({ code: 'custom', message, input: v });
        return z.NEVER;
      };
      const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
      const out: FilterClause[] = [];
      for (const raw of list) {
        const parsed = parseFilter(raw);
        if (typeof parsed === 'string') return fail(parsed);
        if (allowed && !allowed.includes(parsed.attr)) return fail(`cannot filter on "${parsed.attr}" (allowed: ${allowed.join(', ')})`);
        out.push(parsed);
      }
      return out;
    }),
  );
}

/** In-memory evaluation for stores that cannot filter server-side (the directory filters in LDAP). */
export function matches(record: Record<string, unknown>, clauses: FilterClause[]): boolean {
  return clauses.every(({ attr, op, value }) => {
    const raw = record[attr];
    const values = (Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw]).map((x) => String(x).toLowerCase());
    const v = value.toLowerCase();
    switch (op) {
      case 'present':
        return values.length > 0;
      case 'eq':
        return values.some((x) => x === v);
      case 'contains':
        return values.some((x) => x.includes(v));
      case 'starts':
        return values.some((x) => x.startsWith(v));
      case 'ends':
        return values.some((x) => x.endsWith(v));
    }
  });
}
