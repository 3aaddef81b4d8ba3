import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { summarizeRollout } from '../rollout/summary.js';
import { monotonicMs, type Clock } from '../support/clock.js';
import { systemIds, type IdSource } from '../support/ids.js';
import type { Logger } from '../support/logger.js';
import { runBackfill, type BackfillDeps, type Summarize } from './backfill.js';
import { startSummaryPool } from './backfill-pool.js';
import { attachThreadHistory } from './history-projection-store.js';
import { BACKFILL_LEASE_SECONDS } from './lease.js';
import { ensureSchema } from './migrations.js';
import { BACKFILL_POLL_MS, BACKFILL_WAIT_MS, passBackfillGate } from './startup.js';
import { prepareStateDbParts, StateDb } from './state-db.js';
import { DEFAULT_MODEL_PROVIDER } from './thread-rows.js';
import { errorText } from './error-text.js';
import { HomeLayout } from '../rollout/layout.js';
import { ThreadNames } from '../rollout/thread-names.js';
import { ensureSearchSchema } from './search-schema.js';
import { hasDeferredIndexes, restoreDeferredIndexes } from './deferred-indexes.js';
import { ThreadSearcher } from './thread-search.js';

/** The file name the reference 0.169.0 uses in CODEX_HOME. */
export const STATE_DB_FILE = 'state_5.sqlite';
/** How long a statement waits for another connection's write lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;
const WAL_RETRY_MS = 10;
/** Below this many files a backfill summarises in the main thread: starting a worker (≈ 30 ms) would not pay. */
export const BACKFILL_POOL_MIN_FILES = 1_000;
/** Start-up's search fill waits this long after the backfill that stored the texts (ten times as long elsewhere). */
const SEARCH_FILL_DELAY_MS = 100;

export interface OpenStateDbOptions {
  clock: Clock;
  log: Logger;
  /** Revisions of read receipts (UUIDv4). Defaults to the system source. */
  ids?: IdSource;
  /** Bound on waiting for another process's backfill; 30 s as in the reference. */
  backfillWaitMs?: number;
  /** Claim retry (and log) interval while waiting, 1 s as in the reference; the status is re-read every few ms in between. */
  backfillPollMs?: number;
  /** A running backfill's claim expires after this long without a checkpoint; 900 s as in the reference. */
  leaseSeconds?: number;
  /** `model_provider` of rows whose rollout names none (the configured provider; `openai` by default). */
  defaultModelProvider?: string;
  /** Reads a rollout for the backfill; `summarizeRollout` unless a test substitutes it. */
  summarize?: Summarize;
  /**
   * Summariser threads for a large backfill (see `backfill-pool.ts`); 0 summarises in the main thread. Default: as
   * many as the cores available, at most 4 (the main thread mostly waits for them). Ignored when `summarize` is given.
   */
  backfillWorkers?: number;
  /** Keep the full-text search index (`thread/search`, issue 18); default true. False: search scans the rollouts. */
  searchIndex?: boolean;
}

/**
 * Opens `CODEX_HOME/state_5.sqlite` (creating it and the reference schema when missing), runs or waits for
 * the rollout backfill, attaches `thread_history_1.sqlite` (the paginated-history projection; the handle works
 * without it when it cannot be used), and returns the handle only once the backfill is complete. This is the only way to
 * get a `StateDb`; call it once per process.
 *
 * Never throws: when the database cannot be used (not a database, corrupt, an older schema we cannot
 * migrate, read-only file or directory, backfill wait timed out) it logs a warning and returns null, and
 * the caller works from the filesystem alone.
 */
export async function openStateDb(codexHome: string, options: OpenStateDbOptions): Promise<StateDb | null> {
  const { log } = options;
  const dbPath = path.join(codexHome, STATE_DB_FILE);
  let db: Database.Database | null = null;
  try {
    db = await openConnection(dbPath);
    const schema = ensureSchema(db);
    if (schema.kind === 'unusable') {
      log.warn(`state db at ${dbPath} cannot be used: ${schema.reason}; continuing without it`);
      db.close();
      return null;
    }
    if (schema.kind === 'existing' && schema.migrationNote) log.info(`state db at ${dbPath}: ${schema.migrationNote}`);
    const names = new ThreadNames(new HomeLayout(codexHome));
    const search = options.searchIndex === false ? null : openSearch(db, names, log);
    const parts = prepareStateDbParts(
      db,
      options.clock,
      options.ids ?? systemIds,
      options.defaultModelProvider ?? DEFAULT_MODEL_PROVIDER,
      search,
    );
    const tables = search?.writableTables ?? null;
    const gate = await passBackfillGate({
      codexHome,
      lease: parts.lease,
      runBackfill: () =>
        runBackfill({
          codexHome,
          db: parts.db,
          lease: parts.lease,
          threads: parts.threads,
          edges: parts.edges,
          summarize: options.summarize ?? ((file, archived) => summarizeRollout(file, archived, { withText: tables !== null })),
          log,
          search: tables ? { tables, names: () => names.names() } : null,
          pool: options.summarize ? null : poolFactory(options.backfillWorkers ?? defaultBackfillWorkers(), tables !== null, log),
        }),
      log,
      waitMs: options.backfillWaitMs ?? BACKFILL_WAIT_MS,
      pollMs: options.backfillPollMs ?? BACKFILL_POLL_MS,
      leaseSeconds: options.leaseSeconds ?? BACKFILL_LEASE_SECONDS,
    });
    if (!gate.ok) {
      log.warn(gate.message);
      db.close();
      return null;
    }
    // Indexes a backfill of ours deferred and another implementation's worker completed without building them.
    if (gate.backfill === null && hasDeferredIndexes(db)) {
      const conn = db;
      conn.transaction(() => restoreDeferredIndexes(conn, log)).immediate();
    }
    // The paginated-history projection lives in its own file, attached to this one connection.
    const history = await attachThreadHistory(db, codexHome, log);
    // The texts the backfill stored are tokenised by FTS5 after start-up, off the path to `initialize`: late enough
    // that the `initialize` already waiting on stdin is answered first. A process that waited for another's
    // backfill starts later still, once that worker has filled the index: the fill takes the write lock, and
    // waiting for another holder's lock blocks this event loop.
    if (search) setTimeout(() => void search.fill(), gate.backfill ? SEARCH_FILL_DELAY_MS : 10 * SEARCH_FILL_DELAY_MS).unref();
    return new StateDb(parts, { schema: schema.kind, backfill: gate.backfill, waitedMs: gate.waitedMs }, history);
  } catch (err) {
    log.warn(`failed to initialize state runtime at ${codexHome}: ${errorText(err)}`);
    closeQuietly(db);
    return null;
  }
}

