// The contract of the configuration routes (Heracles §15), apart from their handlers.
import { routeSpec } from '../../../lib/http/http-function.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import { ConfigKeyParams, ConfigView, PutConfigBody, SettingView } from '../../../lib/config-store/schemas.js';

const denied = { description: 'FORBIDDEN', schema: ErrorBody };
const notFound = { description: 'CONFIG_KEY_NOT_FOUND (details: key)', schema: ErrorBody };

export const listConfig = routeSpec({
  method: 'GET',
  path: '/api/v1/config',
  summary: 'Every configuration category with its settings: value, default, type, constraints, is_default',
  tags: ['config'],
  permission: 'config:r',
  responses: { 200: { description: 'Categories and settings', schema: ConfigView }, 403: denied },
});

export const getConfig = routeSpec({
  method: 'GET',
  path: '/api/v1/config/{key}',
  summary: 'One setting (e.g. password.min_length)',
  tags: ['config'],
  permission: 'config:r',
  params: ConfigKeyParams,
  responses: { 200: { description: 'The setting', schema: SettingView }, 403: denied, 404: notFound },
});

export const putConfig = routeSpec({
  method: 'PUT',
  path: '/api/v1/config/{key}',
  summary: "Set a setting's value, checked against its type and range (400 naming body.value)",
  tags: ['config'],
  permission: 'config:w',
  params: ConfigKeyParams,
  body: PutConfigBody,
  responses: {
    200: { description: 'The setting', schema: SettingView },
    400: { description: 'VALIDATION_ERROR (field body.value)', schema: ErrorBody },
    403: denied,
    404: notFound,
  },
});

export const resetConfig = routeSpec({
  method: 'DELETE',
  path: '/api/v1/config/{key}',
  summary: 'Reset a setting to its default',
  tags: ['config'],
  permission: 'config:w',
  params: ConfigKeyParams,
  responses: { 204: { description: 'Reset' }, 403: denied, 404: notFound },
});
