import { randomUUID } from 'node:crypto';
import { startDynalite } from '../local/stack/dynamodb.js';
import { createDb, ensureTable } from '../lib/store/dynamo.js';
import { generatePrivateJwk } from '../lib/auth/keys.js';
import { httpEvent, lambdaContext } from '../test/helpers/http.js';
import { freePort } from '../test/helpers/slapd.js';

/**
 * GET /api/v1/auth/me through the full middy stack (routing, headers, error envelope, validation) vs the
 * bare work the handler cannot avoid (verify the JWT, read the session, compute permissions), in one run
 * against one dynalite.
 */
export async function measureAuthMe(iterations = 400) {
  const port = await freePort();
  const dynamo = await startDynalite({ port });
  process.env.DYNAMODB_ENDPOINT = dynamo.url;
  process.env.TABLE_NAME = 'bench';
  process.env.JWT_PRIVATE_JWKS = JSON.stringify([await generatePrivateJwk()]);
  process.env.LOG_LEVEL = 'SILENT';
  const { platform } = await import('../lib/platform.js');
  const { handler } = await import('../functions/http/auth.js');
  const { authenticateToken } = await import('../lib/auth/service.js');
  const { effectivePermissionsOf } = await import('../lib/acl/acl-source.js');
  const { putSession } = await import('../lib/auth/sessions.js');
  const { signToken } = await import('../lib/auth/tokens.js');
  const p = await platform();
  await ensureTable(createDb({ table: 'bench', endpoint: dynamo.url, region: 'us-east-1' }));
  const sid = randomUUID();
  const dn = 'uid=admin,ou=people,dc=example,dc=com';
  await putSession(p.db, { sid, kind: 'user', dn, uid: 'admin', cn: 'Administrator', groups: [], status: 'active', createdAt: new Date().toISOString(), expiresAt: 0 });
  const { token } = await signToken(p.ring, p.tokens, { sub: dn, sid, typ: 'access', kind: 'user', uid: 'admin' });

  const full = async () => {
    const res = await handler(httpEvent('GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${token}` } }), lambdaContext());
    if (res.statusCode !== 200) throw new Error(`auth/me answered ${res.statusCode}: ${res.body}`);
  };
  const bare = async () => {
    const { actor } = await authenticateToken(p, token);
    const permissions = await effectivePermissionsOf(p.acl, actor);
    JSON.stringify({ dn: actor.dn, uid: actor.uid, permissions });
  };
  const time = async (fn: () => Promise<void>) => {
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    return { p50: samples[Math.floor(samples.length / 2)]!, p95: samples[Math.floor(samples.length * 0.95)]! };
  };
  for (let i = 0; i < 50; i++) {
    await full();
    await bare();
  }
  // Interleave the two series in rounds so machine noise hits both alike.
  const fullR: number[] = [];
  const bareR: number[] = [];
  for (let round = 0; round < 4; round++) {
    fullR.push((await time(full)).p50);
    bareR.push((await time(bare)).p50);
  }
  await dynamo.stop();
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  return { fullMs: med(fullR), bareMs: med(bareR), ratio: med(fullR) / med(bareR) };
}
