import * as z from '../../http/zod.js';
import { isHostName, isMailAddress } from './address.js';
import { nullable } from '../schema-parts.js';

const address = () => z.string().check(z.refine(isMailAddress, 'must be a mail address (RFC 5321: local@domain, ASCII)'));

export const MAX_ALTERNATES = 50;
export const MAX_FORWARDS = 20;

/**
 * Activates (first call) or updates the mail account: fields given replace, lists replace the whole list,
 * `null` removes. `mail` is the primary address (inetOrgPerson `mail`): required when the user has none.
 */
export const MailAccountBody = z.object({
  mail: z.optional(address()),
  mailAlternateAddress: z.optional(z.array(address()).check(z.maxLength(MAX_ALTERNATES))),
  mailForwardingAddress: z.optional(z.array(address()).check(z.maxLength(MAX_FORWARDS))),
  mailHost: nullable(z.string().check(z.refine(isHostName, 'must be a host name'))),
  mailQuota: nullable(z.integer().check(z.gte(0), z.lte(2_147_483_647))),
  mailEnabled: z.optional(z.boolean()),
});
export type MailAccountBody = z.infer<typeof MailAccountBody>;

export const MailAccountView = z.object({
  uid: z.string(),
  dn: z.string(),
  active: z.boolean(),
  mail: z.nullable(z.string()),
  mailAlternateAddress: z.array(z.string()),
  mailForwardingAddress: z.array(z.string()),
  mailHost: z.nullable(z.string()),
  mailQuota: z.nullable(z.integer()),
  mailEnabled: z.boolean(),
});
