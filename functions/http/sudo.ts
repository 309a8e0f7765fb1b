import { route, httpFunction } from '../../lib/http/http-function.js';
import { created, noContent, ok } from '../../lib/http/respond.js';
import { page } from '../../lib/http/pagination.js';
import type { RequestContext } from '../../lib/http/types.js';
import { platform } from '../../lib/platform.js';
import { auditMutation as writeMutation } from '../../lib/identity/audit-mutation.js';
import type { AttributeChange } from '../../lib/audit/audit.js';
import { identity } from '../../lib/identity/identity-platform.js';
import {
  createSudoRule,
  deleteSudoRule,
  listSudoRules,
  requireSudoRule,
  sudoersDn,
  sudoRuleDn,
  toSudoRuleView,
  updateSudoRule,
} from '../../lib/identity/sudo/sudo.js';
import * as specs from './specs/sudo.js';

const auditMutation = async (ctx: RequestContext<any, any, any>, action: string, target: string, changes: AttributeChange[]) =>
  writeMutation((await platform()).db, ctx, action, target, changes);

/** Checks `sudo:<action>` on the rule's DN (where it is or would be): 403 before 404, no existence leak. */
async function authorizeRule(ctx: RequestContext<any, any, any>, cn: string, action: 'create' | 'read' | 'write' | 'delete') {
  const { d } = await identity('sudo');
  await ctx.authorize({ action, objectType: 'sudo', objectDn: sudoRuleDn(d, cn) });
  return d;
}

export const listSudoRulesRoute = route(specs.listSudoRules).handler(async (ctx) => {
  const { d } = await identity('sudo');
  await ctx.authorize({ action: 'read', objectType: 'sudo', objectDn: sudoersDn(d) });
  const { data, total } = await listSudoRules(d, { ...ctx.query, filter: ctx.query.filter ?? [] });
  return ok(page(data, total, ctx.query));
});

export const getSudoRuleRoute = route(specs.getSudoRule).handler(async (ctx) => {
  const d = await authorizeRule(ctx, ctx.params.cn, 'read');
  return ok(toSudoRuleView(await requireSudoRule(d, ctx.params.cn)));
});

export const createSudoRuleRoute = route(specs.createSudoRule).handler(async (ctx) => {
  const d = await authorizeRule(ctx, ctx.body.cn, 'create');
  const { rule, changes } = await createSudoRule(d, ctx.body);
  await auditMutation(ctx, 'sudo.create', rule.dn, changes);
  return created(rule, `/api/v1/sudo/rules/${encodeURIComponent(rule.cn)}`);
});

export const updateSudoRuleRoute = route(specs.updateSudoRule).handler(async (ctx) => {
  const d = await authorizeRule(ctx, ctx.params.cn, 'write');
  const { rule, changes } = await updateSudoRule(d, ctx.params.cn, ctx.body);
  await auditMutation(ctx, 'sudo.update', rule.dn, changes);
  return ok(rule);
});

export const deleteSudoRuleRoute = route(specs.deleteSudoRule).handler(async (ctx) => {
  const d = await authorizeRule(ctx, ctx.params.cn, 'delete');
  const { dn, changes } = await deleteSudoRule(d, ctx.params.cn);
  await auditMutation(ctx, 'sudo.delete', dn, changes);
  return noContent();
});

export const routes = [listSudoRulesRoute, getSudoRuleRoute, createSudoRuleRoute, updateSudoRuleRoute, deleteSudoRuleRoute];
export const handler = httpFunction(routes, async () => (await platform()).http);
