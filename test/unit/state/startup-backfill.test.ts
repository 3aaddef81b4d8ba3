import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, onTestFinished, test } from 'vitest';
import { openStateDb, STATE_DB_FILE, type StateDb } from '../../../src/state/index.js';
import { systemClock } from '../../../src/support/clock.js';
import { BASE_MS, makeTempHome, recordingLogger, threadIdFor, writeRollout } from './helpers.js';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

async function open(home: string, extra: Partial<Parameters<typeof openStateDb>[1]> = {}) {
  const log = recordingLogger();
  const db = await openStateDb(home, { clock: systemClock, log, backfillPollMs: 20, ...extra });
  if (db) onTestFinished(() => void db.close());
  return { db, log };
}

/** A second connection playing "another process" on the same file. */
function rawConnection(home: string): Database.Database {
  const raw = new Database(path.join(home, STATE_DB_FILE), { timeout: 5000 });
  onTestFinished(() => void raw.close());
  return raw;
}

function threadIds(db: StateDb, archived = false): string[] {
  return db
    .listThreads({
      archived,
      sortKey: 'created_at',
      sortDirection: 'asc',
      after: null,
      limit: 1000,
      sourceKinds: ['cli', 'vscode', 'subAgent'],
      modelProviders: null,
      cwds: null,
      searchTerm: null,
      requirePreview: false,
    })
    .map((t) => t.id);
}

/** Makes the existing DB look like another worker is mid-backfill (fresh or stale lease). */
function holdLease(home: string, updatedAt: number, lastWatermark: string | null = null): Database.Database {
  const raw = rawConnection(home);
  raw.prepare("UPDATE backfill_state SET status = 'running', updated_at = ?, last_watermark = ? WHERE id = 1").run(updatedAt, lastWatermark);
  return raw;
}

async function createEmptyDb(home: string): Promise<void> {
  const { db } = await open(home);
  expect(db).not.toBeNull();
  db?.close();
}

