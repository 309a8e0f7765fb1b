import type { Platform } from './platform.js';

export interface Check {
  status: 'up' | 'down';
  latency_ms: number;
  error?: string;
}

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  const start = performance.now();
  try {
    await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs))]);
    return { status: 'up', latency_ms: Math.round(performance.now() - start) };
  } catch (e) {
    // The dependency's name is the check's key; its error class is enough (no hostnames, no credentials).
    return { status: 'down', latency_ms: Math.round(performance.now() - start), error: (e as Error).name === 'Error' ? (e as Error).message.slice(0, 80) : (e as Error).name };
  }
}

/** Checks run in parallel, each bounded, so a dead dependency answers 503 quickly instead of hanging. */
export async function health(p: Platform, timeoutMs = 2000) {
  const [ldap, database, workflows] = await Promise.all([
    timed(() => p.directory.ping(), timeoutMs),
    timed(() => p.db.describeTable(), timeoutMs),
    timed(() => p.workflows.listStateMachines({ maxResults: 1 }), timeoutMs),
  ]);
  const checks = { ldap, database, workflows };
  const healthy = Object.values(checks).every((c) => c.status === 'up');
  return { status: healthy ? ('healthy' as const) : ('unhealthy' as const), checks };
}
