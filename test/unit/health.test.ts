import { describe, expect, it } from 'vitest';
import { health } from '../../lib/health.js';
import { DependencyUnavailableError } from '../../lib/core/errors.js';
import type { Platform } from '../../lib/platform.js';

const platformWith = (over: {
  ping?: () => Promise<number>;
  describeTable?: () => Promise<unknown>;
  listStateMachines?: () => Promise<unknown>;
}) =>
  ({
    directory: { ping: over.ping ?? (async () => 1) },
    db: { describeTable: over.describeTable ?? (async () => ({})) },
    workflows: { listStateMachines: over.listStateMachines ?? (async () => ({})) },
  }) as unknown as Platform;

describe('health', () => {
  it('is healthy when every dependency answers', async () => {
    const h = await health(platformWith({}));
    expect(h.status).toBe('healthy');
    expect(Object.keys(h.checks).sort()).toEqual(['database', 'ldap', 'workflows']);
  });

  it('reports a failing dependency down with its error class only', async () => {
    const h = await health(
      platformWith({
        ping: async () => {
          throw new DependencyUnavailableError('ldap', new Error('connect ECONNREFUSED 10.1.2.3:389'));
        },
        describeTable: async () => {
          throw new Error('getaddrinfo ENOTFOUND dynamodb.internal.example');
        },
      }),
    );
    expect(h.status).toBe('unhealthy');
    expect(h.checks.ldap).toMatchObject({ status: 'down', error: 'DependencyUnavailableError' });
    expect(h.checks.database).toMatchObject({ status: 'down', error: 'Error' });
    expect(JSON.stringify(h)).not.toMatch(/10\.1\.2\.3|internal\.example/);
  });

  it('bounds a hanging dependency by the timeout', async () => {
    const started = Date.now();
    const h = await health(platformWith({ listStateMachines: () => new Promise(() => undefined) }), 100);
    expect(h.checks.workflows).toMatchObject({ status: 'down', error: 'Timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
