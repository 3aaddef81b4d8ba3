import Database from 'better-sqlite3';
import type { RolloutSummary } from '../rollout/types.js';
import type { Logger } from '../support/logger.js';
import type { BackfillLease } from './lease.js';
import { collectRolloutFiles, type RolloutFile } from './rollout-files.js';
import type { SpawnEdges } from './spawn-edges.js';
import { rowFromSummary } from '../rollout/file-row.js';
import type { ThreadsTable } from './threads.js';
import type { SearchTables } from './search-index.js';
import type { BatchSummaries, BatchSummarizer } from './backfill-pool.js';

/** Files per checkpoint, as in the reference. */
export const BACKFILL_BATCH_SIZE = 200;
/** Files read at once; reading dominates, SQLite writes are a few µs per row. */
const READ_CONCURRENCY = 32;

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
  /**
   * The search index to fill in the same pass (issue 18): `summarize` then returns each file's visible texts,
   * stored with its row in the batch's transaction (FTS5 tokenises them after start-up, in the background).
   * `names()` gives `session_index.jsonl`'s names.
   */
  search?: { tables: SearchTables; names: () => Promise<Map<string, string>> } | null;
  /**
   * Summariser threads for a backfill of `fileCount` files (`backfill-pool.ts`), or null to summarise in this
   * thread; `inThread` is this thread's summariser, for batches the pool cannot take. Closed when the run ends.
   */
  pool?: ((fileCount: number, inThread: (batch: readonly RolloutFile[]) => Promise<BatchSummaries>) => BatchSummarizer | null) | null;
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
  const search = deps.search ? { tables: deps.search.tables, names: await deps.search.names().catch(() => new Map<string, string>()) } : null;
  let searchFailed = false;
  const batches: RolloutFile[][] = [];
  for (let i = 0; i < files.length; i += BACKFILL_BATCH_SIZE) batches.push(files.slice(i, i + BACKFILL_BATCH_SIZE));

  const writeBatch = deps.db.transaction((batch: RolloutFile[], summaries: (RolloutSummary | null)[]) => {
    const rows: { file: RolloutFile; summary: RolloutSummary }[] = [];
    batch.forEach((file, index) => {
      stats.scanned += 1;
      const summary = summaries[index] ?? null;
      if (summary === null) {
        stats.failed += 1;
        log.warn(`failed to extract rollout ${file.path}`);
      } else rows.push({ file, summary });
    });
    const written = upsertRows(deps, rows, stats);
    if (search && !searchFailed) {
      try {
        for (const { summary } of written) {
          const name = search.names.get(summary.id) ?? null;
          search.tables.write({ threadId: summary.id, preview: summary.preview, name, messages: summary.visibleTexts ?? [] }, summary.updatedAtMs, null, true);
        }
      } catch (err) {
        // The index is a convenience: its failure never fails the backfill (search catches up from the files).
        searchFailed = true;
        log.warn(`thread search index not filled by the backfill: ${String(err)}`);
      }
    }
    const last = batch.at(-1);
    if (last) lease.checkpoint(last.watermark);
  });

  const inThread = (batch: readonly RolloutFile[]): Promise<BatchSummaries> => readBatch(batch, deps.summarize);
  const pool = files.length > 0 ? (deps.pool?.(files.length, inThread) ?? null) : null;
  const read = pool ? (batch: RolloutFile[]) => pool.summarize(batch) : inThread;
  // Batches are read ahead (one in this thread, two per worker) while the current one is written.
  const lookahead = pool?.lookahead ?? 1;
  const reads: Promise<BatchSummaries>[] = [];
  let nextRead = 0;
  const readAhead = (): void => {
    while (nextRead < batches.length && reads.length < lookahead) {
      reads.push(read(batches[nextRead] as RolloutFile[]));
      nextRead += 1;
    }
  };
  let lastWatermark: string | null = null;
  try {
    for (const batch of batches) {
      readAhead();
      const summaries = await (reads.shift() as Promise<BatchSummaries>);
      readAhead();
      writeBatch.immediate(batch, summaries);
      lastWatermark = batch.at(-1)?.watermark ?? lastWatermark;
    }
  } finally {
    await pool?.close();
  }
  lease.markComplete(lastWatermark);
  log.info(`state db backfill scanned=${stats.scanned}, upserted=${stats.upserted}, failed=${stats.failed}`);
  return stats;
}

/**
 * Upserts a batch's rows in one statement; when the schema rejects a row (which fails that statement only),
 * retries row by row so the other files of the batch still get their rows.
 */
function upsertRows(
  deps: BackfillDeps,
  rows: { file: RolloutFile; summary: RolloutSummary }[],
  stats: BackfillStats,
): { file: RolloutFile; summary: RolloutSummary }[] {
  const upsertEdges = (summary: RolloutSummary): void => {
    if (summary.spawn) deps.edges.ensureEdge(summary.spawn.parentThreadId, summary.id, 'open');
  };
  try {
    deps.threads.upsertThreads(rows.map(({ summary }) => rowFromSummary(summary)));
    for (const { summary } of rows) upsertEdges(summary);
    stats.upserted += rows.length;
    return rows;
  } catch (err) {
    if (!isRowError(err)) throw err;
  }
  const written: { file: RolloutFile; summary: RolloutSummary }[] = [];
  for (const { file, summary } of rows) {
    try {
      deps.threads.upsertThread(rowFromSummary(summary));
      upsertEdges(summary);
      stats.upserted += 1;
      written.push({ file, summary });
    } catch (err) {
      // A failing database (corrupt, full, read-only, I/O) fails the whole backfill; a bad row only its file.
      if (!isRowError(err)) throw err;
      stats.failed += 1;
      deps.log.warn(`failed to upsert rollout ${file.path}: ${String(err)}`);
    }
  }
  return written;
}

/** Summaries of a batch in order; a summariser that throws counts as a failed file. */
async function readBatch(batch: readonly RolloutFile[], summarize: Summarize): Promise<BatchSummaries> {
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

/** An error about one row's values (a constraint, a value the binding refuses), not about the database. */
function isRowError(err: unknown): boolean {
  if (!(err instanceof Database.SqliteError)) return true;
  return /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH|RANGE)/.test(err.code);
}
