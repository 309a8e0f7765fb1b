/**
 * Mail addresses as the API accepts them (RFC 5321-ish, ASCII: they are stored in IA5String attributes):
 * a dot-atom local part (RFC 5322 atext, no quoted strings) of at most 64 octets, `@`, a domain of LDH
 * labels (1-63 characters, no leading/trailing hyphen, at least two labels, alphabetic TLD) or an address
 * literal `[a.b.c.d]`; at most 254 octets in all.
 */
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*$`);
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4_LITERAL = /^\[(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\]$/;

export function isMailAddress(value: string): boolean {
  if (typeof value !== 'string' || value.length > 254 || !/^[\x21-\x7e]+$/.test(value)) return false;
  const at = value.lastIndexOf('@');
  if (at < 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return false;
  if (IPV4_LITERAL.test(domain)) return true;
  if (domain.length < 3 || domain.length > 253) return false;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return false;
  return /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1]!);
}

/** Host names for mailHost: LDH labels, at most 253 characters. */
export function isHostName(value: string): boolean {
  if (value.length < 1 || value.length > 253) return false;
  return value.split('.').every((l) => LABEL.test(l));
}

/** Comparison key of an address: the domain is case-insensitive; so is the local part in practice (caseIgnoreIA5Match). */
export const addressKey = (a: string) => a.toLowerCase();
