import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fixed fast-check seed outside `npm run stress` (see the file).
    setupFiles: ['test/support/setup.ts'],
    // Third-party tools the interop tests install ship their own tests.
    exclude: ['**/node_modules/**', 'test/interop/.tools/**'],
    // Hang guards, not speed checks (timings live in `npm run bench`): generous enough that a test spawning servers
    // still finishes on a 2-core CI machine that other jobs keep busy.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration tests spawn real server processes; two cores are the CI budget.
    pool: 'forks',
    maxWorkers: 2,
  },
});
