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
