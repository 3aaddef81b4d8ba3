import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, onTestFinished, test } from 'vitest';
import { openStateDb, THREAD_HISTORY_DB_FILE, type StateDb } from '../../../src/state/index.js';
import { systemClock } from '../../../src/support/clock.js';
import { readRolloutSpans } from '../../../src/rollout/line-spans.js';
import { projectRolloutRecord } from '../../../src/threads/history-line-rule.js';
import { HistoryProjector } from '../../../src/threads/history-projector.js';
import { FIXTURES } from '../../support/paths.js';
import { copyFixtureHome, FIXTURE_HOME_0169, makeTempHome, recordingLogger } from './helpers.js';

const DUMP = path.join(FIXTURE_HOME_0169, 'thread_history_1.sqlite.sql');
const SCHEMA_SQL = path.join(FIXTURES, 'protocol', 'sqlite-schema.sql');
const MIGRATIONS_JSON = path.join(FIXTURES, 'protocol', 'sqlx-migrations.json');
const DERIVED = path.join(FIXTURES, 'rollouts', 'derived');

/** The three 0.169.0 threads and their rollouts (two active, one archived). */
const FIXTURE_THREADS = [
  ['01a211bb-1b90-7a63-a05b-5f773a6eefd3', 'sessions/2026/11/25/rollout-2026-11-25T08-03-24-01a211bb-1b90-7a63-a05b-5f773a6eefd3.jsonl'],
  ['01a211bb-1ef3-7882-abb1-5aab83601296', 'sessions/2026/11/25/rollout-2026-11-25T08-03-25-01a211bb-1ef3-7882-abb1-5aab83601296.jsonl'],
  ['01a211bb-21ce-7873-94c4-bcb628b9aded', 'archived_sessions/rollout-2026-11-25T08-03-26-01a211bb-21ce-7873-94c4-bcb628b9aded.jsonl'],
] as const;

const ROW_QUERIES = {
  thread_turns: 'SELECT * FROM thread_turns ORDER BY thread_id, rollout_ordinal',
  thread_items: 'SELECT * FROM thread_items ORDER BY thread_id, rollout_ordinal',
  thread_history_projection_state: 'SELECT * FROM thread_history_projection_state ORDER BY thread_id',
  thread_realtime_items: 'SELECT * FROM thread_realtime_items ORDER BY thread_id, rollout_ordinal',
};

type Rows = Record<keyof typeof ROW_QUERIES, unknown[]>;

function rowsOf(db: Database.Database): Rows {
  return Object.fromEntries(Object.entries(ROW_QUERIES).map(([table, sql]) => [table, db.prepare(sql).all()])) as Rows;
}

function migrationsOf(db: Database.Database): unknown[] {
  return db.prepare('SELECT version, description, success, hex(checksum) AS checksum, typeof(checksum) AS tc FROM _sqlx_migrations ORDER BY version').all();
}

/** The reference's rows: its `.dump`, loaded into memory. */
function referenceDump(): Database.Database {
  const db = new Database(':memory:');
  db.exec(readFileSync(DUMP, 'utf8'));
  onTestFinished(() => void db.close());
  return db;
}

function openHistory(home: string): Database.Database {
  const db = new Database(path.join(home, THREAD_HISTORY_DB_FILE), { readonly: true, fileMustExist: true });
  onTestFinished(() => void db.close());
  return db;
}

async function openState(home: string): Promise<StateDb> {
  const log = recordingLogger();
  const db = await openStateDb(home, { clock: systemClock, log });
  expect(db, log.warnings.join('\n')).not.toBeNull();
  expect(db?.history).not.toBeNull();
  onTestFinished(() => db?.close());
  expect(log.warnings).toEqual([]);
  return db as StateDb;
}

/** Projects a rollout from scratch (or from the stored checkpoint), as a resume does. */
async function project(db: StateDb, threadId: string, rolloutPath: string): Promise<void> {
  const log = recordingLogger();
  await new HistoryProjector(db.history, log, { readSpans: readRolloutSpans, fileSize: async (p) => statSync(p).size }).catchUp({ id: threadId, rolloutPath, projectHistory: true }, -1);
  expect(log.warnings).toEqual([]);
}

