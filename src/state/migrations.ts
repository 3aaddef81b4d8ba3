import type Database from 'better-sqlite3';
import { STATE_MIGRATIONS, type MigrationRecord } from './migration-records.js';
import {
  CREATE_SQLITE_SEQUENCE,
  SEED_ROWS_SQL,
  STATE_SCHEMA_AFTER_SEQUENCE,
  STATE_SCHEMA_BEFORE_SEQUENCE,
} from './schema-sql.js';

/**
 * The tables and columns this server reads or writes; a database lacking any of them is unusable. Statements are
 * prepared on first use (`prepareOnUse`), so this check, not their preparation, is what refuses such a database at open.
 */
const REQUIRED_COLUMNS: Record<string, readonly string[]> = {
  threads: [
    'id', 'rollout_path', 'created_at', 'created_at_ms', 'updated_at', 'updated_at_ms', 'recency_at',
    'recency_at_ms', 'source', 'model_provider', 'model', 'cwd', 'title', 'first_user_message', 'preview',
    'name', 'sandbox_policy', 'approval_mode', 'tokens_used', 'archived', 'archived_at', 'cli_version',
    'originator', 'history_mode', 'memory_mode', 'agent_nickname', 'agent_role', 'agent_path',
    'git_sha', 'git_branch', 'git_origin_url',
  ],
  backfill_state: ['id', 'status', 'last_watermark', 'last_success_at', 'updated_at'],
  thread_spawn_edges: ['parent_thread_id', 'child_thread_id', 'status'],
  thread_read_receipts: ['thread_id', 'first_unread_turn', 'revision', 'last_published_turn'],
};

export type SchemaOutcome =
  | { kind: 'created' }
  /** A database another process (ours or the reference) set up; `migrationNote` says how its record differs. */
  | { kind: 'existing'; migrationNote: string | null }
  | { kind: 'unusable'; reason: string };

/**
 * Brings an opened `state_5.sqlite` to the reference 0.169.0 schema, or says why it cannot.
 *
 * An empty database gets the whole schema, the seed row and the reference's 62 `_sqlx_migrations` rows in
 * one IMMEDIATE transaction, so a concurrent opener (this server or the reference) sees either nothing or
 * everything and never applies a migration twice. Any other database is left untouched: it is usable when
 * every column we use exists. We cannot replay the reference's migrations on an older database (only their
 * checksums are known here), and adding columns ourselves would make the reference's own migrations fail
 * later, so such a database is reported unusable and the server runs from the filesystem.
 */
export function ensureSchema(db: Database.Database): SchemaOutcome {
  if (objectCount(db) === 0) {
    const created = db
      .transaction(() => {
        // Re-checked under the write lock: another process may have created the schema meanwhile.
        if (objectCount(db) > 0) return false;
        createSchema(db);
        return true;
      })
      .immediate();
    if (created) return { kind: 'created' };
  }
  return verifySchema(db);
}

function createSchema(db: Database.Database): void {
  db.exec(STATE_SCHEMA_BEFORE_SEQUENCE);
  db.exec(CREATE_SQLITE_SEQUENCE);
  db.exec(STATE_SCHEMA_AFTER_SEQUENCE);
  db.exec(SEED_ROWS_SQL);
  recordMigrations(db, STATE_MIGRATIONS);
}

/**
 * Inserts the reference's `_sqlx_migrations` rows into `schema` (`main` or an attached database). `installed_on`
 * takes the column default (CURRENT_TIMESTAMP text), `success` is stored as integer 1 and `checksum` as a BLOB,
 * the storage classes sqlx gives them.
 */
export function recordMigrations(db: Database.Database, migrations: readonly MigrationRecord[], schema = 'main'): void {
  const insert = db.prepare(
    `INSERT INTO ${schema}._sqlx_migrations (version, description, success, checksum, execution_time) VALUES (?, ?, 1, ?, ?)`,
  );
  for (const migration of migrations) {
    insert.run(migration.version, migration.description, Buffer.from(migration.checksumHex, 'hex'), 0);
  }
}

function verifySchema(db: Database.Database): SchemaOutcome {
  const missing: string[] = [];
  for (const [table, columns] of Object.entries(REQUIRED_COLUMNS)) {
    const present = new Set(tableColumns(db, table));
    for (const column of columns) if (!present.has(column)) missing.push(`${table}.${column}`);
  }
  const recorded = hasTable(db, '_sqlx_migrations') ? recordedMigrations(db) : null;
  if (missing.length > 0) {
    const history = recorded === null ? 'no _sqlx_migrations table' : `${recorded.size} recorded migrations`;
    return { kind: 'unusable', reason: `schema lacks ${missing.join(', ')} (${history})` };
  }
  return { kind: 'existing', migrationNote: recorded === null ? 'no _sqlx_migrations table' : compareMigrations(recorded) };
}

function compareMigrations(recorded: Map<number, string>): string | null {
  const absent = STATE_MIGRATIONS.filter((m) => !recorded.has(m.version)).map((m) => m.version);
  const changed = STATE_MIGRATIONS.filter((m) => {
    const checksum = recorded.get(m.version);
    return checksum !== undefined && checksum !== m.checksumHex;
  }).map((m) => m.version);
  const known = new Set(STATE_MIGRATIONS.map((m) => m.version));
  const extra = [...recorded.keys()].filter((version) => !known.has(version));
  if (absent.length === 0 && changed.length === 0 && extra.length === 0) return null;
  return `migrations absent: [${absent.join(',')}], checksum differs: [${changed.join(',')}], unknown: [${extra.join(',')}]`;
}

function recordedMigrations(db: Database.Database): Map<number, string> {
  const rows = db
    .prepare<[], { version: number; checksum: string }>('SELECT version, hex(checksum) AS checksum FROM _sqlx_migrations')
    .all();
  return new Map(rows.map((row) => [Number(row.version), row.checksum]));
}

function objectCount(db: Database.Database): number {
  return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM sqlite_master').get()?.n ?? 0;
}

function hasTable(db: Database.Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

function tableColumns(db: Database.Database, table: string): string[] {
  return db
    .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
    .all(table)
    .map((row) => row.name);
}
