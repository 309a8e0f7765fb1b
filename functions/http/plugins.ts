import { route, httpFunction } from '../../lib/http/http-function.js';
import { ok } from '../../lib/http/respond.js';
import type { RequestContext } from '../../lib/http/types.js';
import { auditMutation } from '../../lib/identity/audit-mutation.js';
import { platform } from '../../lib/platform.js';
import { getPlugin, listPlugins, setPluginEnabled } from '../../lib/plugins/state.js';
import * as specs from './specs/plugins.js';

export const listPluginsRoute = route(specs.listPlugins).handler(async (ctx) => {
  const all = await listPlugins((await platform()).db);
  const wanted = ctx.query.enabled;
  return ok({ data: wanted === undefined ? all : all.filter((p) => p.enabled === wanted) });
});

export const getPluginRoute = route(specs.getPlugin).handler(async (ctx) => {
  return ok(await getPlugin((await platform()).db, ctx.params.name));
});

const toggle = (enabled: boolean) => async (ctx: RequestContext<unknown, unknown, { name: string }>) => {
  const { db } = await platform();
  const { plugin, changes } = await setPluginEnabled(db, ctx.params.name, enabled, ctx.actor!.dn);
  await auditMutation(db, ctx, enabled ? 'plugin.enable' : 'plugin.disable', `plugin/${plugin.name}`, changes);
  return ok(plugin);
};

export const enablePluginRoute = route(specs.enablePlugin).handler(toggle(true));
export const disablePluginRoute = route(specs.disablePlugin).handler(toggle(false));

export const routes = [listPluginsRoute, getPluginRoute, enablePluginRoute, disablePluginRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
