#!/usr/bin/env node
/**
 * A small load run of `--listen ws://` (issue 16; not part of the test suite): N clients connect at once to one
 * server, each initializes and then sends M requests pipelined (one `thread/start`, then `thread/list`,
 * `thread/loaded/list` and `model/list` in turn), and waits for all M answers. Reports requests/s (the M×N
 * requests after `initialize`, over the wall time from the first request to the last answer) and the server's peak
 * RSS (`VmHWM` of /proc/<pid>/status, read before it is stopped).
 *
 *   node bench/ws-load.mjs [--clients 50] [--requests 10] [--bin ours|reference|PATH]
 *
 * `ours` is dist/cli.cjs (build first); `reference` is CODEX_REFERENCE_BIN or the installed 0.169.0 binary. Each
 * run gets a fresh CODEX_HOME under bench/.cache/ws-load/ (outside /tmp, which the reference refuses) whose
 * config.toml points at a mock Responses server and sets `[features] plugins = false`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { configTomlContents, createMockResponsesServerRepeatingAssistant, WsClient } from '../dist/testing/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REFERENCE = process.env.CODEX_REFERENCE_BIN ?? path.join(os.homedir(), '.cache/codex-app-server-ts/reference-0.169.0/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex');
const { values } = parseArgs({ options: { clients: { type: 'string', default: '50' }, requests: { type: 'string', default: '10' }, bin: { type: 'string', default: 'ours' } } });
const clients = Number(values.clients);
const perClient = Number(values.requests);
const bin = values.bin === 'ours' ? path.join(ROOT, 'dist/cli.cjs') : values.bin === 'reference' ? REFERENCE : values.bin;

const mock = await createMockResponsesServerRepeatingAssistant('Done');
const home = path.join(ROOT, 'bench/.cache/ws-load', `run-${process.pid}`);
mkdirSync(home, { recursive: true });
writeFileSync(path.join(home, 'config.toml'), configTomlContents(mock.uri, { features: { plugins: false } }));

const command = bin.endsWith('.js') ? [process.execPath, bin] : [bin];
const child = spawn(command[0], [...command.slice(1), 'app-server', '--listen', 'ws://127.0.0.1:0'], {
  env: { ...process.env, CODEX_HOME: home, RUST_LOG: 'error', LOG_LEVEL: 'error' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let stderr = '';
const url = await new Promise((resolve, reject) => {
  child.stderr.on('data', (chunk) => {
    stderr += chunk.toString();
    const m = /listening on: (ws:\/\/\S+)/.exec(stderr);
    if (m && /healthz: /.test(stderr)) resolve(m[1]);
  });
  child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${stderr}`)));
});

const methods = ['thread/list', 'thread/loaded/list', 'model/list'];
const paramsOf = { 'thread/list': { limit: 10 }, 'thread/loaded/list': {}, 'model/list': { limit: 5 } };
const connected = await Promise.all(Array.from({ length: clients }, () => WsClient.connect(url, { readTimeoutMs: 120_000 })));
await Promise.all(connected.map((c, i) => c.initialize(`load_${i}`)));
const started = performance.now();
let errors = 0;
await Promise.all(
  connected.map(async (c) => {
    const ids = [];
    for (let k = 0; k < perClient; k++) {
      const method = k === 0 ? 'thread/start' : methods[(k - 1) % methods.length];
      ids.push(c.request(method, k === 0 ? {} : paramsOf[method]));
    }
    for (const id of ids) if ('error' in (await c.answer(id))) errors++;
  }),
);
const elapsedMs = performance.now() - started;
const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
const peakRssKb = Number(/VmHWM:\s+(\d+)/.exec(status)[1]);
await Promise.all(connected.map((c) => c.close()));
child.kill('SIGTERM');
await new Promise((resolve) => child.on('exit', resolve));
await mock.close();
rmSync(home, { recursive: true, force: true });

const total = clients * perClient;
console.log(
  JSON.stringify({
    server: values.bin,
    clients,
    requestsPerClient: perClient,
    requests: total,
    errors,
    elapsedMs: Math.round(elapsedMs),
    requestsPerSecond: Math.round((total / elapsedMs) * 1000),
    peakRssMiB: Math.round((peakRssKb / 1024) * 10) / 10,
  }),
);
