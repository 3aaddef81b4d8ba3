import { statSync } from 'node:fs';
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
import { deferIndexesForBulkInsert, restoreDeferredIndexes } from './deferred-indexes.js';

/** Files per checkpoint, as in the reference. */
export const BACKFILL_BATCH_SIZE = 200;
/** Files read at once; reading dominates, SQLite writes are a few µs per row. */
const READ_CONCURRENCY = 32;
/**
 * From this many files on, a backfill into a table holding no more rows than it brings builds the `threads`
 * indexes once at the end instead of row by row (`deferred-indexes.ts`).
 */
export const DEFER_INDEXES_MIN_FILES = 1_000;

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
  /** {@link DEFER_INDEXES_MIN_FILES} unless a test sets it. */
  deferIndexesMinFiles?: number;
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
  const files = collectRolloutFiles(deps.codexHome, log).filter(
    (file) => startWatermark === null || file.watermark > startWatermark,
  );
  const stats: BackfillStats = { scanned: 0, upserted: 0, failed: 0 };
  if (files.length >= (deps.deferIndexesMinFiles ?? DEFER_INDEXES_MIN_FILES)) deferIndexesForBulkInsert(deps.db, 'threads', files.length);
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
        search.tables.writePending(
          written.map(({ summary }) => ({
            doc: { threadId: summary.id, preview: summary.preview, name: search.names.get(summary.id) ?? null, messages: summary.visibleTexts ?? [] },
            updatedAtMs: summary.updatedAtMs,
          })),
        );
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
  // No WAL checkpoint after each batch's commit: with the default threshold (1,000 pages) nearly every commit of
  // a large backfill copied the pages it had just written into the database file and synced it. One checkpoint
  // at the end copies each page once (a process that dies meanwhile leaves a longer WAL, recovered on open).
  const autoCheckpoint = deps.db.pragma('wal_autocheckpoint', { simple: true }) as number;
  deps.db.pragma('wal_autocheckpoint = 0');
  try {
    for (const batch of batches) {
      readAhead();
      const summaries = await (reads.shift() as Promise<BatchSummaries>);
      readAhead();
      writeBatch.immediate(batch, summaries);
      lastWatermark = batch.at(-1)?.watermark ?? lastWatermark;
    }
  } finally {
    deps.db.pragma(`wal_autocheckpoint = ${autoCheckpoint}`);
    await pool?.close();
  }
  // The indexes (deferred by this run, or by an earlier one that died) are built in the completing transaction.
  deps.db.transaction(() => {
    restoreDeferredIndexes(deps.db, log);
    lease.markComplete(lastWatermark);
  }).immediate();
  if (walOutgrew(deps.db, autoCheckpoint)) checkpointQuietly(deps.db, log);
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

/**
 * Whether the WAL holds more pages than the connection's automatic checkpoint threshold, i.e. whether SQLite would
 * have checkpointed had the backfill left the threshold on. A smaller WAL (a backfill of a few hundred files: about
 * 1 MB, 10 ms of checkpoint and sync on the last `initialize` answer of eight processes started at once) is left to
 * the next automatic checkpoint. The file's size can overstate the WAL (it is reused from its start after a
 * checkpoint), which only errs towards checkpointing; a threshold of 0 (automatic checkpoints off) always does.
 */
function walOutgrew(db: Database.Database, autoCheckpoint: number): boolean {
  if (autoCheckpoint <= 0) return true;
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const walFrames = Math.max(0, statSync(`${db.name}-wal`).size - WAL_HEADER_BYTES) / (pageSize + WAL_FRAME_HEADER_BYTES);
    return walFrames > autoCheckpoint;
  } catch {
    return true;
  }
}

/** The WAL file's header and each frame's header (sqlite.org/fileformat.html, "WAL File Format"). */
const WAL_HEADER_BYTES = 32;
const WAL_FRAME_HEADER_BYTES = 24;

/**
 * Copies the backfill's WAL into the database and truncates it (a large backfill leaves hundreds of MB). Waits
 * for readers at most the busy timeout; when it cannot finish, the next automatic checkpoint does the rest.
 */
function checkpointQuietly(db: Database.Database, log: Logger): void {
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (err) {
    log.warn(`state db checkpoint after the backfill failed: ${String(err)}`);
  }
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
