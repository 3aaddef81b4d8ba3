#!/usr/bin/env node
// The `codex-app-server-ts` entry point (copied to dist/cli.js by scripts/bundle.mjs): compiles the bundled
// server (dist/server.cjs) with the V8 code cache written at build time. See scripts/bundle.mjs.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const file = fileURLToPath(new URL('./server.cjs', import.meta.url));
const cacheFile = `${file}.cache`;
const writeCache = process.env.CODEX_APP_SERVER_WRITE_CODE_CACHE === '1';

// Memory bounded by design (issue 18): a daemon that runs all day should not let V8 keep garbage it could collect.
// - The young generation stays at its size instead of doubling up to 2 × 16 MiB under a steady allocation rate
//   (turns, reads): 30 MiB of RSS that V8 otherwise keeps for the life of the process.
// - The old generation grows by 15 % per full GC instead of V8's 1.1–4×, so dead request and history data are
//   collected before they pile up.
// Applied once start-up is over: during start-up they cost ≈ 13 % more CPU (more, smaller collections while the
// bundle is compiled and the state DB opened), and changing flags before the compile would also make V8 reject
// the code cache. A timer, unref'd: it never keeps the process alive. Not in the build's warm-up run: the
// code cache written at its exit must carry the flags a normal start compiles with.
const MEMORY_FLAGS_DELAY_MS = 1000;
if (!writeCache) {
  setTimeout(() => {
    // node:v8 loads here, not at start-up (≈ 8 internal modules).
    const v8 = createRequire(import.meta.url)('node:v8');
    v8.setFlagsFromString('--semi-space-growth-factor=1');
    v8.setFlagsFromString('--heap-growing-percent=15');
  }, MEMORY_FLAGS_DELAY_MS).unref();
}

if (process.argv.slice(2).includes('generate-json-schema')) {
  // Not a start-up path (`generate-json-schema` or `app-server generate-json-schema`, global options allowed before
  // either): run the per-module build, which can load the schema export dynamically.
  const { main } = await import('./main.js');
  process.exit(await main(process.argv.slice(2)));
}

let cachedData;
if (!writeCache) {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
}
// The bundle keeps src/cli.ts's hashbang line; comment it out (same length, same line numbers).
const source = readFileSync(file, 'utf8').replace(/^#!/, '//');
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
if (writeCache) {
  // Build-time only (scripts/bundle.mjs): after a warm-up run, keep what V8 compiled.
  process.on('exit', () => writeFileSync(cacheFile, script.createCachedData()));
}
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, fileURLToPath(new URL('.', import.meta.url)));
