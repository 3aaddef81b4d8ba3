// Builds the server's start-up path (see BENCHMARKS.md):
// 1. esbuild bundles src/cli.ts into one CommonJS file, dist/server.cjs (native addons and pino stay external),
//    so start-up reads one file instead of resolving ~150 modules;
// 2. dist/cli.js is a small loader that compiles that file with a V8 code cache (dist/server.cjs.cache), made
//    here by one warm-up run of the server, so start-up skips most parsing and compiling. A cache V8 rejects
//    (another Node version) is ignored and the file compiles as usual.
// The library exports (dist/testing, dist/main.js, …) remain tsc's per-module output.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/server.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['better-sqlite3', 'fs-ext', 'pino'],
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
copyFileSync('scripts/cli-loader.mjs', 'dist/cli.js');
chmodSync('dist/cli.js', 0o755);

// Warm-up: a real start-up, initialize, a listing and a thread start exercise the functions worth caching.
const home = mkdtempSync(path.join(os.tmpdir(), 'codex-ts-build-'));
writeFileSync(path.join(home, 'config.toml'), 'model = "warm-up"\n');
try {
  await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/cli.js', 'app-server'], {
      env: { ...process.env, CODEX_HOME: home, CODEX_APP_SERVER_WRITE_CODE_CACHE: '1', LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const requests = [
      { id: 1, method: 'initialize', params: { clientInfo: { name: 'build', title: null, version: '0' } } },
      { id: 2, method: 'thread/list', params: {} },
      { id: 3, method: 'thread/start', params: {} },
      { id: 4, method: 'model/list', params: {} },
    ];
    let answered = 0;
    child.stdout.on('data', (chunk) => {
      answered += String(chunk).split('\n').filter((l) => l.startsWith('{"id"')).length;
      if (answered >= requests.length) child.stdin.end();
    });
    child.stdin.write(requests.map((r) => JSON.stringify(r)).join('\n') + '\n');
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`warm-up server exited with ${code}`))));
  });
} finally {
  rmSync(home, { recursive: true, force: true });
}
