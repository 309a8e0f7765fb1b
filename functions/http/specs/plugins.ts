// The contract of the plugin routes (Heracles §16), apart from their handlers.
import { routeSpec } from '../../../lib/http/http-function.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import { PluginList, PluginListQuery, PluginParams, PluginView } from '../../../lib/plugins/schemas.js';

const denied = { description: 'FORBIDDEN', schema: ErrorBody };
const notFound = { description: 'PLUGIN_NOT_FOUND (details: plugin)', schema: ErrorBody };

export const listPlugins = routeSpec({
  method: 'GET',
  path: '/api/v1/plugins',
  summary: 'The plugins with their metadata and state (`enabled=true|false` keeps only enabled / disabled ones)',
  tags: ['plugins'],
  permission: 'plugin:r',
  query: PluginListQuery,
  responses: { 200: { description: 'Plugins', schema: PluginList }, 403: denied },
});

export const getPlugin = routeSpec({
  method: 'GET',
  path: '/api/v1/plugins/{name}',
  summary: 'One plugin',
  tags: ['plugins'],
  permission: 'plugin:r',
  params: PluginParams,
  responses: { 200: { description: 'The plugin', schema: PluginView }, 403: denied, 404: notFound },
});

export const enablePlugin = routeSpec({
  method: 'POST',
  path: '/api/v1/plugins/{name}/enable',
  summary: 'Enable a plugin',
  tags: ['plugins'],
  permission: 'plugin:w',
  params: PluginParams,
  responses: { 200: { description: 'The plugin', schema: PluginView }, 403: denied, 404: notFound },
});

export const disablePlugin = routeSpec({
  method: 'POST',
  path: '/api/v1/plugins/{name}/disable',
  summary: "Disable a plugin: its endpoints then answer 404 PLUGIN_DISABLED (within 5 s in every container); 'core' cannot be disabled",
  tags: ['plugins'],
  permission: 'plugin:w',
  params: PluginParams,
  responses: {
    200: { description: 'The plugin', schema: PluginView },
    403: denied,
    404: notFound,
    422: { description: 'PLUGIN_REQUIRED (core)', schema: ErrorBody },
  },
});
