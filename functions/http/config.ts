import { route, httpFunction } from '../../lib/http/http-function.js';
import { noContent, ok } from '../../lib/http/respond.js';
import { auditMutation } from '../../lib/identity/audit-mutation.js';
import { platform } from '../../lib/platform.js';
import { getConfig, listConfig, putConfig, resetConfig } from '../../lib/config-store/store.js';
import * as specs from './specs/config.js';

/** Audit target of a setting (settings have no DN). */
const target = (key: string) => `config/${key}`;

export const listConfigRoute = route(specs.listConfig).handler(async () => {
  return ok({ categories: await listConfig((await platform()).db) });
});

export const getConfigRoute = route(specs.getConfig).handler(async (ctx) => {
  return ok(await getConfig((await platform()).db, ctx.params.key));
});

export const putConfigRoute = route(specs.putConfig).handler(async (ctx) => {
  const { db } = await platform();
  const { setting, changes } = await putConfig(db, ctx.params.key, ctx.body.value, ctx.actor!.dn);
  await auditMutation(db, ctx, 'config.update', target(ctx.params.key), changes);
  return ok(setting);
});

export const resetConfigRoute = route(specs.resetConfig).handler(async (ctx) => {
  const { db } = await platform();
  const { changes } = await resetConfig(db, ctx.params.key);
  await auditMutation(db, ctx, 'config.reset', target(ctx.params.key), changes);
  return noContent();
});

export const routes = [listConfigRoute, getConfigRoute, putConfigRoute, resetConfigRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
