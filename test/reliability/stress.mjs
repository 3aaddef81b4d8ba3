#!/usr/bin/env node
/**
 * `npm run stress`: the reliability suite (test/reliability) with its full counts — 100,000 fuzzed
 * messages, 300 SIGKILLs, 300 turns in flight, longer concurrent runs — instead of the CI counts.
 *
 *   npm run stress                      build, then run every reliability file
 *   npm run stress -- crash-safety      only files whose name matches (vitest filters)
 *   npm run stress -- --no-build        skip `npm run build` (dist/ must be current)
 *   RELIABILITY_SEED=123 npm run stress replay the random choices of an earlier run
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
const filters = args.filter((a) => a !== '--no-build');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

const started = performance.now();
if (!noBuild) {
  const build = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const targets = filters.length > 0 ? filters.map((f) => (f.includes('/') ? f : `test/reliability/${f}`)) : ['test/reliability'];
const run = spawnSync(npx, ['vitest', 'run', ...targets], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, RELIABILITY_PROFILE: 'stress' },
});
const seconds = ((performance.now() - started) / 1000).toFixed(1);
process.stderr.write(`\n[stress] ${run.status === 0 ? 'passed' : 'FAILED'} in ${seconds} s (RELIABILITY_PROFILE=stress)\n`);
process.exit(run.status ?? 1);
