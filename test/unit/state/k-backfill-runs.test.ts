import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import type { RolloutSummary } from '../../../src/rollout/types.js';
import { BACKFILL_BATCH_SIZE, runBackfill, type BackfillDeps, type Summarize } from '../../../src/state/backfill.js';
import { BackfillLease } from '../../../src/state/lease.js';
import type { PendingEntry, SearchTables } from '../../../src/state/search-index.js';
import { SpawnEdges } from '../../../src/state/spawn-edges.js';
import { ThreadsTable } from '../../../src/state/threads.js';
import { makeTempHome, recordingLogger, threadIdFor } from './helpers.js';
import { manualClock, schemaDb } from './k-db.js';

const T0 = 1_700_000_000_000;

/** `count` empty rollout files under sessions/ (names sort in index order); the summariser never reads them. */
function homeWithFiles(count: number, archived: number[] = []): { home: string; files: string[] } {
  const home = makeTempHome();
  const files = Array.from({ length: count }, (_, i) => {
    const dir = archived.includes(i) ? path.join(home, 'archived_sessions') : path.join(home, 'sessions', '2026');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `rollout-${String(i).padStart(4, '0')}.jsonl`);
    writeFileSync(file, '');
    return file;
  });
  return { home, files };
}

function summaryFor(file: string, archived: boolean, overrides: Partial<RolloutSummary> = {}): RolloutSummary {
  const n = Number(/rollout-(\d+)/.exec(file)?.[1]);
  return {
    id: threadIdFor(n), rolloutPath: file, archived, createdAtMs: T0 + n, updatedAtMs: T0 + n * 1000, recencyAtMs: T0 + n,
    source: 'cli', spawn: null, modelProvider: 'p', model: null, cwd: '/w', cliVersion: '0.169.0', originator: 'o',
    preview: `preview ${n}`, tokensUsed: 0, forkedFromId: null, lineCount: 1, ...overrides,
  };
}

const okSummarize: Summarize = (file, archived) => Promise.resolve(summaryFor(file, archived));

