import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn real server processes; two cores are the CI budget.
    pool: 'forks',
    maxWorkers: 2,
  },
});
