// Builds the server's start-up path (see BENCHMARKS.md):
// 1. esbuild bundles src/cli.ts into one CommonJS file, dist/server.cjs (native addons and pino stay external),
//    so start-up reads one file instead of resolving ~150 modules;
// 2. dist/cli.cjs (the `bin`; dist/cli.js loads it too) is a small loader that compiles that file with a V8 code
//    cache (dist/server.cjs.cache), made here by one warm-up run of the server, so start-up skips most parsing and
//    compiling. A cache V8 rejects (another Node version) is ignored and the file compiles as usual.
// The library exports (dist/testing, dist/main.js, …) remain tsc's per-module output.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * vscode-jsonrpc requires node:crypto when it loads, for ids it makes only on request (`randomUUID`, pipe names): its
 * `require('crypto')` gets a stand-in that loads node:crypto on the first property read, so start-up does not pay
 * for it (≈ 17 internal modules, ≈ 2 ms of every start). Only for this CommonJS package, which reads the
 * properties when it calls them; an ES module importer would copy them all at once.
 */
const lazyCryptoForJsonRpc = {
  name: 'lazy-crypto-for-vscode-jsonrpc',
  setup(b) {
    b.onResolve({ filter: /^(node:)?crypto$/ }, (args) =>
      /[\\/]node_modules[\\/]vscode-jsonrpc[\\/]/.test(args.importer) ? { path: 'crypto', namespace: 'lazy-crypto' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-crypto' }, () => ({
      contents: "let crypto;\nmodule.exports = new Proxy({}, { get: (_, key) => (crypto ??= require('node:crypto'))[key] });\n",
      loader: 'js',
    }));
  },
};

/**
 * fzf (fuzzy file search) builds tables and buffers when its module initialises (≈ 2 ms of every start): in the
 * bundle, src/discovery/file-search.ts gets a stand-in `Fzf` whose first construction initialises the real module
 * (bundled, lazily). The only use is `new Fzf(…)`; the stand-in's constructor returns the real matcher.
 */
const lazyFzf = {
  name: 'lazy-fzf',
  setup(b) {
    b.onResolve({ filter: /^fzf$/ }, (args) =>
      args.pluginData === 'real' || !/[\\/]src[\\/]discovery[\\/]file-search\.ts$/.test(args.importer) ? undefined : { path: 'fzf', namespace: 'lazy-fzf' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-fzf' }, async () => {
      const real = await b.resolve('fzf', { kind: 'import-statement', resolveDir: process.cwd(), pluginData: 'real' });
      if (real.errors.length > 0) throw new Error(`lazy-fzf: ${real.errors[0].text}`);
      return {
        contents: `let real;\nexport class Fzf {\n  constructor(...args) {\n    real ??= require(${JSON.stringify(real.path)});\n    return new real.Fzf(...args);\n  }\n}\n`,
        loader: 'js',
        resolveDir: process.cwd(),
      };
    });
  },
};

