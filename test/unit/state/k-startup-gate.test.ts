import { afterEach, describe, expect, test, vi } from 'vitest';
import type { BackfillStats } from '../../../src/state/backfill.js';
import type { BackfillLease, BackfillState, ClaimOutcome } from '../../../src/state/lease.js';
import { BACKFILL_POLL_MS, BACKFILL_WAIT_MS, formatDuration, passBackfillGate, type BackfillGateDeps } from '../../../src/state/startup.js';
import { recordingLogger } from './helpers.js';
import { manualTimer } from './k-db.js';

const STATS: BackfillStats = { scanned: 3, upserted: 2, failed: 1 };

/**
 * A lease double: `claims` are the tryClaim answers in order (the last repeats), `statuses` the peekStatus()
 * answers. The gate never calls read(): reading the status takes no write lock.
 */
function fakeLease(claims: ClaimOutcome[], statuses: BackfillState['status'][]) {
  const calls: string[] = [];
  let c = 0;
  let s = 0;
  const lease = {
    peekStatus: (): BackfillState['status'] => {
      calls.push('peek');
      return statuses[Math.min(s++, statuses.length - 1)] as BackfillState['status'];
    },
    tryClaim: (leaseSeconds: number) => {
      calls.push(`claim:${leaseSeconds}`);
      return claims[Math.min(c++, claims.length - 1)] as ClaimOutcome;
    },
    read: (): BackfillState => {
      throw new Error('read() takes a write lock; the gate should not call it');
    },
    releaseClaim: () => void calls.push('release'),
  };
  return { lease: lease as unknown as BackfillLease, calls };
}

/** The gate's clock (monotonicMs, over process.hrtime.bigint()) answers these ms in order (the last repeats): its elapsed time is exact. */
function pinNow(...values: number[]): void {
  let i = 0;
  vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => BigInt(Math.round(values[Math.min(i++, values.length - 1)]! * 1e6)));
}

afterEach(() => {
  vi.restoreAllMocks();
});

function deps(overrides: Partial<BackfillGateDeps>): BackfillGateDeps {
  return {
    codexHome: '/home/k',
    lease: fakeLease(['done'], ['complete']).lease,
    runBackfill: () => Promise.resolve(STATS),
    log: recordingLogger(),
    waitMs: 1_000,
    pollMs: 10,
    leaseSeconds: 900,
    ...overrides,
  };
}

