import type Database from 'better-sqlite3';
import type { RolloutSummary } from '../rollout/types.js';
import type { Logger } from '../support/logger.js';
import type { BackfillLease } from './lease.js';
import { collectRolloutFiles, type RolloutFile } from './rollout-files.js';
import type { SpawnEdges } from './spawn-edges.js';
import { threadInputFromSummary } from './thread-rows.js';
import type { ThreadsTable } from './threads.js';

/** Files per checkpoint, as in the reference. */
export const BACKFILL_BATCH_SIZE = 200;
/** Files read at once; reading dominates, SQLite writes are a few µs per row. */
const READ_CONCURRENCY = 200;

export type Summarize = (rolloutPath: string, archived: boolean) => Promise<RolloutSummary | null>;

export interface BackfillStats {
  scanned: number;
  upserted: number;
  failed: number;
}

export interface BackfillDeps {
  codexHome: string;
  db: Database.Database;
  lease: BackfillLease;
  threads: ThreadsTable;
  edges: SpawnEdges;
  summarize: Summarize;
  log: Logger;
}

/**
 * Runs a claimed rollout backfill to completion (SPEC §8.2 step 3): every rollout file after the recorded
 * watermark, in watermark order, in batches of 200, each batch's rows and its checkpoint in one transaction.
 * A file that cannot be summarised counts as failed and is skipped. The next batch is read while the current
 * one is written. Throws only for database failures.
 */
export async function runBackfill(deps: BackfillDeps): Promise<BackfillStats> {
  const { lease, log } = deps;
  const startWatermark = lease.read().lastWatermark;
  const files = (await collectRolloutFiles(deps.codexHome, log)).filter(
    (file) => startWatermark === null || file.watermark > startWatermark,
  );
  const stats: BackfillStats = { scanned: 0, upserted: 0, failed: 0 };
  const batches: RolloutFile[][] = [];
  for (let i = 0; i < files.length; i += BACKFILL_BATCH_SIZE) batches.push(files.slice(i, i + BACKFILL_BATCH_SIZE));

  const writeBatch = deps.db.transaction((batch: RolloutFile[], summaries: (RolloutSummary | null)[]) => {
    batch.forEach((file, index) => {
      stats.scanned += 1;
      const summary = summaries[index] ?? null;
      if (summary === null) {
        stats.failed += 1;
        log.warn(`failed to extract rollout ${file.path}`);
        return;
      }
      try {
        deps.threads.upsertThread(threadInputFromSummary(summary));
        if (summary.spawn) deps.edges.ensureEdge(summary.spawn.parentThreadId, summary.id, 'open');
        stats.upserted += 1;
      } catch (err) {
        // A row the schema rejects fails that statement only and the batch goes on; a failing database
        // (corrupt, full, read-only, I/O) fails the whole backfill.
        if (!isRowError(err)) throw err;
        stats.failed += 1;
        log.warn(`failed to upsert rollout ${file.path}: ${String(err)}`);
      }
    });
    const last = batch.at(-1);
    if (last) lease.checkpoint(last.watermark);
  });

  let lastWatermark: string | null = null;
  let pending = batches[0] ? readBatch(batches[0], deps.summarize) : null;
  for (let i = 0; i < batches.length; i += 1) {
    const batch = batches[i] as RolloutFile[];
    const summaries = await (pending as Promise<(RolloutSummary | null)[]>);
    const following = batches[i + 1];
    pending = following ? readBatch(following, deps.summarize) : null;
    writeBatch.immediate(batch, summaries);
    lastWatermark = batch.at(-1)?.watermark ?? lastWatermark;
  }
  lease.markComplete(lastWatermark);
  log.info(`state db backfill scanned=${stats.scanned}, upserted=${stats.upserted}, failed=${stats.failed}`);
  return stats;
}

/** Summaries of a batch in order; a summariser that throws counts as a failed file. */
async function readBatch(batch: RolloutFile[], summarize: Summarize): Promise<(RolloutSummary | null)[]> {
  const results: (RolloutSummary | null)[] = new Array<RolloutSummary | null>(batch.length).fill(null);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batch.length) {
      const index = next;
      next += 1;
      const file = batch[index] as RolloutFile;
      results[index] = await summarize(file.path, file.archived).catch(() => null);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, batch.length) }, worker));
  return results;
}

function isRowError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH|RANGE)/.test(code);
}
