import type Database from 'better-sqlite3';
import type { Clock } from '../support/clock.js';

export type BackfillStatus = 'pending' | 'running' | 'complete';

/** The single `backfill_state` row (id = 1). Times are unix seconds. */
export interface BackfillState {
  status: BackfillStatus;
  lastWatermark: string | null;
  lastSuccessAt: number | null;
  updatedAt: number;
}

/** `claimed`: this process now runs the backfill; `held`: another live worker does; `done`: nothing to do. */
export type ClaimOutcome = 'claimed' | 'held' | 'done';

/** How long a running worker's claim holds without a checkpoint before another process may take it over. */
export const BACKFILL_LEASE_SECONDS = 900;

interface StateRow {
  status: string;
  last_watermark: string | null;
  last_success_at: number | null;
  updated_at: number;
}

/**
 * The rollout backfill's progress row and its lease (SPEC §8.2). Several processes may share one home: the
 * claim is a conditional UPDATE, so exactly one of them runs the backfill while the others wait for
 * `complete`; a worker that stops checkpointing for longer than the lease loses its claim.
 */
export class BackfillLease {
  private readonly ensure: Database.Statement<[number]>;
  private readonly select: Database.Statement<[], StateRow>;
  private readonly selectStatus: Database.Statement<[], { status: string }>;
  private readonly claim: Database.Statement<[number, number]>;
  private readonly checkpointStmt: Database.Statement<[string, number]>;
  private readonly complete: Database.Statement<[string | null, number, number]>;
  private readonly release: Database.Statement<[number]>;
  private readonly readTx: Database.Transaction<() => BackfillState>;
  private readonly claimTx: Database.Transaction<(leaseSeconds: number) => ClaimOutcome>;
  private readonly completeTx: Database.Transaction<(lastWatermark: string | null) => void>;

  constructor(
    db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.ensure = db.prepare(`
      INSERT INTO backfill_state (id, status, last_watermark, last_success_at, updated_at)
      VALUES (1, 'pending', NULL, NULL, ?) ON CONFLICT(id) DO NOTHING`);
    this.select = db.prepare('SELECT status, last_watermark, last_success_at, updated_at FROM backfill_state WHERE id = 1');
    this.selectStatus = db.prepare('SELECT status FROM backfill_state WHERE id = 1');
    this.claim = db.prepare(`
      UPDATE backfill_state SET status = 'running', updated_at = ?
      WHERE id = 1 AND status != 'complete' AND (status != 'running' OR updated_at <= ?)`);
    this.checkpointStmt = db.prepare(
      "UPDATE backfill_state SET status = 'running', last_watermark = ?, updated_at = ? WHERE id = 1",
    );
    this.complete = db.prepare(`
      UPDATE backfill_state
      SET status = 'complete', last_watermark = COALESCE(?, last_watermark), last_success_at = ?, updated_at = ?
      WHERE id = 1`);
    this.release = db.prepare("UPDATE backfill_state SET status = 'pending', updated_at = ? WHERE id = 1 AND status = 'running'");
    this.readTx = db.transaction(() => {
      this.ensure.run(this.nowSeconds());
      return this.readRow();
    });
    this.claimTx = db.transaction((leaseSeconds: number) => {
      const now = this.nowSeconds();
      this.ensure.run(now);
      if (this.readRow().status === 'complete') return 'done';
      const changed = this.claim.run(now, now - Math.max(0, leaseSeconds)).changes;
      return changed === 1 ? 'claimed' : 'held';
    });
    this.completeTx = db.transaction((lastWatermark: string | null) => {
      const now = this.nowSeconds();
      this.ensure.run(now);
      this.complete.run(lastWatermark, now, now);
    });
  }

  /** Reads the row, creating it as `pending` when missing. */
  read(): BackfillState {
    return this.readTx.immediate();
  }

  /**
   * The status alone, in one plain SELECT: no write lock, so it never waits on (nor delays) the worker's batches;
   * cheap enough to poll every few milliseconds. A missing row reads as `pending`; it creates nothing.
   */
  peekStatus(): BackfillStatus {
    const row = this.selectStatus.get();
    return row ? parseStatus(row.status) : 'pending';
  }

  tryClaim(leaseSeconds: number): ClaimOutcome {
    return this.claimTx.immediate(leaseSeconds);
  }

  /** Records progress and renews the lease; call inside the batch's transaction. */
  checkpoint(watermark: string): void {
    this.checkpointStmt.run(watermark, this.nowSeconds());
  }

  markComplete(lastWatermark: string | null): void {
    this.completeTx.immediate(lastWatermark);
  }

  /**
   * Gives a failed worker's claim back (progress is kept) so another process need not wait out the lease.
   * Best effort: the failure that stopped the worker may stop this write too.
   */
  releaseClaim(): void {
    try {
      this.release.run(this.nowSeconds());
    } catch {
      // The lease then expires on its own after BACKFILL_LEASE_SECONDS.
    }
  }

  private readRow(): BackfillState {
    const row = this.select.get();
    if (!row) throw new Error('backfill_state row is missing');
    return {
      status: parseStatus(row.status),
      lastWatermark: row.last_watermark,
      lastSuccessAt: row.last_success_at,
      updatedAt: row.updated_at,
    };
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.nowMs() / 1000);
  }
}

function parseStatus(status: string): BackfillStatus {
  // A status this version does not know is claimable, like pending (the claim only excludes complete).
  return status === 'running' || status === 'complete' ? status : 'pending';
}
