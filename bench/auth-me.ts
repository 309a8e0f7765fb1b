import { startDynalite } from '../local/stack/dynamodb.js';
import { createDb, ensureTable } from '../lib/store/dynamo.js';
import { generatePrivateJwk } from '../lib/auth/keys.js';
import { httpEvent, lambdaContext } from '../test/helpers/http.js';
import { issueAccessToken } from '../test/helpers/tokens.js';
import { freePort } from '../test/helpers/slapd.js';

/**
 * GET /api/v1/auth/me through the full middy stack (routing, headers, error envelope, validation) vs the
 * bare work the handler cannot avoid (verify the JWT, read the session, compute permissions), in one run
 * against one dynalite.
 */
export async function measureAuthMe(iterations = 3000) {
  const port = await freePort();
  const dynamo = await startDynalite({ port });
  process.env.DYNAMODB_ENDPOINT = dynamo.url;
  process.env.TABLE_NAME = 'bench';
  process.env.JWT_PRIVATE_JWKS = JSON.stringify([await generatePrivateJwk()]);
  process.env.LOG_LEVEL = 'SILENT';
  const { platform } = await import('../lib/platform.js');
  const { handler } = await import('../functions/http/auth.js');
  const { authenticateToken } = await import('../lib/auth/service.js');
  const { effectivePermissionsOf, ACL_VERSION_KEY } = await import('../lib/acl/acl-source.js');
  const p = await platform();
  await ensureTable(createDb({ table: 'bench', endpoint: dynamo.url, region: 'us-east-1' }));
  const token = await issueAccessToken(p, 'uid=admin,ou=people,dc=example,dc=com', { cn: 'Administrator' });

  const full = async () => {
    const res = await handler(httpEvent('GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${token}` } }), lambdaContext());
    if (res.statusCode !== 200) throw new Error(`auth/me answered ${res.statusCode}: ${res.body}`);
  };
  // The work itself, done as well as it can be: the session and the ACL version in one read, the container's
  // ACL copy at that version, as the stack does.
  const bare = async () => {
    const { actor, alongside } = await authenticateToken(p, token, undefined, ACL_VERSION_KEY);
    const acl = p.acl.at(Number(alongside?.v ?? 0));
    const permissions = await effectivePermissionsOf({ load: () => acl }, actor);
    JSON.stringify({ dn: actor.dn, uid: actor.uid, permissions });
  };
  for (let i = 0; i < 100; i++) {
    await full();
    await bare();
  }
  // Alternate the two, sample by sample, so machine noise hits both alike; compare medians.
  const fullS: number[] = [];
  const bareS: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const first = i % 2 === 0 ? full : bare;
    const second = i % 2 === 0 ? bare : full;
    let t = performance.now();
    await first();
    (first === full ? fullS : bareS).push(performance.now() - t);
    t = performance.now();
    await second();
    (second === full ? fullS : bareS).push(performance.now() - t);
  }
  await dynamo.stop();
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  return { fullMs: med(fullS), bareMs: med(bareS), ratio: med(fullS) / med(bareS), iterations };
}

/**
 * Runs the measurement in a child process whose stdout (where the Lambda logs go, as in production at
 * INFO) is discarded, so the access logs are paid for but do not bury the table.
 */
export async function measureAuthMeIsolated(): Promise<Awaited<ReturnType<typeof measureAuthMe>>> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'INFO' },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as Awaited<ReturnType<typeof measureAuthMe>>));
    child.once('exit', (code) => (code ? reject(new Error(`auth-me bench exited ${code}`)) : undefined));
  });
}

if (process.argv.includes('--child')) {
  const result = await measureAuthMe();
  process.send?.(result);
  process.exit(0);
}
