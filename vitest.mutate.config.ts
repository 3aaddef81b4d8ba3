import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Stryker (`npm run mutate`) runs only the unit tests: they import src/ directly, so they see the mutants. The
// layering test reads the source text, which Stryker's instrumentation rewrites, so it stays out.
// Not `mergeConfig`: it concatenates arrays, which would keep the base's `test/**` include.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/unit/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/unit/architecture/**'],
  },
});
