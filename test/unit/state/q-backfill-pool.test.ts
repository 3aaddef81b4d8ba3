import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { summarizeRollout } from '../../../src/rollout/summary.js';
import { BACKFILL_BATCH_SIZE, runBackfill, type BackfillDeps, type Summarize } from '../../../src/state/backfill.js';
import { startSummaryPool } from '../../../src/state/backfill-pool.js';
import { BackfillLease } from '../../../src/state/lease.js';
import type { SearchTables } from '../../../src/state/search-index.js';
import { collectRolloutFiles, type RolloutFile } from '../../../src/state/rollout-files.js';
import { SpawnEdges } from '../../../src/state/spawn-edges.js';
import { ThreadsTable } from '../../../src/state/threads.js';
import { makeTempHome, recordingLogger } from './helpers.js';
import { manualClock, schemaDb } from './k-db.js';

// Worker threads cannot load TypeScript: the pool runs the built worker (`npm test` builds dist/ first).
const WORKER_URL = new URL('../../../dist/state/backfill-worker.js', import.meta.url);
const FIXTURES = fileURLToPath(new URL('../../../fixtures/rollouts/', import.meta.url));
const T0 = 1_700_000_000_000;

function rolloutFixtures(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.jsonl') && entry.name.includes('rollout-')) out.push(full);
    }
  };
  walk(FIXTURES);
  return out.sort();
}

/**
 * `count` rollouts copied round-robin from every fixture rollout (all formats, torn and unknown lines), some
 * archived, plus files no summariser accepts (empty, not JSON): several batches of real content.
 */
function homeWithRollouts(count: number): string {
  const home = makeTempHome('q-pool-');
  const sources = rolloutFixtures();
  for (let i = 0; i < count; i += 1) {
    const archived = i % 17 === 5;
    const dir = archived ? path.join(home, 'archived_sessions') : path.join(home, 'sessions', '2026', '11', String(1 + (i % 28)).padStart(2, '0'));
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `rollout-2026-11-01T00-00-${String(i).padStart(4, '0')}.jsonl`);
    if (i % 97 === 13) writeFileSync(file, '');
    else if (i % 97 === 14) writeFileSync(file, 'not json\n');
    else copyFileSync(sources[i % sources.length] as string, file);
    const mtime = new Date(T0 + i * 1000);
    utimesSync(file, mtime, mtime);
  }
  return home;
}

const inThread: Summarize = (file, archived) => summarizeRollout(file, archived, { withText: true });

/** Runs a backfill of `home` into a fresh database; returns its rows, edges, search writes, stats and warnings. */
async function backfill(home: string, pool: BackfillDeps['pool'], summarize: Summarize = inThread) {
  const db = schemaDb();
  const log = recordingLogger();
  const writes: unknown[] = [];
  const tables = { writePending: (entries: unknown[]) => writes.push(...entries) } as unknown as SearchTables;
  const stats = await runBackfill({
    codexHome: home, db, lease: new BackfillLease(db, manualClock(T0)), threads: new ThreadsTable(db, 'openai'), edges: new SpawnEdges(db),
    summarize, log, search: { tables, names: () => Promise.resolve(new Map()) }, pool,
  });
  return {
    stats,
    rows: db.prepare('SELECT * FROM threads ORDER BY id').all(),
    edges: db.prepare('SELECT * FROM thread_spawn_edges ORDER BY child_thread_id').all(),
    writes,
    warnings: log.warnings,
  };
}

function pool(workerUrl: URL, size = 2, log = recordingLogger()): NonNullable<BackfillDeps['pool']> {
  return (_count, fallback) => startSummaryPool({ workerUrl, size, withText: true, inThread: fallback, log });
}

function files(n: number, tag: string): RolloutFile[] {
  return Array.from({ length: n }, (_, i) => ({ path: `/nowhere/${tag}-${i}.jsonl`, archived: false, watermark: `${tag}-${i}` }));
}

const neverInThread = (): Promise<never> => Promise.reject(new Error('the pool summarised in the main thread'));

/** A worker script in the test's home: `body` runs in the worker thread. */
function workerScript(home: string, name: string, body: string): URL {
  const file = path.join(home, name);
  writeFileSync(file, `import { parentPort } from 'node:worker_threads';\n${body}\n`);
  return new URL(`file://${file}`);
}

