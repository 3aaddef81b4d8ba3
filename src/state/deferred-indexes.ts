import type Database from 'better-sqlite3';
import type { Logger } from '../support/logger.js';
import { errorText } from './error-text.js';

/**
 * Index building deferred during a bulk backfill (issue 18). Inserting 100,000 rows into `threads` one by one
 * updates its ~20 secondary indexes of the reference's schema row by row: measured at 100,000 rows, 21 s (15 s of
 * CPU) against 2.4 s for the bare table plus 1.9 s to build the same indexes once at the end (a sort each).
 *
 * So a backfill that brings at least as many rows as the table holds drops those indexes (the full ones) first and builds them
 * again in the transaction that marks the backfill complete. The `CREATE INDEX` texts are kept in
 * `codex_ts_deferred_indexes` (ours alone, like the search tables), written in the transaction that drops them, so
 * nothing is lost when the process dies half-way: the next worker resumes the backfill and restores them at the
 * end, and a start that finds the backfill complete (another implementation finished it) while that table exists
 * restores them before using the database. The table exists only while indexes are pending.
 *
 * Meanwhile nothing depends on those indexes for correctness: they only speed up queries (the primary key and the
 * UNIQUE constraints are automatic indexes without SQL text, never dropped), and every other process waits at
 * the backfill gate before listing.
 */
const DEFERRED_TABLE = 'codex_ts_deferred_indexes';

/**
 * Drops the full (not partial) secondary indexes of `table` (recording their SQL) when `incomingRows` is at least the rows it holds;
 * one IMMEDIATE transaction. Returns how many were dropped (0 when the table is larger, or already deferred).
 */
export function deferIndexesForBulkInsert(db: Database.Database, table: string, incomingRows: number): number {
  return db
    .transaction((): number => {
      const held = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${quoteName(table)}`).get()?.n ?? 0;
      if (incomingRows < held) return 0;
      // Partial indexes stay: a backfilled row rarely qualifies (archived, pinned, in a project or section, attached),
      // so keeping them costs almost nothing, while building one again scans the whole table (≈ 85 ms each at
      // 100,000 rows, nine of the reference's indexes, at the end when nothing else runs).
      const indexes = db
        .prepare<[string, string], { name: string; sql: string }>(
          `SELECT m.name, m.sql FROM sqlite_master m JOIN pragma_index_list(?) l ON l.name = m.name
           WHERE m.type = 'index' AND m.tbl_name = ? AND m.sql IS NOT NULL AND l.partial = 0 ORDER BY m.rowid`,
        )
        .all(table, table);
      if (indexes.length === 0) return 0;
      db.exec(`CREATE TABLE IF NOT EXISTS ${DEFERRED_TABLE} (name TEXT PRIMARY KEY, sql TEXT NOT NULL)`);
      const record = db.prepare(`INSERT OR REPLACE INTO ${DEFERRED_TABLE} (name, sql) VALUES (?, ?)`);
      for (const { name, sql } of indexes) {
        record.run(name, sql);
        db.exec(`DROP INDEX ${quoteName(name)}`);
      }
      return indexes.length;
    })
    .immediate();
}

/** Whether indexes wait to be built again (cheap: one lookup in the schema table). */
export function hasDeferredIndexes(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(DEFERRED_TABLE) !== undefined;
}

/**
 * Builds every recorded index that does not exist and forgets the records. Call it inside a transaction (the one
 * that completes the backfill, or an IMMEDIATE one at start-up). An index whose SQL fails (a later schema changed
 * its table) is logged and given up, never retried on every start. Returns how many were built.
 */
export function restoreDeferredIndexes(db: Database.Database, log: Logger): number {
  if (!hasDeferredIndexes(db)) return 0;
  const records = db.prepare<[], { name: string; sql: string }>(`SELECT name, sql FROM ${DEFERRED_TABLE} ORDER BY rowid`).all();
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?");
  let built = 0;
  for (const { name, sql } of records) {
    if (exists.get(name) !== undefined) continue;
    try {
      db.exec(sql);
      built += 1;
    } catch (err) {
      log.warn(`state db index ${name} not rebuilt after the backfill: ${errorText(err)}`);
    }
  }
  db.exec(`DROP TABLE ${DEFERRED_TABLE}`);
  return built;
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
