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

// The daemon's V8 memory flags are set by the server once its state DB is open (src/support/memory-flags.ts).

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
