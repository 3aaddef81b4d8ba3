// `npm run mutate`: mutation testing of the storage and transport layers with Stryker (not part of CI; slow).
// The unit tests of each folder are the ones that should kill its mutants; the integration suite drives dist/,
// which Stryker does not mutate, so it is left out.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  mutate: ['src/rollout/**/*.ts', 'src/state/**/*.ts', 'src/transport/**/*.ts'],
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 30_000,
  tempDirName: '.stryker-tmp',
  // dist/ stays: a few unit tests run the built server or copy it for an unprivileged child.
  ignorePatterns: ['bench', 'test/interop', 'test/reliability', 'test/integration', 'reports', '.ci'],
};
