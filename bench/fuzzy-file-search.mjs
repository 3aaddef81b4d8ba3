#!/usr/bin/env node
/**
 * `node bench/fuzzy-file-search.mjs [--files 50000] [--iterations 10] [--reference]`: one benchmark row for
 * `fuzzyFileSearch` (issue 15 asks for < 100 ms on a 50,000-file tree). Generates a tree of `--files` files in
 * nested folders (with a .gitignore and an ignored folder, inside a Git work tree) under bench/.cache/, starts the
 * built server (and, with --reference, the reference binary from CODEX_REFERENCE_BIN) and times request → answer
 * for a few queries; iteration 0 is a discarded warm-up. Prints a Markdown row per server: median and p90 in ms.
 * Not a test: nothing is asserted.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { files: { type: 'string', default: '50000' }, iterations: { type: 'string', default: '10' }, reference: { type: 'boolean', default: false } } });
const FILES = Number(values.files);
const ITERATIONS = Number(values.iterations);
const REPO = path.resolve(import.meta.dirname, '..');
const CACHE = path.join(REPO, 'bench', '.cache', 'fuzzy');
const TREE = path.join(CACHE, `tree-${FILES}`);
const HOME = path.join(CACHE, 'home');

function makeTree() {
  if (existsSync(path.join(TREE, '.done'))) return;
  mkdirSync(path.join(TREE, '.git'), { recursive: true });
  writeFileSync(path.join(TREE, '.gitignore'), 'ignored/\n*.log\n');
  const words = ['alpha', 'beta', 'gamma', 'delta', 'omega', 'kappa', 'sigma', 'theta'];
  for (let i = 0; i < FILES; i++) {
    const dir = path.join(TREE, words[i % 8], words[Math.floor(i / 8) % 8], `d${Math.floor(i / 64) % 100}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${words[(i * 7) % 8]}_${i}.ts`), '');
  }
  mkdirSync(path.join(TREE, 'ignored'), { recursive: true });
  writeFileSync(path.join(TREE, '.done'), '');
}

async function timeServer(label, command) {
  mkdirSync(HOME, { recursive: true });
  writeFileSync(path.join(HOME, 'config.toml'), 'model = "mock-model"\n[features]\nplugins = false\n');
  const child = spawn(command[0], command.slice(1), { env: { ...process.env, CODEX_HOME: HOME, RUST_LOG: 'error', LOG_LEVEL: 'silent' }, stdio: ['pipe', 'pipe', 'ignore'] });
  let buffer = '';
  const waiting = new Map();
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const message = JSON.parse(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
      waiting.get(message.id)?.(message);
    }
  });
  let id = 0;
  const request = (method, params) => new Promise((resolve) => {
    id += 1;
    waiting.set(id, resolve);
    child.stdin.write(`${JSON.stringify({ id, method, params })}\n`);
  });
  await request('initialize', { clientInfo: { name: 'bench', title: null, version: '1' } });
  child.stdin.write('{"method":"initialized"}\n');
  const samples = [];
  const queries = ['alpha', 'omg12', 'sigma_4999', 'kap'];
  for (let n = 0; n <= ITERATIONS; n++) {
    const started = process.hrtime.bigint();
    const answer = await request('fuzzyFileSearch', { query: queries[n % queries.length], roots: [TREE] });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!answer.result) throw new Error(`${label}: ${JSON.stringify(answer)}`);
    if (n > 0) samples.push(ms);
  }
  child.stdin.end();
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  console.log(`| fuzzyFileSearch, ${FILES.toLocaleString('en')} files | ${label} | ${at(0.5).toFixed(1)} ms | ${at(0.9).toFixed(1)} ms |`);
}

makeTree();
console.log('| metric | server | median | p90 |\n|---|---|---|---|');
await timeServer('ours', [process.execPath, path.join(REPO, 'dist', 'cli.cjs'), 'app-server']);
if (values.reference && process.env.CODEX_REFERENCE_BIN) await timeServer('reference', [process.env.CODEX_REFERENCE_BIN, 'app-server']);
