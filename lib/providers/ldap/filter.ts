/**
 * Parsing of LDAP filter strings into ldapts Filters (with the fix for escaped non-ASCII values).
 */
import { EqualityFilter, FilterParser, type Filter } from 'ldapts';
import { BadRequestError } from '../../core/errors.js';

/**
 * Parses a filter string into an ldapts Filter. ldapts' parser turns each `\XX` escape into one Latin-1
 * character and re-encodes it as UTF-8, which corrupts escaped non-ASCII values (`é` → `\c3\a9` → 4 bytes).
 * So raw non-ASCII is first escaped, then every parsed value is reinterpreted as the bytes it denotes.
 */
export function parseFilter(filter: string): Filter {
  const ascii = filter.replace(/[^\x00-\x7f]+/g, (s) =>
    [...Buffer.from(s, 'utf8')].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join(''),
  );
  let parsed: Filter;
  try {
    parsed = FilterParser.parseString(ascii);
  } catch {
    throw new BadRequestError('INVALID_LDAP_FILTER', 'Invalid LDAP filter');
  }
  fixFilterValues(parsed);
  return parsed;
}

const bytesToUtf8 = (s: string) => Buffer.from(s, 'latin1').toString('utf8');
const needsFix = (s: string) => /[\x80-\xff]/.test(s);

function fixFilterValues(f: Filter): void {
  const node = f as unknown as Record<string, unknown>;
  if (f instanceof EqualityFilter) {
    if (typeof f.value === 'string' && needsFix(f.value)) f.value = Buffer.from(f.value, 'latin1');
    return;
  }
  for (const key of ['value', 'initial', 'final']) {
    const v = node[key];
    if (typeof v === 'string' && needsFix(v)) node[key] = bytesToUtf8(v);
  }
  if (Array.isArray(node.any)) node.any = (node.any as unknown[]).map((v) => (typeof v === 'string' && needsFix(v) ? bytesToUtf8(v) : v));
  if (Array.isArray(node.filters)) for (const child of node.filters as Filter[]) fixFilterValues(child);
  if (node.filter && typeof node.filter === 'object') fixFilterValues(node.filter as Filter);
}