describe('passBackfillGate', () => {
  test('the defaults are the reference ones', () => {
    expect(BACKFILL_WAIT_MS).toBe(30_000);
    expect(BACKFILL_POLL_MS).toBe(1_000);
  });

  test('complete already: no backfill, and the time spent is reported', async () => {
    pinNow(100, 112.5);
    const { lease, calls } = fakeLease(['done'], ['complete']);
    let ran = false;
    const result = await passBackfillGate(deps({ lease, runBackfill: () => ((ran = true), Promise.resolve(STATS)) }));
    expect(result).toEqual({ ok: true, backfill: null, waitedMs: 12.5 });
    expect(ran).toBe(false);
    expect(calls).toEqual(['claim:900']);
  });

  test('claimed: runs the backfill and returns its stats with no wait', async () => {
    pinNow(100, 150);
    const { lease, calls } = fakeLease(['claimed'], ['complete']);
    const log = recordingLogger();
    const result = await passBackfillGate(deps({ lease, log, leaseSeconds: 60 }));
    expect(result).toEqual({ ok: true, backfill: STATS, waitedMs: 0 });
    expect(calls).toEqual(['claim:60', 'peek']);
    expect([...log.warnings, ...log.infos]).toEqual([]);
  });

  test('a failing backfill gives the claim back and its error propagates', async () => {
    const { lease, calls } = fakeLease(['claimed'], ['running']);
    const failure = new Error('disk I/O error');
    await expect(passBackfillGate(deps({ lease, runBackfill: () => Promise.reject(failure) }))).rejects.toBe(failure);
    expect(calls).toEqual(['claim:900', 'release']);
  });

  test('claimed but another worker finished meanwhile: complete, without this run\'s stats', async () => {
    pinNow(0, 40);
    // The run returned while the row is not complete (its claim was taken over); the next read is complete.
    const { lease, calls } = fakeLease(['claimed'], ['running', 'complete']);
    const result = await passBackfillGate(deps({ lease }));
    expect(result).toEqual({ ok: true, backfill: null, waitedMs: 40 });
    expect(calls).toEqual(['claim:900', 'peek', 'peek']);
  });

  test('held, then complete: waits with one warning and reports the wait', async () => {
    const timer = manualTimer(1_000);
    // The status watch (every 5 ms at first) sees `complete` on its third re-read.
    const { lease, calls } = fakeLease(['held'], ['running', 'running', 'running', 'complete']);
    const log = recordingLogger();
    const result = await passBackfillGate(deps({ lease, log, waitMs: 30_000, pollMs: 1_000, timer }));
    expect(result).toEqual({ ok: true, backfill: null, waitedMs: 15 });
    expect(timer.slept).toEqual([5, 5, 5]);
    expect(calls).toEqual(['claim:900', 'peek', 'peek', 'peek', 'peek']);
    expect(log.warnings).toEqual([
      'state db backfill is running at /home/k; waiting up to 30s before retrying startup initialization',
    ]);
    expect(log.infos).toEqual([]);
  });

  test('still held: the first wait is a warning, the later ones are info, then it times out', async () => {
    // Rounds of 4 ms within a 10 ms bound: claims at 0, 4 and 8, the last round cut to 2 ms, then timed out at 10.
    const timer = manualTimer(0);
    const { lease, calls } = fakeLease(['held'], ['running']);
    const log = recordingLogger();
    const result = await passBackfillGate(deps({ lease, log, waitMs: 10, pollMs: 4, timer }));
    expect(result).toEqual({ ok: false, message: 'timed out waiting for state db backfill at /home/k after 10ms (status: running)' });
    const waiting = 'state db backfill is running at /home/k; waiting up to 10ms before retrying startup initialization';
    expect(log.warnings).toEqual([waiting]);
    expect(log.infos).toEqual([waiting, waiting]);
    expect(timer.slept).toEqual([4, 4, 2]);
    expect(calls.filter((c) => c.startsWith('claim'))).toHaveLength(4);
  });

  test('a zero wait bound times out at once, naming the status', async () => {
    pinNow(7, 7);
    const { lease, calls } = fakeLease(['held'], ['pending']);
    const log = recordingLogger();
    const result = await passBackfillGate(deps({ lease, log, waitMs: 0 }));
    expect(result).toEqual({ ok: false, message: 'timed out waiting for state db backfill at /home/k after 0ms (status: pending)' });
    expect(calls).toEqual(['claim:900', 'peek']);
    expect(log.warnings).toEqual([]);
  });

  test('between rounds it watches the status; the claim is retried once per poll interval, not per re-read', async () => {
    const timer = manualTimer(0);
    const { lease, calls } = fakeLease(['held'], ['running', 'running', 'running', 'running', 'running', 'running', 'complete']);
    // Rounds of 20 ms: re-reads at 5, 10, 15 and 20 (the round's end), then a new claim; the next re-read comes
    // half the wait so far later, at 30.
    const result = await passBackfillGate(deps({ lease, waitMs: 20_000, pollMs: 20, timer }));
    expect(result).toEqual({ ok: true, backfill: null, waitedMs: 30 });
    expect(timer.slept).toEqual([5, 5, 5, 5, 10]);
    expect(calls).toEqual(['claim:900', 'peek', 'peek', 'peek', 'peek', 'peek', 'claim:900', 'peek', 'peek']);
  });

  test('the sleep never runs past the wait bound', async () => {
    // 20 ms elapsed of a 50 ms bound with a 10 s poll: the watch stops at 50 ms, then the gate times out.
    const timer = manualTimer(0);
    const { lease } = fakeLease(['held'], ['running']);
    const slowClaim = lease.tryClaim.bind(lease);
    lease.tryClaim = (seconds: number) => {
      const outcome = slowClaim(seconds);
      if (timer.now() === 0) timer.advance(20);
      return outcome;
    };
    const result = await passBackfillGate(deps({ lease, waitMs: 50, pollMs: 10_000, timer }));
    expect(result).toEqual({ ok: false, message: 'timed out waiting for state db backfill at /home/k after 50ms (status: running)' });
    expect(timer.slept).toEqual([10, 15, 5]);
    expect(timer.now()).toBe(50);
  });
});

describe('formatDuration', () => {
  test('prints like Rust Duration debug: ms below a second, fractional seconds above', () => {
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(999)).toBe('999ms');
    expect(formatDuration(1000)).toBe('1s');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(30_000)).toBe('30s');
  });
});
