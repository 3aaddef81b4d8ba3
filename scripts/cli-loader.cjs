#!/usr/bin/env node
// The `codex-app-server-ts` entry point (copied to dist/cli.cjs by scripts/bundle.mjs): compiles the bundled
// server (dist/server.cjs) with the V8 code cache written at build time. See scripts/bundle.mjs.
// CommonJS on purpose: an ES module entry starts Node's ES module loader first (≈ 8 ms of CPU per start, measured in
// BENCHMARKS.md "Stop 26"), and nothing here needs it. dist/cli.js (ES module) still works: it loads this file.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const file = path.join(__dirname, 'server.cjs');
const cacheFile = `${file}.cache`;
const writeCache = process.env.CODEX_APP_SERVER_WRITE_CODE_CACHE === '1';

// The daemon's V8 memory flags are set by the server once its state DB is open (src/support/memory-flags.ts).

if (process.argv.slice(2).includes('generate-json-schema')) {
  // Not a start-up path (`generate-json-schema` or `app-server generate-json-schema`, global options allowed before
  // either): run the per-module build, which can load the schema export dynamically.
  import('./main.js').then(
    async ({ main }) => process.exit(await main(process.argv.slice(2))),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
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
  const bundled = { exports: {} };
  script.runInThisContext()(bundled.exports, createRequire(file), bundled, file, __dirname);
}
