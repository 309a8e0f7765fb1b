// The contract of the mail routes (Heracles §17), apart from their handlers.
import { routeSpec } from '../../../lib/http/http-function.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import { UidParams } from '../../../lib/identity/schemas.js';
import { MailAccountBody, MailAccountView } from '../../../lib/identity/mail/schemas.js';

const denied = { description: 'FORBIDDEN', schema: ErrorBody };
const notFound = { description: 'USER_NOT_FOUND (details: uid, search_base)', schema: ErrorBody };

export const getMailAccount = routeSpec({
  method: 'GET',
  path: '/api/v1/mail/users/{uid}',
  summary: "A user's mail attributes (active false when the account was never activated)",
  tags: ['mail'],
  permission: 'mail:r',
  scoped: true,
  params: UidParams,
  responses: { 200: { description: 'The mail account', schema: MailAccountView }, 403: denied, 404: notFound },
});

export const saveMailAccount = routeSpec({
  method: 'POST',
  path: '/api/v1/mail/users/{uid}',
  summary:
    'Activate (201: adds inetLocalMailRecipient + apibibindMailAccount) or update (200) the mail account; given fields replace, lists replace the whole list, null removes',
  tags: ['mail'],
  permission: 'mail:w',
  scoped: true,
  params: UidParams,
  body: MailAccountBody,
  responses: {
    200: { description: 'Updated', schema: MailAccountView },
    201: { description: 'Activated', schema: MailAccountView },
    400: { description: 'VALIDATION_ERROR (an address that is not RFC 5321, given twice)', schema: ErrorBody },
    403: denied,
    404: notFound,
    409: { description: 'MAIL_ADDRESS_IN_USE (details: field, address, dn), USER_AMBIGUOUS', schema: ErrorBody },
    422: { description: 'MAIL_REQUIRED (no primary address)', schema: ErrorBody },
  },
});

export const deactivateMailAccount = routeSpec({
  method: 'DELETE',
  path: '/api/v1/mail/users/{uid}',
  summary: 'Deactivate the mail account: removes the mail classes and their attributes, keeps mail',
  tags: ['mail'],
  permission: 'mail:d',
  scoped: true,
  params: UidParams,
  responses: {
    204: { description: 'Deactivated' },
    403: denied,
    404: { description: 'USER_NOT_FOUND, MAIL_NOT_ACTIVE', schema: ErrorBody },
  },
});
