/**
 * Generated CODEX_HOMEs. A template per size is generated once into `bench/.cache/homes/tpl-<n>-v<version>/`
 * (rollouts + `session_index.jsonl` + `manifest.json`, no config and no database) and reused by later runs;
 * each measurement that needs a first start gets a fresh copy without any database.
 *
 * Copies hard-link the rollout files (`cp -al`): the servers only read them on these homes (backfill,
 * thread/list, thread/read), both servers get the same inodes, and copying 20,000 files this way is fast and
 * leaves no dirty page cache to be written back in the middle of a measurement. `verifyTemplate` checks after
 * the run that no server modified a template file through its link.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { prng, synthRollout } from './synth.mjs';

/** Bump when the generated content changes, so cached templates are regenerated. */
export const GENERATOR_VERSION = 3;
/** Newest thread's creation time: fixed, so every run and machine gets byte-identical homes. */
export const ANCHOR_MS = Date.parse('2026-11-24T21:17:00.000Z');
export const THREADS_PER_DAY = 20;
export const LONG_THREAD_TURNS = 200;
/** Position of the 200-turn thread in newest-first order: on the first page, as a user's active long thread is. */
export const LONG_THREAD_INDEX = 3;

const DAY_MS = 86_400_000;

function turnsFor(i) {
  if (i === LONG_THREAD_INDEX) return LONG_THREAD_TURNS;
  if (i % 20 === 7) return 6;
  if (i % 4 === 1) return 2;
  return 1;
}

const TOPICS = ['fix the flaky test in', 'refactor', 'add logging to', 'explain', 'write docs for', 'speed up', 'review'];

/**
 * Writes a template home with `count` rollouts under `sessions/YYYY/MM/DD/` (newest first: thread 0 at
 * ANCHOR_MS, then one every 72 min with up to 30 min of jitter, i.e. 20 per day), 1 in 50 named in
 * `session_index.jsonl`, and `manifest.json` listing ids and creation times newest first.
 */
export function generateTemplate(dir, count, log = () => {}) {
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const rand = prng(0xc0de + count);
  const spacing = DAY_MS / THREADS_PER_DAY;
  const threads = [];
  const names = [];
  let bytes = 0;
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const createdMs = ANCHOR_MS - i * spacing - Math.floor(rand() * 30 * 60_000);
    const turns = turnsFor(i);
    const texts = Array.from({ length: turns }, (_, k) =>
      i === LONG_THREAD_INDEX
        ? `Bench long thread, step ${k + 1}: continue the migration`
        : `Bench thread ${i}${k > 0 ? ` (follow-up ${k})` : ''}: ${TOPICS[i % TOPICS.length]} module_${i % 37}.ts`,
    );
    const r = synthRollout({ createdMs, turns, texts, cwd: `/home/bench/project-${i % 5}`, rand });
    const [y, m, d] = r.date.split('-');
    const dayDir = path.join(tmp, 'sessions', y, m, d);
    mkdirSync(dayDir, { recursive: true });
    const file = path.join(dayDir, r.fileName);
    writeFileSync(file, r.text);
    const mtime = new Date(r.lastWriteMs);
    utimesSync(file, mtime, mtime);
    bytes += Buffer.byteLength(r.text);
    threads.push({ id: r.id, createdMs: r.createdMs, turns });
    if (i % 50 === 10) names.push({ id: r.id, thread_name: `Named bench thread ${i}`, updated_at: new Date(r.lastWriteMs).toISOString().replace(/Z$/, '000000Z') });
    if ((i + 1) % 5000 === 0) log(`  ${i + 1}/${count} rollouts`);
  }
  writeFileSync(path.join(tmp, 'session_index.jsonl'), names.map((n) => JSON.stringify(n)).join('\n') + (names.length ? '\n' : ''));
  const manifest = {
    generatorVersion: GENERATOR_VERSION,
    count,
    bytes,
    longThreadId: threads[LONG_THREAD_INDEX]?.id ?? null,
    longThreadTurns: LONG_THREAD_TURNS,
    threadsPerDay: THREADS_PER_DAY,
    dayDirs: new Set(threads.map((t) => new Date(t.createdMs).toISOString().slice(0, 10))).size,
    generatedInMs: Math.round(performance.now() - started),
    threads,
  };
  writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return manifest;
}

/** The cached template for `count` rollouts, generated when missing or outdated. */
export function ensureTemplate(homesRoot, count, log = () => {}) {
  const dir = path.join(homesRoot, `tpl-${count}-v${GENERATOR_VERSION}`);
  const manifestPath = path.join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.generatorVersion === GENERATOR_VERSION && manifest.count === count) return { dir, manifest };
  }
  log(`generating a home with ${count} rollouts in ${dir} (once; cached for later runs)…`);
  const manifest = generateTemplate(dir, count, log);
  log(`  done: ${(manifest.bytes / 1e6).toFixed(0)} MB in ${manifest.dayDirs} date directories, ${(manifest.generatedInMs / 1000).toFixed(1)} s`);
  return { dir, manifest };
}

/** A fresh home: hard-linked rollouts, a copied session index, `config.toml` written by the caller. No DB. */
export function copyTemplate(template, dest) {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const r = spawnSync('cp', ['-al', path.join(template.dir, 'sessions'), path.join(dest, 'sessions')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`cp -al failed for ${template.dir}`);
  writeFileSync(path.join(dest, 'session_index.jsonl'), readFileSync(path.join(template.dir, 'session_index.jsonl')));
}

/**
 * Reads every rollout of the template once (into one reused buffer), so a start that follows finds the files in the
 * page cache. This machine drops a 3.8 GB home from its cache within minutes (a start after a pause read from disk:
 * 16.8 s against 7.6 s), which made the 100,000 row depend on which server ran first. Returns the bytes read.
 */
export function warmTemplate(template) {
  const buffer = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const fd = openSync(full, 'r');
        try {
          for (;;) {
            const n = readSync(fd, buffer, 0, buffer.length, null);
            if (n === 0) break;
            bytes += n;
          }
        } finally {
          closeSync(fd);
        }
      }
    }
  };
  walk(path.join(template.dir, 'sessions'));
  return bytes;
}

/** Count, total size and newest mtime of the template's rollouts; must not change during a run. */
export function templateFingerprint(template) {
  let files = 0;
  let bytes = 0;
  let newestMtimeMs = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const s = statSync(full);
        files += 1;
        bytes += s.size;
        newestMtimeMs = Math.max(newestMtimeMs, s.mtimeMs);
      }
    }
  };
  walk(path.join(template.dir, 'sessions'));
  return { files, bytes, newestMtimeMs };
}

/** The `thread/list` cursor of the default (file-scan) path that starts the page at position `offset`. */
export function cursorAt(manifest, offset) {
  const prev = manifest.threads[offset - 1];
  const seconds = new Date(Math.floor(prev.createdMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return `${seconds}|${prev.id}`;
}
