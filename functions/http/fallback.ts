import { httpFunction } from '../../lib/http/http-function.js';
import { platform } from '../../lib/platform.js';
import { ROUTE_TABLE } from './generated/route-table.js';

/**
 * API Gateway's `$default` route: any request no declared route serves. Answers our envelope with 404,
 * or 405 + Allow when the path exists under another method. The route table is generated from the specs
 * (`npm run openapi`), so this function does not bundle every area's schemas.
 */
export const handler = httpFunction([], async () => (await platform()).http, { routeTable: ROUTE_TABLE });
