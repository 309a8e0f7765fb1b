/**
 * An access token for a DN without a login: a session (`putSession`) + a signed access token (`signToken`),
 * as the auth service would issue them. The application modules load lazily, so importing this file does not
 * read the configuration before a test (or bench) has set the environment.
 */
import { randomUUID } from 'node:crypto';
import type { Platform } from '../../lib/platform.js';

export async function issueAccessToken(p: Platform, dn: string, opts: { groups?: string[]; cn?: string } = {}): Promise<string> {
  const { putSession } = await import('../../lib/auth/sessions.js');
  const { signToken } = await import('../../lib/auth/tokens.js');
  const sid = randomUUID();
  const uid = /^uid=([^,]+)/.exec(dn)?.[1] ?? 'x';
  await putSession(p.db, {
    sid,
    kind: 'user',
    dn,
    uid,
    ...(opts.cn === undefined ? {} : { cn: opts.cn }),
    groups: opts.groups ?? [],
    status: 'active',
    createdAt: new Date().toISOString(),
    expiresAt: 0,
  });
  return (await signToken(p.ring, p.tokens, { sub: dn, sid, typ: 'access', kind: 'user', uid })).token;
}
