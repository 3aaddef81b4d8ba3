import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// Stryker (`npm run mutate`) runs only the unit tests: they import src/ directly, so they see the mutants. The
// layering test reads the source text, which Stryker's instrumentation rewrites, so it stays out.
export default mergeConfig(
  base,
  defineConfig({ test: { include: ['test/unit/**/*.test.ts'], exclude: ['**/node_modules/**', 'test/unit/architecture/**'] } }),
);