function defaultBackfillWorkers(): number {
  // Profile of a 20,000-rollout backfill with one worker on 2 cores: the main thread (SQLite writes) waited 60 % of
  // the time for the worker's reads and parses, so one worker per core keeps both cores busy.
  return Math.max(0, Math.min(4, os.availableParallelism()));
}

/** The backfill's summariser pool, when this build has the worker entry next to this module and the home is large. */
function poolFactory(workers: number, withText: boolean, log: OpenStateDbOptions['log']): BackfillDeps['pool'] {
  const workerUrl = builtWorkerUrl();
  if (workers <= 0 || workerUrl === null) return null;
  return (fileCount, inThread) => (fileCount < BACKFILL_POOL_MIN_FILES ? null : startSummaryPool({ workerUrl, size: workers, withText, inThread, log }));
}

/** `backfill-worker.js` next to this module (dist/state/ with tsc, dist/ in the bundle); null when absent (sources). */
function builtWorkerUrl(): URL | null {
  try {
    const url = new URL('./backfill-worker.js', import.meta.url);
    return existsSync(fileURLToPath(url)) ? url : null;
  } catch {
    // Bundled without `import.meta` (a CommonJS test harness): no worker file to find.
    return null;
  }
}

/**
 * The search index on this connection: its own tables (created when missing) and the searcher over them. Null,
 * with a warning, when SQLite cannot hold it (a build without FTS5, a read-only file): search then scans the files.
 */
function openSearch(db: Database.Database, names: ThreadNames, log: OpenStateDbOptions['log']): ThreadSearcher | null {
  try {
    ensureSearchSchema(db);
    return new ThreadSearcher({
      db,
      log,
      readTexts: (file, archived) => summarizeRollout(file, archived, { withText: true }),
      sessionNames: () => names.names(),
    });
  } catch (err) {
    log.warn(`thread search index unavailable: ${errorText(err)}; thread/search scans the rollouts`);
    return null;
  }
}

async function openConnection(dbPath: string): Promise<Database.Database> {
  const db = new Database(dbPath, { timeout: BUSY_TIMEOUT_MS, nativeBinding: nativeBindingPath() });
  try {
    // The first statement reads the header: a file that is not a database fails here (SQLITE_NOTADB).
    const mode = String(await switchToWal(db)).toLowerCase();
    if (mode !== 'wal') throw new Error(`cannot switch ${dbPath} to WAL journal mode (got ${mode})`);
    // WAL with synchronous=NORMAL never corrupts the database; a power cut can only lose the last commits,
    // which the backfill and read-repair rebuild from the rollout files.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    closeQuietly(db);
    throw err;
  }
}

/**
 * `journal_mode = WAL` on a brand-new file can answer SQLITE_BUSY at once, without waiting on the busy
 * timeout, while another process is switching the same file (seen with 4 processes opening one fresh home).
 * The switch is persistent, so retrying until the timeout lets every opener through.
 */
async function switchToWal(db: Database.Database): Promise<unknown> {
  const deadline = monotonicMs() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return db.pragma('journal_mode = WAL', { simple: true });
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || monotonicMs() >= deadline) throw err;
      await sleep(WAL_RETRY_MS);
    }
  }
}

function closeQuietly(db: Database.Database | null): void {
  try {
    if (db?.open) db.close();
  } catch {
    // Closing a connection whose file went bad can fail too; there is nothing left to release.
  }
}

/**
 * The compiled addon, located directly: better-sqlite3's default lookup (the `bindings` package) probes a dozen
 * paths on every start. First the `node_modules` folders from this module's folder up, as Node's lookup goes
 * (two `stat`s for the bundle, where the first use of Node's package resolution costs ≈ 1–2 ms), then that
 * resolution itself (NODE_PATH, exports). Undefined falls back to better-sqlite3's own lookup.
 */
function nativeBindingPath(): string | undefined {
  const addon = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  try {
    for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
      if (path.basename(dir) !== 'node_modules' && existsSync(path.join(dir, addon))) return path.join(dir, addon);
      if (path.dirname(dir) === dir) break;
    }
    return createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
  } catch {
    return undefined;
  }
}