describe('thread_history_1.sqlite projection', () => {
  test('projecting the three 0.169.0 fixture rollouts from scratch gives exactly the reference rows', async () => {
    const home = makeTempHome();
    const db = await openState(home);
    for (const [id, file] of FIXTURE_THREADS) await project(db, id, path.join(FIXTURE_HOME_0169, file));
    db.close();
    const ours = openHistory(home);
    const reference = referenceDump();
    expect(rowsOf(ours)).toEqual(rowsOf(reference));
    // The dump holds 4 turns, 8 items and 3 checkpoints; each checkpoint is the file's size and line count.
    expect(rowsOf(ours).thread_turns).toHaveLength(4);
    expect(rowsOf(ours).thread_items).toHaveLength(8);
    for (const [id, file] of FIXTURE_THREADS) {
      const bytes = readFileSync(path.join(FIXTURE_HOME_0169, file));
      const lines = bytes.toString('utf8').split('\n').filter(Boolean).length;
      expect(ours.prepare('SELECT next_rollout_byte_offset AS o, next_rollout_ordinal AS n FROM thread_history_projection_state WHERE thread_id = ?').get(id)).toEqual({ o: bytes.length, n: lines });
    }
    // Same migration rows (installed_on and execution_time are the run's own).
    expect(migrationsOf(ours)).toEqual(migrationsOf(reference));
  });

  test('a database we create has the reference DDL (sqlite_master in creation order) and migration rows', async () => {
    const home = makeTempHome();
    (await openState(home)).close();
    const ours = openHistory(home);
    const master = (db: Database.Database) => db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY rowid").all();
    const reference = new Database(path.join(copyFixtureHome(), THREAD_HISTORY_DB_FILE), { readonly: true });
    onTestFinished(() => void reference.close());
    expect(master(ours)).toEqual(master(reference));
    // The statements are those of shared/protocol/sqlite-schema.sql, in its order.
    const schema = readFileSync(SCHEMA_SQL, 'utf8');
    const section = schema.slice(schema.indexOf('-- ==================== thread_history_1.sqlite'), schema.indexOf('-- Rows present in a fresh state_5.sqlite'));
    const expectedSql = section.split('\n').filter((l) => !l.startsWith('--')).join('\n').trim();
    expect((master(ours) as { sql: string }[]).map((r) => `${r.sql};`).join('\n')).toBe(expectedSql);
    const expected = (JSON.parse(readFileSync(MIGRATIONS_JSON, 'utf8')) as Record<string, { version: number; description: string; checksum: string }[]>)['thread_history_1.sqlite'];
    expect(migrationsOf(ours)).toEqual((expected ?? []).map((m) => ({ version: m.version, description: m.description, success: 1, checksum: m.checksum, tc: 'blob' })));
    expect(ours.prepare('SELECT typeof(installed_on) AS ti, typeof(execution_time) AS te FROM _sqlx_migrations LIMIT 1').get()).toEqual({ ti: 'text', te: 'integer' });
    expect(ours.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  test('an existing reference database is attached as it is (rows and migrations untouched)', async () => {
    const home = copyFixtureHome();
    const before = rowsOf(referenceDump());
    (await openState(home)).close();
    const ours = openHistory(home);
    expect(rowsOf(ours)).toEqual(before);
    expect(migrationsOf(ours)).toEqual(migrationsOf(referenceDump()));
  });

  test('continuing from a checkpoint gives the same rows as projecting the whole file; a stale checkpoint is rebuilt', async () => {
    const [id, file] = FIXTURE_THREADS[0];
    const full = readFileSync(path.join(FIXTURE_HOME_0169, file));
    const home = makeTempHome();
    const rollout = path.join(home, 'rollout.jsonl');
    // First turn only (through its task_complete, line 13), then the whole file.
    const firstTurnEnd = 35299;
    writeFileSync(rollout, full.subarray(0, firstTurnEnd));
    const db = await openState(home);
    await project(db, id, rollout);
    expect(db.history?.checkpoint(id)).toEqual({ offset: firstTurnEnd, ordinal: 14 });
    writeFileSync(rollout, full);
    await project(db, id, rollout);
    expect(db.history?.checkpoint(id)).toEqual({ offset: full.length, ordinal: 23 });
    // A checkpoint that does not match the file (offset inside a line) makes the projection start over.
    expect(db.history?.apply(id, { from: { offset: full.length, ordinal: 23 }, to: { offset: 1000, ordinal: 3 }, steps: [], replace: false })).toBe(true);
    await project(db, id, rollout);
    db.close();
    const reference = rowsOf(referenceDump());
    const ours = rowsOf(openHistory(home));
    const only = (rows: unknown[]) => rows.filter((r) => (r as { thread_id: string }).thread_id === id);
    expect({ turns: ours.thread_turns, items: ours.thread_items, state: ours.thread_history_projection_state }).toEqual({
      turns: only(reference.thread_turns),
      items: only(reference.thread_items),
      state: only(reference.thread_history_projection_state),
    });
  });

  test('a torn last line is left for later; an unreadable line without an ordinal is skipped by its bytes', async () => {
    const home = makeTempHome();
    const db = await openState(home);
    const torn = path.join(home, 'torn.jsonl');
    copyFileSync(path.join(DERIVED, 'torn-last-line.rollout-2026-11-25T08-03-25-01a211bb-1ef3-7882-abb1-5aab83601296.jsonl'), torn);
    await project(db, '01a211bb-1ef3-7882-abb1-5aab83601296', torn);
    // The task_complete (ordinal 13, at byte 34963) is cut: the turn stays in progress, the checkpoint before it.
    expect(db.history?.checkpoint('01a211bb-1ef3-7882-abb1-5aab83601296')).toEqual({ offset: 34963, ordinal: 13 });
    const unknown = path.join(home, 'unknown.jsonl');
    copyFileSync(path.join(DERIVED, 'unknown-line-type.rollout-2026-11-25T08-03-24-01a211bb-1b90-7a63-a05b-5f773a6eefd3.jsonl'), unknown);
    await project(db, '01a211bb-1b90-7a63-a05b-5f773a6eefd3', unknown);
    expect(db.history?.checkpoint('01a211bb-1b90-7a63-a05b-5f773a6eefd3')).toEqual({ offset: statSync(unknown).size, ordinal: 23 });
    db.close();
    const history = openHistory(home);
    expect(history.prepare("SELECT status, rollout_end_ordinal FROM thread_turns WHERE thread_id = '01a211bb-1ef3-7882-abb1-5aab83601296'").all()).toEqual([
      { status: 'inProgress', rollout_end_ordinal: null },
    ]);
    // The inserted line shifts the second turn's offsets by its length; ordinals and everything else stay.
    const inserted = statSync(unknown).size - 40593;
    const reference = referenceDump();
    const turns = (db2: Database.Database) =>
      db2.prepare("SELECT turn_id, rollout_ordinal, rollout_byte_offset, rollout_end_ordinal, rollout_end_byte_offset, status FROM thread_turns WHERE thread_id = '01a211bb-1b90-7a63-a05b-5f773a6eefd3' ORDER BY rollout_ordinal").all() as Record<string, number>[];
    const expected = turns(reference).map((t, i) => (i === 0 ? t : { ...t, rollout_byte_offset: t['rollout_byte_offset']! + inserted, rollout_end_byte_offset: t['rollout_end_byte_offset']! + inserted }));
    expect(turns(history)).toEqual(expected);
  });

  test('a thread_history_1.sqlite we do not understand leaves the state DB working without the projection', async () => {
    const home = makeTempHome();
    const bad = new Database(path.join(home, THREAD_HISTORY_DB_FILE));
    bad.exec('CREATE TABLE thread_turns (thread_id TEXT, turn_id TEXT)');
    bad.close();
    const log = recordingLogger();
    const db = await openStateDb(home, { clock: systemClock, log });
    onTestFinished(() => db?.close());
    expect(db).not.toBeNull();
    expect(db?.history).toBeNull();
    expect(log.warnings.join('\n')).toMatch(/thread history db .* cannot be used: schema lacks thread_turns\.rollout_ordinal/);
    // The state DB itself still works.
    expect(db?.backfillState().status).toBe('complete');
  });

  test('a thread_history_1.sqlite that is not a database is left alone', async () => {
    const home = makeTempHome();
    writeFileSync(path.join(home, THREAD_HISTORY_DB_FILE), 'not a database, not even close '.repeat(200));
    const log = recordingLogger();
    const db = await openStateDb(home, { clock: systemClock, log });
    onTestFinished(() => db?.close());
    expect(db?.history).toBeNull();
    expect(log.warnings.join('\n')).toMatch(/thread history db .* cannot be (used|attached)/);
    expect(readFileSync(path.join(home, THREAD_HISTORY_DB_FILE), 'utf8')).toMatch(/^not a database/);
  });
});

describe('one rollout line, projected', () => {
  test('a failed turn (task_complete with error) as the reference 0.169.0 stores it', () => {
    // Line and row observed from the reference binary (a turn failed by HTTP 401).
    const payload = {
      type: 'task_complete', root_turn_id: 't1', turn_id: 't1', last_agent_message: null,
      error: { message: 'unexpected status 401 Unauthorized: nope, url: http://127.0.0.1:39125/v1/responses', codex_error_info: { http_connection_failed: { http_status_code: 401 } } },
      started_at: 1795596969, completed_at: 1795596969, duration_ms: 63,
    };
    expect(projectRolloutRecord('event_msg', payload)).toEqual({
      turns: [{
        turnId: 't1', rootTurnId: 't1', status: 'failed', startedAt: 1795596969, completedAt: 1795596969, durationMs: 63,
        errorJson: '{"message":"unexpected status 401 Unauthorized: nope, url: http://127.0.0.1:39125/v1/responses","codexErrorInfo":{"httpConnectionFailed":{"httpStatusCode":401}},"additionalDetails":null,"misalignment":null}',
      }],
      items: [],
    });
  });

  test('an interrupted turn, lines that change nothing, and items we cannot reproduce exactly', () => {
    expect(projectRolloutRecord('event_msg', { type: 'turn_aborted', root_turn_id: 't', turn_id: 't', reason: 'interrupted', started_at: 5, completed_at: 6, duration_ms: 52 })).toEqual({
      turns: [{ turnId: 't', rootTurnId: 't', status: 'interrupted', errorJson: null, startedAt: 5, completedAt: 6, durationMs: 52 }],
      items: [],
    });
    for (const [type, payload] of [['response_item', { type: 'message' }], ['event_msg', { type: 'token_count' }], ['event_msg', { type: 'error', message: 'x' }], ['turn_context', {}]] as const) {
      expect(projectRolloutRecord(type, payload)).toEqual({ turns: [], items: [] });
    }
    expect(projectRolloutRecord('event_msg', { type: 'item_completed', turn_id: 't', item: { type: 'McpToolCall', id: 'c' } })).toEqual({ unsupported: 'item type McpToolCall' });
    // Tool items (issue 14) are projected as the reference stores them: the v2 item without its clock fields.
    const command = projectRolloutRecord('event_msg', {
      type: 'item_completed',
      turn_id: 't',
      item: { type: 'CommandExecution', id: 'c', process_id: '7', command: ['/bin/bash', '-lc', 'echo hi'], cwd: 'file:///w', parsed_cmd: [], source: 'unified_exec_startup', status: 'completed', aggregated_output: 'hi\n', exit_code: 0, duration: { secs: 0, nanos: 5_000_000 } },
      started_at_ms: 1,
      completed_at_ms: 2,
    });
    expect(command).toMatchObject({ items: [{ turnId: 't', itemId: 'c', itemType: 'commandExecution', startedAtMs: 1, completedAtMs: 2 }] });
    expect(JSON.parse((command as { items: { itemJson: string }[] }).items[0]!.itemJson)).toEqual({
      type: 'commandExecution', id: 'c', pluginId: null, scriptPath: null, command: "/bin/bash -lc 'echo hi'", cwd: '/w', processId: '7', source: 'unifiedExecStartup', status: 'completed', commandActions: [], aggregatedOutput: 'hi\n', exitCode: 0, durationMs: 5,
    });
  });
});
