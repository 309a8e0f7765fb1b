/**
 * Calls a function's HTTP handler in-process against a real slapd and dynalite: `startInProcessApi()` in
 * beforeAll (sets the environment before the application modules load), then `api.call(handler, …)` with
 * tokens from `issueAccessToken` (a session + a signed access token; no login).
 */
import { generatePrivateJwk } from '../../lib/auth/keys.js';
import type { HttpEvent } from '../../lib/http/types.js';
import { startTestDynalite, type TestDynalite } from './dynalite.js';
import { callHandler, type ApiAnswer, type Handler } from './http.js';
import { grantRole } from './acl.js';
import { startTestSlapd, type TestSlapd } from './slapd.js';
import { issueAccessToken } from './tokens.js';

export interface InProcessApi {
  ldap: TestSlapd;
  dyn: TestDynalite;
  adminToken: string;
  guestToken: string;
  /** An access token for `dn` (a session holding `groups`, named `cn`). */
  tokenFor(dn: string, opts?: { groups?: string[]; cn?: string }): Promise<string>;
  call(
    handler: Handler,
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiAnswer>;
  /** A custom ACL role + assignment (table partition `ACL`), as the ACL endpoints store them. */
  grant(subjectDn: string, permissions: string[], scope: { dn?: string; type: 'base' | 'subtree' }): Promise<void>;
  /** Audit events of the current month whose action starts with `prefix`. */
  audit(prefix: string): Promise<Record<string, any>[]>;
  stop(): Promise<void>;
}

export async function startInProcessApi(): Promise<InProcessApi> {
  const [ldap, dyn] = await Promise.all([startTestSlapd(), startTestDynalite()]);
  Object.assign(process.env, ldap.env, {
    DYNAMODB_ENDPOINT: dyn.url,
    TABLE_NAME: dyn.table,
    JWT_PRIVATE_JWKS: JSON.stringify([await generatePrivateJwk()]),
    LOG_LEVEL: 'SILENT',
  });
  (await import('../../lib/core/config.js')).resetConfig();
  const { platform } = await import('../../lib/platform.js');
  const p = await platform();
  const tokenFor = (dn: string, opts?: { groups?: string[]; cn?: string }) => issueAccessToken(p, dn, opts);
  return {
    ldap,
    dyn,
    adminToken: await tokenFor(ldap.adminDn),
    guestToken: await tokenFor(`uid=guest,ou=people,${ldap.baseDn}`),
    tokenFor,
    call: callHandler,
    grant: (subjectDn, permissions, scope) => grantRole(p.db, subjectDn, permissions, scope),
    async audit(prefix) {
      const out: Record<string, any>[] = [];
      for await (const item of p.db.items({
        TableName: p.db.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `AUDIT#${new Date().toISOString().slice(0, 7)}` },
      }))
        if (String(item.action).startsWith(prefix)) out.push(item);
      return out;
    },
    async stop() {
      await Promise.all([ldap.destroy(), dyn.stop()]);
    },
  };
}

export type { ApiAnswer, Handler };
