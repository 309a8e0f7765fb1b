import { route, httpFunction } from '../../lib/http/http-function.js';
import { ok } from '../../lib/http/respond.js';
import { matches } from '../../lib/http/filter.js';
import { page } from '../../lib/http/pagination.js';
import { platform } from '../../lib/platform.js';
import { cloud } from '../../lib/compute/cloud.js';
import { flavorView, imageView, listFlavors, listImages, quotas } from '../../lib/compute/catalog.js';
import { lastReport } from '../../lib/compute/reconcile.js';
import { NotFoundError } from '../../lib/core/errors.js';
import * as specs from './specs/catalog.js';

export const listFlavorsRoute = route(specs.listFlavors).handler(async (ctx) => {
  const all = (await listFlavors(cloud())).map(flavorView).filter((f) => matches(f, ctx.query.filter ?? []));
  return ok(page(all.slice(ctx.query.offset, ctx.query.offset + ctx.query.limit), all.length, ctx.query));
});

export const listImagesRoute = route(specs.listImages).handler(async (ctx) => {
  const all = (await listImages(cloud())).map(imageView).filter((i) => matches(i, ctx.query.filter ?? []));
  return ok(page(all.slice(ctx.query.offset, ctx.query.offset + ctx.query.limit), all.length, ctx.query));
});

export const getQuotasRoute = route(specs.getQuotas).handler(async () => ok(await quotas(cloud())));

export const lastReconciliationRoute = route(specs.lastReconciliation).handler(async () => {
  const report = await lastReport((await platform()).db);
  if (!report) throw new NotFoundError('RECONCILIATION_NOT_RUN', 'The cloud reconciliation has not run yet');
  return ok(report);
});

export const routes = [listFlavorsRoute, listImagesRoute, getQuotasRoute, lastReconciliationRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
