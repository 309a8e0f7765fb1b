import { defineConfig } from 'vitest/config';

/** The provider contract against a real OpenStack (test/openstack/run.sh, `npm run test:openstack`). */
export default defineConfig({
  test: {
    include: ['test/openstack/real-openstack.spec.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
