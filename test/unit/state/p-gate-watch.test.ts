import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, onTestFinished, test } from 'vitest';
import type { BackfillStats } from '../../../src/state/backfill.js';
import { BackfillLease, type BackfillStatus, type ClaimOutcome } from '../../../src/state/lease.js';
import { ensureSchema } from '../../../src/state/migrations.js';
import {
  BACKFILL_POLL_MS,
  BACKFILL_WAIT_MS,
  BACKFILL_WATCH_MAX_MS,
  BACKFILL_WATCH_MIN_MS,
  passBackfillGate,
  type GateTimer,
} from '../../../src/state/startup.js';
import { makeTempHome, recordingLogger } from './helpers.js';
import { manualClock, manualTimer } from './k-db.js';

const STATS: BackfillStats = { scanned: 500, upserted: 500, failed: 0 };

/**
 * Another process's backfill on the same clock: `running` until `completeAtMs` (or `pending` from `releaseAtMs`,
 * when it fails and gives the claim back), then `complete`. Counts the claim attempts (write transactions) and
 * the status re-reads.
 */
function otherWorker(timer: GateTimer, opts: { completeAtMs: number; releaseAtMs?: number }) {
  const counts = { claims: 0, reads: 0, peeks: 0 };
  let claimedHere = false;
  const status = (): BackfillStatus => {
    if (claimedHere) return 'running';
    if (opts.releaseAtMs !== undefined && timer.now() >= opts.releaseAtMs) return 'pending';
    return timer.now() >= opts.completeAtMs ? 'complete' : 'running';
  };
  const lease = {
    tryClaim: (): ClaimOutcome => {
      counts.claims += 1;
      const now = status();
      if (now === 'complete') return 'done';
      if (now === 'pending') {
        claimedHere = true;
        return 'claimed';
      }
      return 'held';
    },
    read: () => {
      counts.reads += 1;
      return { status: status(), lastWatermark: null, lastSuccessAt: null, updatedAt: 0 };
    },
    peekStatus: () => {
      counts.peeks += 1;
      return status();
    },
    releaseClaim: () => undefined,
  };
  return {
    lease: lease as unknown as BackfillLease,
    counts,
    /** This process's own backfill completed. */
    finishHere: () => {
      claimedHere = false;
      opts.completeAtMs = 0;
      opts.releaseAtMs = undefined;
    },
  };
}

function gate(lease: BackfillLease, timer: GateTimer, runBackfill: () => Promise<BackfillStats> = () => Promise.reject(new Error('not claimed'))) {
  const log = recordingLogger();
  const result = passBackfillGate({
    codexHome: '/home/p',
    lease,
    runBackfill,
    log,
    waitMs: BACKFILL_WAIT_MS,
    pollMs: BACKFILL_POLL_MS,
    leaseSeconds: 900,
    timer,
  });
  return { result, log };
}

