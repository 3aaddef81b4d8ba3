import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../support/logger.js';
import type { BackfillStats } from './backfill.js';
import type { BackfillLease } from './lease.js';

/** How long start-up waits for another process's backfill before giving up on the database. */
export const BACKFILL_WAIT_MS = 30_000;
/** How often a waiting process re-reads the backfill state and retries the claim. */
export const BACKFILL_POLL_MS = 1_000;

export interface BackfillGateDeps {
  codexHome: string;
  lease: BackfillLease;
  /** Runs a claimed backfill to completion; throws on database failure. */
  runBackfill: () => Promise<BackfillStats>;
  log: Logger;
  waitMs: number;
  pollMs: number;
  leaseSeconds: number;
}

export type BackfillGateResult =
  | { ok: true; backfill: BackfillStats | null; waitedMs: number }
  | { ok: false; message: string };

/**
 * Start-up's backfill gate (SPEC §8.2 steps 1, 2 and 4): returns once `backfill_state` is `complete`, running
 * the backfill here when this process wins the claim. While another worker holds a live lease it polls every
 * `pollMs`, retrying the claim each round so a stale lease is taken over, and gives up after `waitMs`.
 * Database errors propagate.
 */
export async function passBackfillGate(deps: BackfillGateDeps): Promise<BackfillGateResult> {
  const started = performance.now();
  let reportedWait = false;
  for (;;) {
    const claim = deps.lease.tryClaim(deps.leaseSeconds);
    if (claim === 'done') return { ok: true, backfill: null, waitedMs: performance.now() - started };
    if (claim === 'claimed') {
      let stats: BackfillStats;
      try {
        stats = await deps.runBackfill();
      } catch (err) {
        deps.lease.releaseClaim();
        throw err;
      }
      if (deps.lease.read().status === 'complete') return { ok: true, backfill: stats, waitedMs: 0 };
    }
    const status = deps.lease.read().status;
    if (status === 'complete') return { ok: true, backfill: null, waitedMs: performance.now() - started };
    const wait = formatDuration(deps.waitMs);
    const elapsed = performance.now() - started;
    if (elapsed >= deps.waitMs) {
      return { ok: false, message: `timed out waiting for state db backfill at ${deps.codexHome} after ${wait} (status: ${status})` };
    }
    const message = `state db backfill is ${status} at ${deps.codexHome}; waiting up to ${wait} before retrying startup initialization`;
    if (reportedWait) deps.log.info(message);
    else deps.log.warn(message);
    reportedWait = true;
    await sleep(Math.min(deps.pollMs, deps.waitMs - elapsed));
  }
}

/** A duration the way the reference prints one (Rust `Duration` debug format): `30s`, `1.5s`, `300ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  return `${ms / 1000}s`;
}
