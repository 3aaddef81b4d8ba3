import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, onTestFinished, test, vi } from 'vitest';
import { openStateDb, STATE_DB_FILE } from '../../../src/state/index.js';
import { BACKFILL_WATCH_MIN_MS } from '../../../src/state/startup.js';
import { systemClock } from '../../../src/support/clock.js';
import { BASE_MS, makeTempHome, recordingLogger, threadIdFor, writeRollout } from './helpers.js';
import { openDescriptors } from './k-db.js';

// Sleeps are recorded and take no time: the tests check how long start-up asks to wait.
const sleeps = vi.hoisted(() => [] as number[]);
vi.mock('node:timers/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:timers/promises')>();
  return {
    ...real,
    setTimeout: (ms: number, value?: unknown) => {
      sleeps.push(ms);
      return real.setTimeout(0, value);
    },
  };
});

afterEach(() => {
  vi.restoreAllMocks();
  sleeps.length = 0;
});

type Pragma = (this: Database.Database, source: string, options?: { simple?: boolean }) => unknown;

/** Replaces the answer to `journal_mode = WAL` (a file system without WAL support, a racing opener). */
function onWalSwitch(answer: (attempt: number, real: () => unknown) => unknown): { attempts: () => number } {
  const real = Database.prototype.pragma as Pragma;
  let attempts = 0;
  vi.spyOn(Database.prototype, 'pragma').mockImplementation(function (this: Database.Database, source: string, options?: { simple?: boolean }) {
    if (source !== 'journal_mode = WAL') return real.call(this, source, options);
    attempts += 1;
    return answer(attempts, () => real.call(this, source, options));
  } as Pragma as never);
  return { attempts: () => attempts };
}

const busy = () => new Database.SqliteError('database is locked', 'SQLITE_BUSY');

async function open(home: string) {
  const log = recordingLogger();
  const db = await openStateDb(home, { clock: systemClock, log });
  if (db) onTestFinished(() => db.close());
  return { db, log };
}

describe('switching to WAL', () => {
  test('SQLITE_BUSY while another opener switches the file is retried until it succeeds', async () => {
    const home = makeTempHome();
    const wal = onWalSwitch((attempt, real) => {
      if (attempt <= 2) throw busy();
      return real();
    });
    const { db, log } = await open(home);
    expect(db).not.toBeNull();
    expect(wal.attempts()).toBe(3);
    expect(sleeps).toEqual([10, 10]);
    expect(log.warnings).toEqual([]);
  });

  test('SQLITE_BUSY past the busy timeout gives up with the error', async () => {
    const home = makeTempHome();
    // The first reading sets the deadline; the second is past it.
    const times = [1_000, 1_000 + 4_999, 1_000 + 5_000];
    let i = 0;
    // The state DB's monotonic clock (monotonicMs) reads process.hrtime.bigint(), in ns.
    vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => BigInt(times[Math.min(i++, times.length - 1)]!) * 1_000_000n);
    const wal = onWalSwitch(() => {
      throw busy();
    });
    const { db, log } = await open(home);
    expect(db).toBeNull();
    expect(wal.attempts()).toBe(2);
    expect(log.warnings).toEqual([`failed to initialize state runtime at ${home}: database is locked (SQLITE_BUSY)`]);
  });

  test('any other error is not retried', async () => {
    const home = makeTempHome();
    vi.spyOn(process.hrtime, 'bigint').mockReturnValue(0n);
    const wal = onWalSwitch(() => {
      throw new Database.SqliteError('disk I/O error', 'SQLITE_IOERR');
    });
    const { db, log } = await open(home);
    expect(db).toBeNull();
    expect(wal.attempts()).toBe(1);
    expect(log.warnings).toEqual([`failed to initialize state runtime at ${home}: disk I/O error (SQLITE_IOERR)`]);
  });

  test('a file that stays in another journal mode is refused; the answer is compared case-insensitively', async () => {
    const home = makeTempHome();
    onWalSwitch(() => 'delete');
    const refused = await open(home);
    expect(refused.db).toBeNull();
    expect(refused.log.warnings).toEqual([
      `failed to initialize state runtime at ${home}: cannot switch ${path.join(home, STATE_DB_FILE)} to WAL journal mode (got delete)`,
    ]);
    expect(openDescriptors(home)).toBe(0);
    vi.restoreAllMocks();
    onWalSwitch((_attempt, real) => String(real()).toUpperCase());
    const upper = await open(makeTempHome());
    expect(upper.db).not.toBeNull();
  });
});

describe('waiting for another process', () => {
  test('without options it waits up to 30 s, re-reading the status every few ms between its claims', async () => {
    const home = makeTempHome();
    (await open(home)).db?.close();
    const other = new Database(path.join(home, STATE_DB_FILE));
    onTestFinished(() => void other.close());
    const now = Math.floor(Date.now() / 1000);
    other.prepare("UPDATE backfill_state SET status = 'running', updated_at = ?").run(now);
    const log = recordingLogger((level, text) => {
      if (level === 'warn' && text.startsWith('state db backfill is running')) {
        other.prepare("UPDATE backfill_state SET status = 'complete'").run();
      }
    });
    const db = await openStateDb(home, { clock: systemClock, log });
    if (db) onTestFinished(() => db.close());
    expect(db?.startup.backfill).toBeNull();
    expect(log.warnings).toEqual([`state db backfill is running at ${home}; waiting up to 30s before retrying startup initialization`]);
    // The other worker completed right after the warning: the first re-read sees it.
    expect(sleeps).toEqual([BACKFILL_WATCH_MIN_MS]);
  });
});

describe('after start-up', () => {
  test('the rows the backfill stored for search are handed to FTS5 in the background', async () => {
    const home = makeTempHome();
    for (const n of [1, 2, 3]) writeRollout(home, { id: threadIdFor(n), createdAtMs: BASE_MS + n * 1000, preview: `message ${n}` });
    // The fill starts on a timer (after the `initialize` answer): a fake one here, moved by hand.
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    onTestFinished(() => void vi.useRealTimers());
    const { db } = await open(home);
    expect(db?.search).not.toBeNull();
    const raw = new Database(path.join(home, STATE_DB_FILE));
    onTestFinished(() => void raw.close());
    const pending = () => (raw.prepare('SELECT count(*) AS n FROM codex_ts_search_docs WHERE indexed = 0').get() as { n: number }).n;
    const total = () => (raw.prepare('SELECT count(*) AS n FROM codex_ts_search_docs').get() as { n: number }).n;
    for (let turn = 0; turn < 50; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(pending()).toBe(3);
    vi.advanceTimersByTime(100);
    // Wait (bounded by event-loop turns, not time) for the background fill.
    for (let turn = 0; turn < 500 && pending() > 0; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(total()).toBeGreaterThan(0);
    expect(pending()).toBe(0);
  });
});