describe('a waiting process watches the other worker\'s backfill', () => {
  test.each([3, 40, 137, 999, 1_000, 2_500, 29_990])(
    'completed at %i ms: it returns at most one short re-read later, and never waits twice the backfill',
    async (completeAtMs) => {
      const timer = manualTimer();
      const worker = otherWorker(timer, { completeAtMs });
      const { result } = gate(worker.lease, timer);
      const outcome = await result;
      expect(outcome.ok).toBe(true);
      const waitedMs = outcome.ok ? outcome.waitedMs : NaN;
      expect(waitedMs).toBeGreaterThanOrEqual(completeAtMs);
      expect(waitedMs - completeAtMs).toBeLessThanOrEqual(Math.min(BACKFILL_WATCH_MAX_MS, Math.max(BACKFILL_WATCH_MIN_MS, completeAtMs / 2)));
      expect(waitedMs).toBeLessThanOrEqual(Math.max(2 * completeAtMs, BACKFILL_WATCH_MIN_MS));
      // The claim (a write transaction) is still retried once per second only; the rest are plain re-reads.
      expect(worker.counts.claims).toBe(Math.max(1, Math.ceil(waitedMs / BACKFILL_POLL_MS)));
      expect(Math.max(...timer.slept)).toBeLessThanOrEqual(BACKFILL_WATCH_MAX_MS);
    },
  );

  test('the log is the reference\'s: one warning, then one info line per second of waiting', async () => {
    const timer = manualTimer();
    const worker = otherWorker(timer, { completeAtMs: 2_500 });
    const { result, log } = gate(worker.lease, timer);
    await result;
    const waiting = 'state db backfill is running at /home/p; waiting up to 30s before retrying startup initialization';
    expect(log.warnings).toEqual([waiting]);
    expect(log.infos).toEqual([waiting, waiting]);
  });

  test('a worker that gives its claim back: the waiter claims at the next re-read, not at the next second', async () => {
    const timer = manualTimer();
    const worker = otherWorker(timer, { completeAtMs: Infinity, releaseAtMs: 60 });
    let ranAtMs = -1;
    const { result } = gate(worker.lease, timer, () => {
      ranAtMs = timer.now();
      worker.finishHere();
      return Promise.resolve(STATS);
    });
    expect(await result).toEqual({ ok: true, backfill: STATS, waitedMs: 0 });
    expect(ranAtMs).toBeGreaterThanOrEqual(60);
    expect(ranAtMs).toBeLessThanOrEqual(60 + BACKFILL_WATCH_MAX_MS);
    expect(worker.counts.claims).toBe(2);
  });

  test('a worker that never completes: the wait still ends after 30 s with the reference text', async () => {
    const timer = manualTimer();
    const worker = otherWorker(timer, { completeAtMs: Infinity });
    const { result, log } = gate(worker.lease, timer);
    expect(await result).toEqual({ ok: false, message: 'timed out waiting for state db backfill at /home/p after 30s (status: running)' });
    expect(timer.now()).toBe(BACKFILL_WAIT_MS);
    expect(worker.counts.claims).toBe(31);
    expect(log.infos).toHaveLength(29);
  });
});

/** A WAL state DB file with the schema and `connections` handles on it (busy timeout 0: a lock wait fails at once). */
function sharedDb(connections: number): Database.Database[] {
  const file = path.join(makeTempHome('p-gate-'), 'state_5.sqlite');
  const handles = Array.from({ length: connections }, () => new Database(file, { timeout: 0 }));
  onTestFinished(() => handles.forEach((db) => db.open && db.close()));
  handles[0]!.pragma('journal_mode = WAL');
  ensureSchema(handles[0]!);
  return handles;
}

describe('BackfillLease.peekStatus', () => {
  test('reads the status another connection committed, and creates no row', () => {
    const [a, b] = sharedDb(2) as [Database.Database, Database.Database];
    a.exec('DELETE FROM backfill_state');
    const clock = manualClock(1_700_000_000_000);
    const mine = new BackfillLease(b, clock);
    expect(mine.peekStatus()).toBe('pending');
    expect(a.prepare('SELECT count(*) AS n FROM backfill_state').get()).toEqual({ n: 0 });
    const theirs = new BackfillLease(a, clock);
    expect(theirs.tryClaim(900)).toBe('claimed');
    expect(mine.peekStatus()).toBe('running');
    theirs.markComplete(null);
    expect(mine.peekStatus()).toBe('complete');
  });

  test('needs no write lock: it answers while the worker holds one, where a claim attempt is refused', () => {
    const [a, b] = sharedDb(2) as [Database.Database, Database.Database];
    const clock = manualClock(1_700_000_000_000);
    const theirs = new BackfillLease(a, clock);
    const mine = new BackfillLease(b, clock);
    expect(theirs.tryClaim(900)).toBe('claimed');
    a.exec('BEGIN IMMEDIATE');
    try {
      expect(mine.peekStatus()).toBe('running');
      expect(() => mine.tryClaim(900)).toThrow(/locked/);
    } finally {
      a.exec('COMMIT');
    }
  });
});