describe('state DB start-up', () => {
  test('state_db_init_backfills_before_returning', async () => {
    const home = makeTempHome();
    const active = [0, 1, 2].map((i) => writeRollout(home, { id: threadIdFor(i), createdAtMs: BASE_MS + i * 60_000 }));
    writeRollout(home, { id: threadIdFor(3), createdAtMs: BASE_MS + 3 * 60_000, archived: true, mtimeMs: BASE_MS + 9_000_000 });

    const { db, log } = await open(home);
    expect(db).not.toBeNull();
    if (!db) return;
    expect(db.startup.schema).toBe('created');
    expect(db.startup.backfill).toEqual({ scanned: 4, upserted: 4, failed: 0 });
    expect(db.backfillState()).toMatchObject({ status: 'complete', lastWatermark: 'sessions/2026/01/01/' + path.basename(active[2] as string) });
    expect(threadIds(db)).toEqual([threadIdFor(0), threadIdFor(1), threadIdFor(2)]);
    expect(threadIds(db, true)).toEqual([threadIdFor(3)]);
    expect(db.getThread(threadIdFor(3))).toMatchObject({ archived: true, archivedAtMs: BASE_MS + 9_000_000, approvalMode: 'on-request' });
    expect(log.warnings).toEqual([]);
  });

  test('a fresh empty home ends complete with last_watermark NULL', async () => {
    const home = makeTempHome();
    const { db } = await open(home);
    expect(db?.backfillState()).toMatchObject({ status: 'complete', lastWatermark: null });
    expect(db?.startup.backfill).toEqual({ scanned: 0, upserted: 0, failed: 0 });
  });

  test('a second start-up after a complete backfill reads nothing', async () => {
    const home = makeTempHome();
    writeRollout(home, { id: threadIdFor(1), createdAtMs: BASE_MS });
    await createEmptyDb(home);
    writeRollout(home, { id: threadIdFor(2), createdAtMs: BASE_MS + 1000 });
    const { db } = await open(home);
    expect(db?.startup).toEqual({ schema: 'existing', backfill: null, waitedMs: expect.any(Number) });
    expect(db && threadIds(db)).toEqual([threadIdFor(1)]);
  });

  test('try_init_waits_for_concurrent_startup_backfill', async () => {
    const home = makeTempHome();
    await createEmptyDb(home);
    writeRollout(home, { id: threadIdFor(1), createdAtMs: BASE_MS });
    const other = holdLease(home, nowSeconds());
    // Ordered by events, not by the clock: the other worker finishes only once this process said it waits.
    const events: string[] = [];
    const log = recordingLogger((level, text) => {
      events.push(`${level}: ${text}`);
      if (level === 'warn' && text.startsWith('state db backfill is running')) {
        other.prepare("UPDATE backfill_state SET status = 'complete', last_success_at = ?, updated_at = ? WHERE id = 1").run(nowSeconds(), nowSeconds());
        events.push('other worker completed the backfill');
      }
    });
    const db = await openStateDb(home, { clock: systemClock, log, backfillPollMs: 20, backfillWaitMs: 10_000 });
    if (db) onTestFinished(() => void db.close());
    events.push('open returned');
    expect(db).not.toBeNull();
    // The other worker did the backfill: this process only waited.
    expect(db?.startup).toEqual({ schema: 'existing', backfill: null, waitedMs: expect.any(Number) });
    expect(events).toEqual([
      `warn: state db backfill is running at ${home}; waiting up to 10s before retrying startup initialization`,
      'other worker completed the backfill',
      'open returned',
    ]);
    expect(log.warnings).toEqual([
      `state db backfill is running at ${home}; waiting up to 10s before retrying startup initialization`,
    ]);
  });

  test('try_init_times_out_waiting_for_stuck_startup_backfill', async () => {
    const home = makeTempHome();
    await createEmptyDb(home);
    holdLease(home, nowSeconds());

    const { db, log } = await open(home, { backfillWaitMs: 300, backfillPollMs: 50 });
    expect(db).toBeNull();
    // It announced the wait first, then gave up with the reference's message naming the bound it waited for.
    expect(log.warnings[0]).toBe(`state db backfill is running at ${home}; waiting up to 300ms before retrying startup initialization`);
    expect(log.warnings.at(-1)).toBe(`timed out waiting for state db backfill at ${home} after 300ms (status: running)`);
    expect(log.warnings).toHaveLength(2);
  });

  test('the default wait bound is reported as 30s', async () => {
    const { formatDuration } = await import('../../../src/state/startup.js');
    expect([formatDuration(30_000), formatDuration(2_000), formatDuration(1_500), formatDuration(300)]).toEqual(['30s', '2s', '1.5s', '300ms']);
  });

  test('a stale lease is taken over', async () => {
    const home = makeTempHome();
    await createEmptyDb(home);
    writeRollout(home, { id: threadIdFor(1), createdAtMs: BASE_MS });
    holdLease(home, nowSeconds() - 10_000);

    const { db, log } = await open(home, { backfillWaitMs: 5_000 });
    expect(db?.startup.backfill).toEqual({ scanned: 1, upserted: 1, failed: 0 });
    expect(db?.backfillState().status).toBe('complete');
    expect(db && threadIds(db)).toEqual([threadIdFor(1)]);
    expect(log.warnings).toEqual([]);
  });

  test('a lease is stale only after leaseSeconds', async () => {
    const home = makeTempHome();
    await createEmptyDb(home);
    holdLease(home, nowSeconds() - 100);
    const { db } = await open(home, { backfillWaitMs: 100, leaseSeconds: 900 });
    expect(db).toBeNull();
    const { db: taken } = await open(home, { backfillWaitMs: 100, leaseSeconds: 60 });
    expect(taken?.backfillState().status).toBe('complete');
  });

  test('the backfill resumes after last_watermark', async () => {
    const home = makeTempHome();
    await createEmptyDb(home);
    const files = [0, 1, 2, 3].map((i) => writeRollout(home, { id: threadIdFor(i), createdAtMs: BASE_MS + i * 86_400_000 }));
    const watermark = path.relative(home, files[1] as string);
    // A worker that died after checkpointing the first two files.
    holdLease(home, nowSeconds() - 10_000, watermark);

    const { db } = await open(home);
    expect(db?.startup.backfill).toEqual({ scanned: 2, upserted: 2, failed: 0 });
    expect(db && threadIds(db)).toEqual([threadIdFor(2), threadIdFor(3)]);
    expect(db?.backfillState().lastWatermark).toBe(path.relative(home, files[3] as string));
  });

  test('unreadable and empty files count as failed and do not stop the backfill', async () => {
    const home = makeTempHome();
    writeRollout(home, { id: threadIdFor(1), createdAtMs: BASE_MS });
    const empty = writeRollout(home, { id: threadIdFor(2), createdAtMs: BASE_MS + 1000 });
    const { writeFileSync, mkdirSync } = await import('node:fs');
    writeFileSync(empty, '');
    // A directory with a rollout name is not a file: not collected at all.
    mkdirSync(path.join(home, 'archived_sessions', 'rollout-2026-01-01T00-00-00-' + threadIdFor(9) + '.jsonl'), { recursive: true });
    writeRollout(home, { id: threadIdFor(3), createdAtMs: BASE_MS + 2000 });

    const { db, log } = await open(home);
    expect(db?.startup.backfill).toEqual({ scanned: 3, upserted: 2, failed: 1 });
    expect(db && threadIds(db)).toEqual([threadIdFor(1), threadIdFor(3)]);
    expect(log.warnings).toEqual([`failed to extract rollout ${empty}`]);
  });

  test('backfill checkpoints after every batch of 200 files', async () => {
    const home = makeTempHome();
    await createEmptyDb(home);
    const files = Array.from({ length: 450 }, (_, i) => writeRollout(home, { id: threadIdFor(i), createdAtMs: BASE_MS + i * 1000 }));
    const raw = holdLease(home, nowSeconds() - 10_000);
    const { summarizeRollout } = await import('../../../src/rollout/summary.js');
    const seen = new Map<number, unknown>();
    // Files 250 and 420 answer late; by then the previous batch has been written and checkpointed.
    const summarize = async (file: string, archived: boolean) => {
      const index = files.indexOf(file);
      if (index === 250 || index === 420) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        seen.set(index, raw.prepare('SELECT status, last_watermark FROM backfill_state').get());
      }
      return summarizeRollout(file, archived);
    };
    const { db } = await open(home, { summarize });
    expect(db?.startup.backfill).toEqual({ scanned: 450, upserted: 450, failed: 0 });
    const mark = (i: number) => path.relative(home, files[i] as string);
    expect(seen.get(250)).toEqual({ status: 'running', last_watermark: mark(199) });
    expect(seen.get(420)).toEqual({ status: 'running', last_watermark: mark(399) });
    expect(raw.prepare('SELECT status, last_watermark FROM backfill_state').get()).toEqual({ status: 'complete', last_watermark: mark(449) });
  });
});

describe('backfill row errors', () => {
  test('a row the schema rejects fails only its file', async () => {
    const home = makeTempHome();
    const files = [1, 2, 3].map((i) => writeRollout(home, { id: threadIdFor(i), createdAtMs: BASE_MS + i * 1000 }));
    const { summarizeRollout } = await import('../../../src/rollout/summary.js');
    // A summariser bug: `cwd` missing violates threads.cwd NOT NULL.
    const summarize = async (file: string, archived: boolean) => {
      const summary = await summarizeRollout(file, archived);
      return file === files[1] && summary ? ({ ...summary, cwd: null } as unknown as typeof summary) : summary;
    };
    const { db, log } = await open(home, { summarize });
    expect(db?.startup.backfill).toEqual({ scanned: 3, upserted: 2, failed: 1 });
    expect(db && threadIds(db)).toEqual([threadIdFor(1), threadIdFor(3)]);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(new RegExp(`^failed to upsert rollout ${files[1]}: .*NOT NULL`));
  });
});
