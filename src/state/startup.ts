import { setTimeout as sleep } from 'node:timers/promises';
import { monotonicMs } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import type { BackfillStats } from './backfill.js';
import type { BackfillLease, BackfillStatus } from './lease.js';

/** How long start-up waits for another process's backfill before giving up on the database. */
export const BACKFILL_WAIT_MS = 30_000;
/** How often a waiting process retries the claim (taking over a stale lease) and logs that it still waits. */
export const BACKFILL_POLL_MS = 1_000;
/**
 * Between claim retries a waiter re-reads the status every half of its wait so far, but at least every
 * BACKFILL_WATCH_MAX_MS and at most every BACKFILL_WATCH_MIN_MS: it sees the completion at most 25 ms late, and
 * never later than half as long as it had waited (the other worker's backfill time) beyond the 5 ms floor.
 */
export const BACKFILL_WATCH_MIN_MS = 5;
export const BACKFILL_WATCH_MAX_MS = 25;

/** Elapsed time and sleeping, injected so tests run the gate on a manual clock. */
export interface GateTimer {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realTimer: GateTimer = { now: () => monotonicMs(), sleep: (ms) => sleep(ms) };

export interface BackfillGateDeps {
  codexHome: string;
  lease: BackfillLease;
  /** Runs a claimed backfill to completion; throws on database failure. */
  runBackfill: () => Promise<BackfillStats>;
  log: Logger;
  waitMs: number;
  pollMs: number;
  leaseSeconds: number;
  /** Bounds of the status watch's interval; {@link BACKFILL_WATCH_MIN_MS} and {@link BACKFILL_WATCH_MAX_MS} by default. */
  watchMinMs?: number;
  watchMaxMs?: number;
  /** `monotonicMs()` and `timers/promises` by default. */
  timer?: GateTimer;
}

export type BackfillGateResult =
  | { ok: true; backfill: BackfillStats | null; waitedMs: number }
  | { ok: false; message: string };

/**
 * Start-up's backfill gate (SPEC §8.2 steps 1, 2 and 4): returns once `backfill_state` is `complete`, running
 * the backfill here when this process wins the claim. While another worker holds a live lease it retries the
 * claim every `pollMs` (so a stale lease is taken over), logging each round as the reference does, and gives up
 * after `waitMs`. Between two rounds it re-reads the status with one plain SELECT every half of its wait so far,
 * within [`watchMinMs`, `watchMaxMs`]: a waiter returns at most one such interval after the worker completes (not
 * up to `pollMs` later), and goes back to the claim at once when the worker gave its claim back. Database errors
 * propagate.
 */
export async function passBackfillGate(deps: BackfillGateDeps): Promise<BackfillGateResult> {
  const timer = deps.timer ?? realTimer;
  const started = timer.now();
  const waited = () => timer.now() - started;
  let reportedWait = false;
  for (;;) {
    const claim = deps.lease.tryClaim(deps.leaseSeconds);
    if (claim === 'done') return { ok: true, backfill: null, waitedMs: waited() };
    if (claim === 'claimed') {
      let stats: BackfillStats;
      try {
        stats = await deps.runBackfill();
      } catch (err) {
        deps.lease.releaseClaim();
        throw err;
      }
      if (deps.lease.peekStatus() === 'complete') return { ok: true, backfill: stats, waitedMs: 0 };
    }
    // A plain read: the claim has just made sure the row exists, and no write lock is needed (nor waited for).
    const status = deps.lease.peekStatus();
    if (status === 'complete') return { ok: true, backfill: null, waitedMs: waited() };
    const wait = formatDuration(deps.waitMs);
    const elapsed = waited();
    if (elapsed >= deps.waitMs) {
      return { ok: false, message: `timed out waiting for state db backfill at ${deps.codexHome} after ${wait} (status: ${status})` };
    }
    const message = `state db backfill is ${status} at ${deps.codexHome}; waiting up to ${wait} before retrying startup initialization`;
    if (reportedWait) deps.log.info(message);
    else deps.log.warn(message);
    reportedWait = true;
    const seen = await watchStatus(deps, timer, started, Math.min(deps.pollMs, deps.waitMs - elapsed));
    if (seen === 'complete') return { ok: true, backfill: null, waitedMs: waited() };
  }
}

/**
 * Re-reads the status for up to `roundMs` while it stays `running`; returns the last status seen (`running` when
 * the round ran out). Cheap: one SELECT without a write lock per wake-up, a few dozen per second at most.
 */
async function watchStatus(deps: BackfillGateDeps, timer: GateTimer, started: number, roundMs: number): Promise<BackfillStatus> {
  const maxMs = deps.watchMaxMs ?? BACKFILL_WATCH_MAX_MS;
  // At least 1 ms: a zero interval would spin on a clock that does not move.
  const minMs = Math.max(1, Math.min(deps.watchMinMs ?? BACKFILL_WATCH_MIN_MS, maxMs));
  const roundEnd = timer.now() + roundMs;
  for (;;) {
    const now = timer.now();
    const left = roundEnd - now;
    if (left <= 0) return 'running';
    const step = Math.min(maxMs, Math.max(minMs, (now - started) / 2));
    await timer.sleep(Math.min(step, left));
    const status = deps.lease.peekStatus();
    // `pending`: the worker failed and gave its claim back; the next round claims it without waiting.
    if (status !== 'running') return status;
  }
}

/** A duration the way the reference prints one (Rust `Duration` debug format): `30s`, `1.5s`, `300ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  return `${ms / 1000}s`;
}
