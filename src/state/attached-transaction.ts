import type Database from 'better-sqlite3';

/**
 * An IMMEDIATE transaction that takes the write lock of every database attached to the connection *now*.
 *
 * Why not better-sqlite3's `db.transaction(fn).immediate()`: it prepares its `BEGIN IMMEDIATE` once per
 * connection, at the first `db.transaction()` call, and SQLite compiles `BEGIN IMMEDIATE` into one write-lock
 * request per database attached when the statement is prepared. The state connection runs its schema and
 * backfill transactions before `thread_history_1.sqlite` is attached, so that cached BEGIN locks `main` only; a
 * transaction writing the attached file then opens it lazily with a read (the checkpoint check) and upgrades to
 * a write. In WAL mode that upgrade never waits on the busy timeout: while another process still holds the
 * attached file's write lock (for instance between releasing `main` and releasing `history` at its own commit,
 * a window a busy machine widens), the statement fails at once with SQLITE_BUSY, "database is locked".
 *
 * Prepared after the ATTACH, this BEGIN waits (busy timeout) for each write lock in the connection's database
 * order (`main`, then the attached ones), before any read: every writer takes them in the same order, so two
 * processes cannot each hold one and want the other's. Create it after attaching, once per use.
 */
export function attachedImmediateTransaction<A extends unknown[], R>(
  db: Database.Database,
  body: (...args: A) => R,
): (...args: A) => R {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  return (...args: A): R => {
    // Inside a caller's transaction the body joins it: the caller's BEGIN owns the locks and the commit.
    if (db.inTransaction) return body(...args);
    begin.run();
    try {
      const result = body(...args);
      commit.run();
      return result;
    } catch (err) {
      if (db.inTransaction) rollback.run();
      throw err;
    }
  };
}
