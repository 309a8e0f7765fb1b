import { defineConfig } from 'vitest/config';

/**
 * Suites against a real OpenStack (test/openstack/run.sh, `npm run test:openstack`): the provider contract
 * (real-openstack.spec.ts) and the other `test/openstack/*.spec.ts`, which run.sh runs after it (RUN_EXTRA).
 */
export default defineConfig({
  test: {
    include: ['test/openstack/*.spec.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
