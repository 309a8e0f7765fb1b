import { ValidationError } from '../core/errors.js';
import type { FilterClause } from '../http/filter.js';
import { and, eq, present, substr, type LdapFilter } from '../providers/ldap/index.js';

/**
 * `filter=attr:op:value` clauses → one LDAP filter, AND-ed with the base filter of the object type. Values
 * only enter through the builder (RFC 4515 escaping): `*)(uid=*` is a literal value, never filter syntax.
 */
export function clausesToLdap(base: LdapFilter, clauses: FilterClause[]): LdapFilter {
  const parts = clauses.map(({ attr, op, value }): LdapFilter => {
    switch (op) {
      case 'eq':
        return eq(attr, value);
      case 'contains':
        return substr(attr, { any: [value] });
      case 'starts':
        return substr(attr, { initial: value });
      case 'ends':
        return substr(attr, { final: value });
      case 'present':
        return present(attr);
    }
  });
  return and(base, ...parts);
}

/**
 * contains / starts / ends only on `substringAttributes` (those whose schema has a SUBSTR rule: on the
 * others slapd silently matches nothing): 400 naming `query.filter` otherwise.
 */
export function assertSubstringFilters(clauses: FilterClause[], substringAttributes: readonly string[]): void {
  const bad = clauses.filter((c) => c.op !== 'eq' && c.op !== 'present' && !substringAttributes.includes(c.attr));
  if (bad.length)
    throw new ValidationError(
      bad.map((c) => ({
        field: 'query.filter',
        code: 'custom',
        message: `"${c.attr}" takes eq and present only (substring filters: ${substringAttributes.join(', ')})`,
      })),
    );
}
