import { httpFunction } from '../../lib/http/http-function.js';
import { platform } from '../../lib/platform.js';
import { ALL_SPECS } from './specs/index.js';

/**
 * API Gateway's `$default` route: any request no declared route serves. Answers our envelope with 404,
 * or 405 + Allow when the path exists under another method.
 */
export const handler = httpFunction([], async () => (await platform()).http, {
  routeTable: ALL_SPECS.map((s) => ({ method: s.method, path: s.path })),
});
