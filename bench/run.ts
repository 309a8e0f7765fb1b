/**
 * `npm run bench`: bundle size and init time per function, /auth/me full stack vs bare work, and the
 * offline stack's start time. `npm run bench -- users` (not in the default run: ~9 min): GET /users full
 * stack vs a direct ldapts SSS + VLV search at 1k/10k/100k users. Prints Markdown tables (pasted into the
 * README with date and machine).
 */
import os from 'node:os';
import { measureBundles } from './bundles.js';
import { measureAuthMeIsolated } from './auth-me.js';
import { measureDevStart } from './dev-start.js';
import { measureUsersList, printUsersList } from './users-list.js';
import { measureCloudCreate, printCloudCreate } from './cloud-create.js';

const only = process.argv[2];
console.log(
  `# ApiBibind benchmarks — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
);

if (!only || only === 'bundles') {
  const rows = await measureBundles();
  console.log(
    '| function | bundle (KB) | init (ms, median of 5 cold requires) | targets ≤ 250 KB, ≤ 40 ms | init + SDK (ms) | SDK loaded by its first request |',
  );
  console.log('|---|---:|---:|---|---:|---|');
  for (const r of rows) {
    const sdk = r.sdk.map((m) => m.replace('@aws-sdk/', '')).join(', ') || 'none';
    console.log(
      `| ${r.fn} | ${r.kb.toFixed(0)} | ${r.initMs.toFixed(1)} | ${r.kb <= 250 && r.initMs <= 40 ? 'ok' : 'over'} | ${r.initSdkMs.toFixed(1)} | ${sdk} |`,
    );
  }
  console.log(
    '\n"init" is the module init a cold start pays before the handler runs; the AWS SDK clients are required lazily, so the first request that reaches DynamoDB or Step Functions also pays "init + SDK" − "init" (the SDK ships with the Lambda runtime and is not in the bundle).\n',
  );
}
if (!only || only === 'auth-me') {
  const r = await measureAuthMeIsolated();
  console.log(`| GET /api/v1/auth/me (in-process, dynalite, ${r.iterations} alternating samples each, INFO logs) | median ms |`);
  console.log('|---|---:|');
  console.log(`| full middy stack | ${r.fullMs.toFixed(3)} |`);
  console.log(`| bare work (verify JWT + session read + permissions) | ${r.bareMs.toFixed(3)} |`);
  console.log(`| ratio (target ≤ 1.3×) | ${r.ratio.toFixed(2)}× |\n`);
}
// ~9 minutes (100,000 users: ~250 ms per sorted page × 200 samples × 2 × 3 offsets): only on request.
// `npm run bench -- users 1000,10000` measures only those sizes.
if (only === 'users') {
  const sizes = process.argv[3]
    ?.split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  printUsersList(await measureUsersList(sizes?.length ? sizes : undefined));
}
// `npm run bench -- cloud [N]`: N concurrent instance creates, API vs direct client (OS_AUTH_URL: a real cloud).
if (!only || only === 'cloud') {
  const n = Number(process.argv[3] ?? 100);
  printCloudCreate(await measureCloudCreate(Number.isInteger(n) && n > 0 ? n : 100));
}
if (!only || only === 'dev') {
  const r = await measureDevStart();
  console.log('| npm run dev | seconds |');
  console.log('|---|---:|');
  console.log(`| spawn → first healthy response (target ≤ 15 s) | ${r.seconds.toFixed(1)} |\n`);
}
process.exit(0);
