/**
 * `npm run dev`: the whole API on this machine with its embedded defaults. Prints the URL and the demo
 * login once the API answers healthy; Ctrl-C / SIGTERM stops everything it started.
 */
import { optionsFromEnv, startStack } from './stack/stack.js';

const started = Date.now();
const o = optionsFromEnv();
const stops: (() => Promise<void>)[] = [];
let stopping = false;
const shutdown = async (signal: string, code = 0) => {
  if (stopping) return;
  stopping = true;
  o.log(`\n${signal}: stopping…`);
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  o.log('Stopped.');
  process.exit(code);
};
// Registered before start-up so that Ctrl-C while starting still stops what already runs.
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

o.log('Starting the ApiBibind offline stack…');
const stack = await startStack(o, stops).catch(async (e: Error) => {
  process.stderr.write(`\nCould not start the stack: ${e.message}\n`);
  await shutdown('error', 1);
  throw e;
});

let healthy = false;
for (let i = 0; i < 300 && !healthy; i++) {
  try {
    const res = await fetch(`${stack.apiUrl}/health`);
    healthy = res.status === 200;
  } catch {
    /* not yet */
  }
  if (!healthy) await new Promise((r) => setTimeout(r, 100));
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (!healthy) {
  process.stderr.write('The API did not become healthy; see GET /api/v1/health\n');
}
o.log(`
ApiBibind is ${healthy ? 'ready' : 'up (unhealthy)'} in ${seconds} s
  API        ${stack.apiUrl}
  Docs       ${stack.apiUrl}/docs
  Demo login username "admin", password "${process.env.BOOTSTRAP_ADMIN_PASSWORD ? '<BOOTSTRAP_ADMIN_PASSWORD>' : o.adminPassword}"
             curl -s -X POST ${stack.apiUrl}/auth/login -H 'Content-Type: application/json' -d '{"username":"admin","password":"…"}'
Press Ctrl-C to stop.`);