function deps(home: string, overrides: Partial<BackfillDeps> = {}) {
  const db = schemaDb();
  const clock = manualClock(T0);
  const lease = new BackfillLease(db, clock);
  const log = recordingLogger();
  const full: BackfillDeps = {
    codexHome: home, db, lease, threads: new ThreadsTable(db, 'openai'), edges: new SpawnEdges(db), summarize: okSummarize, log, ...overrides,
  };
  const ids = (): string[] => (db.prepare('SELECT id FROM threads ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  return { db, lease, log, deps: full, ids };
}

/** Search tables recording each batch's entries; a batch holding a thread `failOn` names fails whole. */
function recordingTables(failOn?: (threadId: string) => boolean) {
  const writes: PendingEntry[] = [];
  const tables = {
    writePending: (entries: readonly PendingEntry[]) => {
      const failing = entries.find((entry) => failOn?.(entry.doc.threadId));
      if (failing) throw new Error(`fts write failed for ${failing.doc.threadId}`);
      writes.push(...entries);
    },
  } as unknown as SearchTables;
  return { tables, writes };
}

describe('runBackfill', () => {
  test('an empty home completes with no watermark and reports zeros', async () => {
    const { home } = homeWithFiles(0);
    const { lease, log, deps: d } = deps(home, { summarize: () => Promise.reject(new Error('never called')) });
    expect(await runBackfill(d)).toEqual({ scanned: 0, upserted: 0, failed: 0 });
    expect(lease.read()).toMatchObject({ status: 'complete', lastWatermark: null });
    expect(log.infos).toEqual(['state db backfill scanned=0, upserted=0, failed=0']);
    expect(log.warnings).toEqual([]);
  });

  test('every file becomes a row (archived flag passed to the summariser); sub-agents get open edges', async () => {
    const { home, files } = homeWithFiles(3, [2]);
    const seen: [string, boolean][] = [];
    const parent = threadIdFor(0);
    const summarize: Summarize = (file, archived) => {
      seen.push([file, archived]);
      const spawn = file === files[1] ? { parentThreadId: parent, depth: 1, agentPath: null, agentNickname: null, agentRole: null } : null;
      return Promise.resolve(summaryFor(file, archived, { spawn }));
    };
    const { db, lease, log, deps: d, ids } = deps(home, { summarize });
    expect(await runBackfill(d)).toEqual({ scanned: 3, upserted: 3, failed: 0 });
    expect(ids()).toEqual([threadIdFor(0), threadIdFor(1), threadIdFor(2)]);
    expect(seen.sort()).toEqual([[files[2], true], [files[0], false], [files[1], false]].sort());
    expect(db.prepare('SELECT parent_thread_id AS p, child_thread_id AS c, status FROM thread_spawn_edges').all()).toEqual([
      { p: parent, c: threadIdFor(1), status: 'open' },
    ]);
    // Watermark order: archived_sessions/ sorts before sessions/.
    expect(lease.read()).toMatchObject({ status: 'complete', lastWatermark: 'sessions/2026/rollout-0001.jsonl', lastSuccessAt: T0 / 1000 });
    expect(log.infos).toEqual(['state db backfill scanned=3, upserted=3, failed=0']);
  });

  test('an existing closed edge is not reopened by the backfill', async () => {
    const { home, files } = homeWithFiles(1);
    const parent = threadIdFor(9);
    const summarize: Summarize = (file, archived) =>
      Promise.resolve(summaryFor(file, archived, { spawn: { parentThreadId: parent, depth: 1, agentPath: null, agentNickname: null, agentRole: null } }));
    const { db, deps: d } = deps(home, { summarize });
    new SpawnEdges(db).upsertEdge(parent, threadIdFor(0), 'closed');
    await runBackfill(d);
    expect(files).toHaveLength(1);
    expect(db.prepare('SELECT status FROM thread_spawn_edges').all()).toEqual([{ status: 'closed' }]);
  });

  test('resumes strictly after the recorded watermark and keeps it when nothing is left', async () => {
    const { home } = homeWithFiles(4);
    const { lease, deps: d, ids } = deps(home);
    lease.tryClaim(900);
    lease.checkpoint('sessions/2026/rollout-0001.jsonl');
    expect(await runBackfill(d)).toEqual({ scanned: 2, upserted: 2, failed: 0 });
    expect(ids()).toEqual([threadIdFor(2), threadIdFor(3)]);
    expect(lease.read().lastWatermark).toBe('sessions/2026/rollout-0003.jsonl');

    const again = deps(home);
    again.lease.tryClaim(900);
    again.lease.checkpoint('sessions/2026/rollout-0003.jsonl');
    expect(await runBackfill(again.deps)).toEqual({ scanned: 0, upserted: 0, failed: 0 });
    expect(again.lease.read()).toMatchObject({ status: 'complete', lastWatermark: 'sessions/2026/rollout-0003.jsonl' });
  });

  test('a file the summariser refuses or fails on counts as failed, with a warning for a refusal', async () => {
    const { home, files } = homeWithFiles(3);
    const summarize: Summarize = (file, archived) => {
      if (file === files[0]) return Promise.resolve(null);
      if (file === files[1]) return Promise.reject(new Error('EIO'));
      return okSummarize(file, archived);
    };
    const { log, deps: d, ids } = deps(home, { summarize });
    expect(await runBackfill(d)).toEqual({ scanned: 3, upserted: 1, failed: 2 });
    expect(ids()).toEqual([threadIdFor(2)]);
    expect(log.warnings).toEqual([`failed to extract rollout ${files[0]}`, `failed to extract rollout ${files[1]}`]);
    expect(log.infos).toEqual(['state db backfill scanned=3, upserted=1, failed=2']);
  });

  test('batches of 200: each batch checkpoints its last watermark; summaries keep file order', async () => {
    expect(BACKFILL_BATCH_SIZE).toBe(200);
    const { home } = homeWithFiles(BACKFILL_BATCH_SIZE + 5);
    const checkpoints: string[] = [];
    const { lease, deps: d, ids } = deps(home);
    const realCheckpoint = lease.checkpoint.bind(lease);
    lease.checkpoint = (watermark: string) => {
      checkpoints.push(watermark);
      realCheckpoint(watermark);
    };
    // Later files answer first: the rows must still match their files.
    d.summarize = async (file, archived) => {
      const n = Number(/rollout-(\d+)/.exec(file)?.[1]);
      await new Promise((resolve) => setTimeout(resolve, (BACKFILL_BATCH_SIZE + 5 - n) % 7));
      return summaryFor(file, archived);
    };
    expect(await runBackfill(d)).toEqual({ scanned: 205, upserted: 205, failed: 0 });
    expect(checkpoints).toEqual(['sessions/2026/rollout-0199.jsonl', 'sessions/2026/rollout-0204.jsonl']);
    expect(ids()).toHaveLength(205);
    expect(lease.read().lastWatermark).toBe('sessions/2026/rollout-0204.jsonl');
  });

  test('at most 32 files are read at once, and all of a small batch at once', async () => {
    for (const [count, expected] of [[40, 32], [5, 5]] as const) {
      const { home } = homeWithFiles(count);
      let inFlight = 0;
      let peak = 0;
      const gate: (() => void)[] = [];
      const summarize: Summarize = async (file, archived) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        // Hold every read until as many as can start have started.
        await new Promise<void>((resolve) => {
          gate.push(resolve);
          if (gate.length >= expected) for (const release of gate.splice(0)) release();
        });
        inFlight -= 1;
        return summaryFor(file, archived);
      };
      const { deps: d } = deps(home, { summarize });
      const run = runBackfill(d);
      // Reads that start after the first wave are released as soon as they queue up behind it.
      const flush = setInterval(() => {
        for (const release of gate.splice(0)) release();
      }, 5);
      try {
        expect(await run).toEqual({ scanned: count, upserted: count, failed: 0 });
      } finally {
        clearInterval(flush);
      }
      expect(peak).toBe(expected);
    }
  });

  test('search: each written row is stored as pending with its name and visible texts', async () => {
    const { home } = homeWithFiles(2);
    const { tables, writes } = recordingTables();
    const names = new Map([[threadIdFor(1), 'Named one']]);
    const summarize: Summarize = (file, archived) =>
      Promise.resolve(summaryFor(file, archived, file.endsWith('0001.jsonl') ? { visibleTexts: ['hello', 'world'] } : {}));
    const { deps: d } = deps(home, { summarize, search: { tables, names: () => Promise.resolve(names) } });
    await runBackfill(d);
    expect(writes).toEqual([
      { doc: { threadId: threadIdFor(0), preview: 'preview 0', name: null, messages: [] }, updatedAtMs: T0 },
      { doc: { threadId: threadIdFor(1), preview: 'preview 1', name: 'Named one', messages: ['hello', 'world'] }, updatedAtMs: T0 + 1000 },
    ]);
  });

  test('search: unreadable names mean no names; a failing index write stops filling but not the backfill', async () => {
    const { home } = homeWithFiles(2 * BACKFILL_BATCH_SIZE + 2);
    const { tables, writes } = recordingTables((id) => id === threadIdFor(201));
    const { log, deps: d, ids } = deps(home, { search: { tables, names: () => Promise.reject(new Error('no session index')) } });
    expect(await runBackfill(d)).toEqual({ scanned: 402, upserted: 402, failed: 0 });
    expect(ids()).toHaveLength(402);
    // The first batch was written (without names); the second (holding row 201) failed whole; the third was not attempted.
    expect(writes.map((w) => w.doc.threadId)).toEqual(Array.from({ length: BACKFILL_BATCH_SIZE }, (_, i) => threadIdFor(i)));
    expect(writes.every((w) => w.doc.name === null)).toBe(true);
    expect(log.warnings).toEqual([`thread search index not filled by the backfill: Error: fts write failed for ${threadIdFor(201)}`]);
  });

  test('a row the schema rejects fails only its file; the search index gets only the written rows', async () => {
    const { home, files } = homeWithFiles(3);
    const { tables, writes } = recordingTables();
    const summarize: Summarize = (file, archived) =>
      Promise.resolve(summaryFor(file, archived, file === files[1] ? { cwd: null as unknown as string } : {}));
    const { log, deps: d, ids } = deps(home, { summarize, search: { tables, names: () => Promise.resolve(new Map()) } });
    expect(await runBackfill(d)).toEqual({ scanned: 3, upserted: 2, failed: 1 });
    expect(ids()).toEqual([threadIdFor(0), threadIdFor(2)]);
    expect(writes.map((w) => w.doc.threadId)).toEqual([threadIdFor(0), threadIdFor(2)]);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(new RegExp(`^failed to upsert rollout ${files[1]}: SqliteError: NOT NULL constraint failed: threads.cwd$`));
  });

  describe('which errors are about a row', () => {
    /** A threads table whose batch statement fails with `batchError` and whose single upserts fail per `rowError`. */
    function failingThreads(db: Database.Database, batchError: unknown, rowError: (id: string) => unknown) {
      const real = new ThreadsTable(db, 'openai');
      return {
        upsertThreads: () => {
          throw batchError;
        },
        upsertThread: (row: { id: string }) => {
          const err = rowError(row.id);
          if (err) throw err;
          real.upsertThread(row as never);
        },
      } as unknown as ThreadsTable;
    }
    const sqlite = (code: string) => new Database.SqliteError(`${code} happened`, code);

    test.each(['SQLITE_CONSTRAINT_NOTNULL', 'SQLITE_TOOBIG', 'SQLITE_MISMATCH', 'SQLITE_RANGE', 'SQLITE_CONSTRAINT'])(
      '%s fails only its file',
      async (code) => {
        const { home, files } = homeWithFiles(2);
        const setup = deps(home);
        setup.deps.threads = failingThreads(setup.db, sqlite(code), (id) => (id === threadIdFor(0) ? sqlite(code) : null));
        expect(await runBackfill(setup.deps)).toEqual({ scanned: 2, upserted: 1, failed: 1 });
        expect(setup.ids()).toEqual([threadIdFor(1)]);
        expect(setup.log.warnings).toEqual([`failed to upsert rollout ${files[0]}: SqliteError: ${code} happened`]);
      },
    );

    test('an error that is not from SQLite (a value the binding refuses) is about the row', async () => {
      const { home } = homeWithFiles(2);
      const setup = deps(home);
      setup.deps.threads = failingThreads(setup.db, new TypeError('bad value'), (id) => (id === threadIdFor(1) ? new TypeError('bad value') : null));
      expect(await runBackfill(setup.deps)).toEqual({ scanned: 2, upserted: 1, failed: 1 });
    });

    test.each(['SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR_CONSTRAINT'])('%s in the batch fails the whole backfill', async (code) => {
      const { home } = homeWithFiles(2);
      const setup = deps(home);
      setup.deps.threads = failingThreads(setup.db, sqlite(code), () => null);
      await expect(runBackfill(setup.deps)).rejects.toThrow(`${code} happened`);
      expect(setup.ids()).toEqual([]);
      expect(setup.lease.read().status).not.toBe('complete');
    });

    test('a database error on a single row fails the whole backfill', async () => {
      const { home } = homeWithFiles(2);
      const setup = deps(home);
      setup.deps.threads = failingThreads(setup.db, sqlite('SQLITE_CONSTRAINT_CHECK'), (id) => (id === threadIdFor(1) ? sqlite('SQLITE_CORRUPT') : null));
      await expect(runBackfill(setup.deps)).rejects.toThrow('SQLITE_CORRUPT happened');
      // The batch's transaction rolled back: not even the first row stayed.
      expect(setup.ids()).toEqual([]);
    });
  });
});
