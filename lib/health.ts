import type { Platform } from './platform.js';

export interface Check {
  status: 'up' | 'down';
  latency_ms: number;
  error?: string;
}

class CheckTimeout extends Error {
  constructor() {
    super('timeout');
    this.name = 'Timeout';
  }
}

async function timed(fn: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new CheckTimeout()), timeoutMs)))]);
    return { status: 'up', latency_ms: Math.round(performance.now() - start) };
  } catch (e) {
    // The endpoint is public: only the error's class, never its message (hostnames, addresses, users).
    const name = e instanceof Error && e.name !== 'Error' ? e.name : 'Error';
    return { status: 'down', latency_ms: Math.round(performance.now() - start), error: name };
  } finally {
    clearTimeout(timer);
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
