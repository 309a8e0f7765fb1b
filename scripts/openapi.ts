/** `npm run openapi`: writes docs/openapi.json from the route registry (a test keeps it current). */
import { writeFile } from 'node:fs/promises';
import { ALL_ROUTES } from '../functions/http/registry.js';
import { buildOpenApi } from '../lib/http/openapi.js';

const doc = buildOpenApi(ALL_ROUTES, { version: process.env.APP_VERSION ?? '0.1.0' });
await writeFile(new URL('../docs/openapi.json', import.meta.url), `${JSON.stringify(doc, null, 2)}\n`);
process.stdout.write(`docs/openapi.json: ${Object.keys(doc.paths as object).length} paths\n`);