describe('backfill summariser threads', () => {
  test('the built worker exists (run `npm run build` first)', () => {
    expect(existsSync(fileURLToPath(WORKER_URL))).toBe(true);
    expect(statSync(fileURLToPath(WORKER_URL)).isFile()).toBe(true);
  });

  test('rows, edges, search texts, stats and warnings are the same as summarising in the main thread', async () => {
    const home = homeWithRollouts(2 * BACKFILL_BATCH_SIZE + 150);
    const plain = await backfill(home, null);
    const pooled = await backfill(home, pool(WORKER_URL));
    expect(plain.stats.failed).toBeGreaterThan(0);
    expect(plain.rows.length).toBeGreaterThan(5);
    expect(plain.writes.length).toBeGreaterThan(plain.rows.length);
    expect(pooled).toEqual(plain);
  });

  test('a worker that dies while reading counts the files it held as failed; later batches are read in the main thread', async () => {
    const home = homeWithRollouts(2 * BACKFILL_BATCH_SIZE + 30);
    const crashing = workerScript(home, 'crash.mjs', `parentPort.on('message', () => process.exit(3));\nparentPort.postMessage({ ready: true });`);
    // Two batches per worker are in flight: both were sent to the worker before it died.
    const held = new Set((await collectRolloutFiles(home, recordingLogger())).slice(0, 2 * BACKFILL_BATCH_SIZE).map((f) => f.path));
    const expected = await backfill(home, null, (file, archived) => (held.has(file) ? Promise.resolve(null) : inThread(file, archived)));
    const poolLog = recordingLogger();
    const pooled = await backfill(home, pool(crashing, 1, poolLog));
    expect(poolLog.warnings).toEqual([`backfill summariser thread failed (exited with code 3); ${2 * BACKFILL_BATCH_SIZE} rollout files counted as failed`]);
    expect(expected.stats.failed).toBeGreaterThanOrEqual(2 * BACKFILL_BATCH_SIZE);
    expect(expected.rows.length).toBeGreaterThan(0);
    expect(pooled).toEqual(expected);
  });

  test('a worker that fails before loading leaves every batch to the main thread: same result as without a pool', async () => {
    const home = homeWithRollouts(BACKFILL_BATCH_SIZE + 30);
    const broken = workerScript(home, 'broken.mjs', `throw new Error('cannot load');`);
    const plain = await backfill(home, null);
    const poolLog = recordingLogger();
    const pooled = await backfill(home, pool(broken, 1, poolLog));
    expect(poolLog.warnings).toEqual(['backfill summariser thread failed to start (Error: cannot load); summarising in the main thread']);
    expect({ ...pooled, warnings: [] }).toEqual({ ...plain, warnings: [] });
    expect(pooled.warnings.slice(-plain.warnings.length)).toEqual(plain.warnings);
  });

  test('a worker that throws after loading (here: a reply it cannot clone) counts its files as failed', async () => {
    const home = homeWithRollouts(30);
    const bad = workerScript(home, 'bad.mjs', `parentPort.on('message', (m) => parentPort.postMessage({ id: m.id, summaries: [() => 1] }));\nparentPort.postMessage({ ready: true });`);
    const result = await backfill(home, pool(bad, 1));
    expect(result.stats).toEqual({ scanned: 30, upserted: 0, failed: 30 });
    expect(result.rows).toEqual([]);
  });

  test('two batches per worker are kept in flight; at least one worker', async () => {
    const home = makeTempHome('q-pool-');
    const idle = workerScript(home, 'idle.mjs', `parentPort.postMessage({ ready: true });`);
    const two = startSummaryPool({ workerUrl: idle, size: 2, withText: false, inThread: neverInThread, log: recordingLogger() });
    const none = startSummaryPool({ workerUrl: idle, size: 0, withText: false, inThread: neverInThread, log: recordingLogger() });
    expect([two.lookahead, none.lookahead]).toEqual([4, 2]);
    await Promise.all([two.close(), none.close()]);
  });

  test('each batch goes to the worker with the fewest batches, the first one on a tie; each request has its own id', async () => {
    const home = makeTempHome('q-pool-');
    const echo = workerScript(
      home,
      'echo.mjs',
      `import { threadId } from 'node:worker_threads';\nparentPort.on('message', (m) => parentPort.postMessage({ id: m.id, summaries: m.files.map(([p]) => ({ p, threadId, id: m.id })) }));\nparentPort.postMessage({ ready: true });`,
    );
    const p = startSummaryPool({ workerUrl: echo, size: 2, withText: false, inThread: neverInThread, log: recordingLogger() });
    const replies = (await Promise.all(['a', 'b', 'c', 'd'].map((tag) => p.summarize(files(2, tag))))) as unknown as { p: string; threadId: number; id: number }[][];
    await p.close();
    expect(replies.map((r) => r.map((x) => x.p))).toEqual(['a', 'b', 'c', 'd'].map((tag) => [`/nowhere/${tag}-0.jsonl`, `/nowhere/${tag}-1.jsonl`]));
    const threads = replies.map((r) => r[0]?.threadId as number);
    expect(threads[0]).toBeLessThan(threads[1] as number);
    expect([threads[2], threads[3]]).toEqual([threads[0], threads[1]]);
    // Ids are given as batches are sent (when their worker is ready): distinct, 0–3.
    expect(replies.map((r) => r[0]?.id).sort()).toEqual([0, 1, 2, 3]);
  });

  test('close: batches a worker still holds resolve as failed, nothing is read in the main thread, nothing is logged', async () => {
    const home = makeTempHome('q-pool-');
    const silent = workerScript(home, 'silent.mjs', `parentPort.on('message', () => {});\nparentPort.postMessage({ ready: true });`);
    const log = recordingLogger();
    const p = startSummaryPool({ workerUrl: silent, size: 1, withText: false, inThread: neverInThread, log });
    const held = p.summarize(files(3, 'held'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await p.close();
    expect(await held).toEqual([null, null, null]);
    expect(log.warnings).toEqual([]);
    // After close the pool no longer sends anything to a worker.
    await expect(p.summarize(files(1, 'late'))).rejects.toThrow('the pool summarised in the main thread');
  });
});
