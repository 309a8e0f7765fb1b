import { httpFunction } from '../../lib/http/http-function.js';
import { platform } from '../../lib/platform.js';
import { ALL_ROUTES } from './registry.js';

/**
 * API Gateway's `$default` route: any request no declared route serves. Answers our envelope with 404,
 * or 405 + Allow when the path exists under another method.
 */
export const handler = httpFunction([], async () => (await platform()).http, {
  routeTable: ALL_ROUTES.map((r) => ({ method: r.spec.method, path: r.spec.path })),
});