await build({
  entryPoints: ['src/cli.ts'],
  plugins: [lazyCryptoForJsonRpc, lazyFzf],
  outfile: 'dist/server.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // better-sqlite3's JS is bundled (its addon is located by src/state/open.ts); fs-ext and pino load on first use;
  // node-pty (pseudo-terminals for exec_command tty=true) loads its native addon relative to its own files.
  external: ['fs-ext', 'pino', 'node-pty'],
  // Without whitespace and comments: a third smaller, and pure ASCII (a few comments held `…` or `§`), so start-up
  // reads it into a one-byte string instead of decoding 1.4 MB into a two-byte one (≈ 3 ms of every start).
  // Names are kept: stack traces still name every function.
  minifyWhitespace: true,
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
// esbuild escapes non-ASCII characters in strings and the minified output has no comments: a non-ASCII byte would
// make the whole source a two-byte string again (see above), so say so.
if (/[^\x00-\x7f]/.test(readFileSync('dist/server.cjs', 'latin1'))) console.warn('bundle: dist/server.cjs is not pure ASCII; start-up decodes it into a two-byte string');
// The backfill's summariser thread (src/state/backfill-pool.ts) loads its own small bundle, next to server.cjs.
await build({
  entryPoints: ['src/state/backfill-worker.ts'],
  outfile: 'dist/backfill-worker.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
copyFileSync('scripts/cli-loader.cjs', 'dist/cli.cjs');
chmodSync('dist/cli.cjs', 0o755);
copyFileSync('scripts/cli-esm-entry.mjs', 'dist/cli.js');
chmodSync('dist/cli.js', 0o755);
rmSync('dist/cli.js.map', { force: true }); // tsc's map of the src/cli.ts module the two files above replace

// Warm-up: a real start-up (with a backfill of two stored threads), initialize, listings of stored threads, a read, a
// thread start and one turn against a local stand-in model exercise the functions worth caching (start-up, backfill,
// listing, the turn runner, the HTTP/SSE client). Functions a warm-up never ran are compiled on their first call:
// with an empty home, the first `thread/list` of a real one compiled its per-thread path (≈ 1–2 ms).
const model = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const item = { type: 'message', id: 'msg_warm', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'ok', annotations: [] }] };
    const events = [
      { type: 'response.created', response: { id: 'resp_warm' } },
      { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
      { type: 'response.output_text.delta', item_id: 'msg_warm', output_index: 0, content_index: 0, delta: 'ok' },
      { type: 'response.output_item.done', output_index: 0, item },
      { type: 'response.completed', response: { id: 'resp_warm', usage: { input_tokens: 1, input_tokens_details: { cached_tokens: 0 }, output_tokens: 1, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 2 } } },
    ];
    res.end(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
  });
});
await new Promise((resolve) => model.listen(0, '127.0.0.1', resolve));
const { port } = model.address();
const home = mkdtempSync(path.join(os.tmpdir(), 'codex-ts-build-'));
// Two threads the reference 0.169.0 wrote (one named in session_index.jsonl); absent from a package without fixtures.
const FIXTURE_HOME = 'fixtures/rollouts/0.169.0';
const STORED_THREAD_ID = '01a211bb-1b90-7a63-a05b-5f773a6eefd3';
const withStoredThreads = existsSync(path.join(FIXTURE_HOME, 'sessions'));
if (withStoredThreads) {
  cpSync(path.join(FIXTURE_HOME, 'sessions'), path.join(home, 'sessions'), { recursive: true });
  cpSync(path.join(FIXTURE_HOME, 'session_index.jsonl'), path.join(home, 'session_index.jsonl'));
}
writeFileSync(
  path.join(home, 'config.toml'),
  `model = "warm-up"\nmodel_provider = "warm"\napproval_policy = "never"\n[model_providers.warm]\nname = "warm-up"\nbase_url = "http://127.0.0.1:${port}/v1"\nwire_api = "responses"\nrequest_max_retries = 0\nstream_max_retries = 0\n`,
);
try {
  await new Promise((resolve, reject) => {
    // The cache is an optimisation: a warm-up that cannot finish must not fail or hang the install.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('warm-up timed out'));
    }, 60_000);
    const child = spawn(process.execPath, ['dist/cli.cjs', 'app-server'], {
      env: { ...process.env, CODEX_HOME: home, CODEX_APP_SERVER_WRITE_CODE_CACHE: '1', LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const send = (message) => child.stdin.write(JSON.stringify(message) + '\n');
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += String(chunk);
      let newline;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const message = JSON.parse(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        if (message.id === 3) send({ id: 4, method: 'turn/start', params: { threadId: message.result.thread.id, input: [{ type: 'text', text: 'warm up' }] } });
        if (message.method === 'turn/completed') send({ id: 5, method: 'thread/list', params: {} });
        if (message.id === 5) child.stdin.end();
      }
    });
    send({ id: 1, method: 'initialize', params: { clientInfo: { name: 'build', title: null, version: '0' } } });
    send({ id: 2, method: 'thread/list', params: {} });
    // A page that ends before the last thread (its cursor), the DB-only page, a stored thread's read.
    send({ id: 21, method: 'thread/list', params: { limit: 1 } });
    send({ id: 22, method: 'thread/list', params: { useStateDbOnly: true } });
    if (withStoredThreads) send({ id: 23, method: 'thread/read', params: { threadId: STORED_THREAD_ID } });
    send({ id: 3, method: 'thread/start', params: {} });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`warm-up server exited with ${code}`));
    });
  });
} catch (error) {
  rmSync('dist/server.cjs.cache', { force: true });
  console.warn(`bundle: no V8 code cache (${error.message}); start-up compiles dist/server.cjs as usual`);
} finally {
  model.close();
  rmSync(home, { recursive: true, force: true });
}
