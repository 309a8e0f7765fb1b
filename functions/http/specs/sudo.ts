// The contract of the sudo rule routes (Heracles §6), apart from their handlers: the OpenAPI document and the
// 404/405 fallback read it without bundling what the handlers need.
import { routeSpec } from '../../../lib/http/http-function.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import { CreateSudoRuleBody, SudoCnParams, SudoListQuery, SudoRuleView, UpdateSudoRuleBody } from '../../../lib/identity/sudo/schemas.js';

const denied = { description: 'FORBIDDEN', schema: ErrorBody };
const notFound = { description: 'SUDO_RULE_NOT_FOUND (details: cn, search_base)', schema: ErrorBody };
const invalid = { description: 'VALIDATION_ERROR (details.fields names each field: body.sudoUser.0, …)', schema: ErrorBody };

export const listSudoRules = routeSpec({
  method: 'GET',
  path: '/api/v1/sudo/rules',
  summary:
    'List sudo rules (sudoRole entries under ou=sudoers), sorted by cn; filter=attr:op:value (substring ops on cn, description, sudoUser, sudoHost)',
  tags: ['sudo'],
  permission: 'sudo:r',
  scoped: true,
  query: SudoListQuery,
  responses: { 200: { description: 'Sudo rules', schema: PageOf(SudoRuleView) }, 400: invalid, 403: denied },
});

export const getSudoRule = routeSpec({
  method: 'GET',
  path: '/api/v1/sudo/rules/{cn}',
  summary: 'A sudo rule (sudoNotBefore / sudoNotAfter in ISO 8601 UTC)',
  tags: ['sudo'],
  permission: 'sudo:r',
  scoped: true,
  params: SudoCnParams,
  responses: { 200: { description: 'The rule', schema: SudoRuleView }, 403: denied, 404: notFound },
});

export const createSudoRule = routeSpec({
  method: 'POST',
  path: '/api/v1/sudo/rules',
  summary:
    'Create a sudo rule as sudo-ldap / sssd read it; sudoUser, sudoHost and sudoCommand are required except for cn=defaults (global sudoOption); times in ISO 8601, stored as GeneralizedTime',
  tags: ['sudo'],
  permission: 'sudo:c',
  scoped: true,
  idempotent: true,
  body: CreateSudoRuleBody,
  responses: {
    201: { description: 'The rule', schema: SudoRuleView },
    400: invalid,
    403: denied,
    409: { description: 'SUDO_RULE_EXISTS', schema: ErrorBody },
    422: { description: 'A schema violation naming the attribute', schema: ErrorBody },
  },
});

export const updateSudoRule = routeSpec({
  method: 'PUT',
  path: '/api/v1/sudo/rules/{cn}',
  summary: 'Replace the given attributes of a sudo rule (lists as a whole); null removes one; cn is read-only',
  tags: ['sudo'],
  permission: 'sudo:w',
  scoped: true,
  params: SudoCnParams,
  body: UpdateSudoRuleBody,
  responses: {
    200: { description: 'The rule', schema: SudoRuleView },
    400: invalid,
    403: denied,
    404: notFound,
    422: { description: 'ATTRIBUTE_REQUIRED (sudoUser, sudoHost, sudoCommand) or INVALID_VALIDITY_INTERVAL', schema: ErrorBody },
  },
});

export const deleteSudoRule = routeSpec({
  method: 'DELETE',
  path: '/api/v1/sudo/rules/{cn}',
  summary: 'Delete a sudo rule',
  tags: ['sudo'],
  permission: 'sudo:d',
  scoped: true,
  params: SudoCnParams,
  responses: { 204: { description: 'Deleted' }, 403: denied, 404: notFound },
});
