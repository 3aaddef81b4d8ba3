import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fixed fast-check seed outside `npm run stress` (see the file).
    setupFiles: ['test/support/setup.ts'],
    // Third-party tools the interop tests install ship their own tests.
    exclude: ['**/node_modules/**', 'test/interop/.tools/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests spawn real server processes; two cores are the CI budget.
    pool: 'forks',
    maxWorkers: 2,
  },
});
