/** `thread_history_1.sqlite` attach and `ThreadHistoryStore.apply` (src/state/history-projection-store.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test, vi } from 'vitest';
import { attachThreadHistory, THREAD_HISTORY_DB_FILE } from '../../../src/state/history-projection-store.js';
import { makeTempHome, recordingLogger } from './helpers.js';
import { applySteps, connection, historyStore, item, step, turn, type HistoryHarness } from './s-history-harness.js';

const T = 'thread-1';

function turns(h: HistoryHarness, threadId = T): Record<string, unknown>[] {
  return h.db.prepare('SELECT * FROM history.thread_turns WHERE thread_id = ? ORDER BY rollout_ordinal').all(threadId) as Record<string, unknown>[];
}

function items(h: HistoryHarness, threadId = T): Record<string, unknown>[] {
  return h.db.prepare('SELECT * FROM history.thread_items WHERE thread_id = ? ORDER BY rollout_ordinal').all(threadId) as Record<string, unknown>[];
}

const attached = (db: Database.Database): string[] => (db.pragma('database_list') as { name: string }[]).map((d) => d.name);

describe('attach', () => {
  test('a missing file is created with the schema and migration rows, in WAL mode with synchronous NORMAL; a second opener keeps it', async () => {
    const h = await historyStore();
    expect(h.log.warnings).toEqual([]);
    expect(attached(h.db)).toEqual(['main', 'history']);
    expect(h.db.pragma('history.journal_mode', { simple: true })).toBe('wal');
    expect(h.db.pragma('history.synchronous', { simple: true })).toBe(1);
    expect(h.db.prepare('SELECT version, description FROM history._sqlx_migrations ORDER BY version').all()).toHaveLength(8);
    const tables = h.db.prepare("SELECT name FROM history.sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables).toEqual([{ name: '_sqlx_migrations' }, { name: 'thread_history_projection_state' }, { name: 'thread_items' }, { name: 'thread_realtime_items' }, { name: 'thread_turns' }]);
    expect(h.store.checkpoint(T)).toBeNull();
    applySteps(h.store, T, [step(0, [turn('t1', 'inProgress')])]);

    const second = connection(h.home);
    const log = recordingLogger();
    const store = await attachThreadHistory(second, h.home, log);
    expect(log.warnings).toEqual([]);
    expect(store?.checkpoint(T)).toEqual({ offset: 99, ordinal: 1 });
    expect(second.prepare('SELECT count(*) AS n FROM history._sqlx_migrations').get()).toEqual({ n: 8 });
    expect(store?.pages.lastOrdinals(T)).toEqual({ turn: 0, item: null });
  });

  test('a schema another process creates between our first look and our write lock is kept as it is', async () => {
    const first = await historyStore();
    applySteps(first.store, T, [step(0, [turn('t1', 'inProgress')])]);
    const db = connection(first.home);
    // The first count (before the lock) sees an empty file, as it was a moment earlier; the re-check sees the schema.
    let looks = 0;
    const racing = new Proxy(db, {
      get(target, prop) {
        if (prop === 'prepare') {
          return (sql: string) => {
            const statement = target.prepare(sql);
            if (/count\(\*\) AS n FROM history\.sqlite_master/.test(sql) && (looks += 1) === 1) return { get: () => ({ n: 0 }) };
            return statement;
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const log = recordingLogger();
    const store = await attachThreadHistory(racing, first.home, log);
    expect(log.warnings).toEqual([]);
    expect(looks).toBe(2);
    expect(store?.checkpoint(T)).toEqual({ offset: 99, ordinal: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM history._sqlx_migrations').get()).toEqual({ n: 8 });
  });

  test('a file that stays in another journal mode is refused: warned, detached', async () => {
    const home = makeTempHome();
    const db = connection(home);
    const stuck = new Proxy(db, {
      get(target, prop) {
        if (prop === 'pragma') return (source: string, options?: { simple?: boolean }) => (/journal_mode = WAL/.test(source) ? 'TRUNCATE' : target.pragma(source, options));
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const log = recordingLogger();
    expect(await attachThreadHistory(stuck, home, log)).toBeNull();
    expect(log.warnings).toEqual([`thread history db at ${path.join(home, THREAD_HISTORY_DB_FILE)} cannot be used: cannot switch to WAL journal mode (got truncate); continuing without the history projection`]);
    expect(attached(db)).toEqual(['main']);
  });

  test('switching to WAL: another error fails at once; SQLITE_BUSY is retried until the deadline, then fails', async () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const ioerr = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
    for (const [error, expected] of [[ioerr, 'disk I/O error (SQLITE_IOERR)'], [busy, 'database is locked (SQLITE_BUSY)']] as const) {
      const home = makeTempHome();
      const db = connection(home);
      let switches = 0;
      // The clock reads 0 (never the deadline) for the I/O error; for SQLITE_BUSY, exactly the deadline (5 s later) once refused: no second try.
      let refused = false;
      const now = vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => (refused ? 5_000_000_000n : 0n));
      const failing = new Proxy(db, {
        get(target, prop) {
          if (prop === 'pragma') {
            return (source: string, options?: { simple?: boolean }) => {
              if (!/journal_mode = WAL/.test(source)) return target.pragma(source, options);
              switches += 1;
              refused = error === busy;
              throw error;
            };
          }
          const value: unknown = Reflect.get(target, prop, target);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const log = recordingLogger();
      try {
        expect(await attachThreadHistory(failing, home, log)).toBeNull();
      } finally {
        now.mockRestore();
      }
      expect(switches).toBe(1);
      expect(log.warnings).toEqual([`thread history db at ${path.join(home, THREAD_HISTORY_DB_FILE)} cannot be used: ${expected}; continuing without the history projection`]);
      expect(attached(db)).toEqual(['main']);
    }
  });

  test('a home that cannot hold the file: warned, nothing attached, null', async () => {
    const home = path.join(makeTempHome(), 'missing', 'dir');
    const db = connection(makeTempHome());
    const log = recordingLogger();
    expect(await attachThreadHistory(db, home, log)).toBeNull();
    expect(log.warnings).toEqual([
      expect.stringMatching(new RegExp(`^thread history db at ${path.join(home, THREAD_HISTORY_DB_FILE).replace(/[.]/g, '\\.')} cannot be attached: .+; continuing without the history projection$`)),
    ]);
    expect(attached(db)).toEqual(['main']);
  });

  test('a file that is not a database: warned, not attached, left as it is', async () => {
    const home = makeTempHome();
    const file = path.join(home, THREAD_HISTORY_DB_FILE);
    writeFileSync(file, 'x'.repeat(4096));
    const db = connection(home);
    const log = recordingLogger();
    expect(await attachThreadHistory(db, home, log)).toBeNull();
    expect(log.warnings).toEqual([`thread history db at ${file} cannot be attached: file is not a database (SQLITE_NOTADB); continuing without the history projection`]);
    expect(attached(db)).toEqual(['main']);
    expect(readFileSync(file, 'utf8')).toBe('x'.repeat(4096));
  });

  test('a failure after the ATTACH (a read-only connection cannot switch to WAL): warned, detached, left in its journal mode', async () => {
    const home = makeTempHome();
    const file = path.join(home, THREAD_HISTORY_DB_FILE);
    const other = new Database(file);
    other.exec('CREATE TABLE keep (x)');
    other.close();
    connection(home).close();
    const db = new Database(path.join(home, 'state_5.sqlite'), { readonly: true });
    const log = recordingLogger();
    expect(await attachThreadHistory(db, home, log)).toBeNull();
    expect(attached(db)).toEqual(['main']);
    db.close();
    expect(log.warnings).toEqual([`thread history db at ${file} cannot be used: attempt to write a readonly database (SQLITE_READONLY); continuing without the history projection`]);
    expect(new Database(file, { readonly: true }).pragma('journal_mode', { simple: true })).toBe('delete');
  });

  test('a schema without the columns we write: each missing column named, detached', async () => {
    const home = makeTempHome();
    const file = path.join(home, THREAD_HISTORY_DB_FILE);
    const other = new Database(file);
    other.exec(`CREATE TABLE thread_turns (thread_id TEXT, turn_id TEXT, rollout_ordinal INTEGER, status TEXT, error_json TEXT, started_at INTEGER,
        completed_at INTEGER, duration_ms INTEGER, first_user_item_id TEXT, final_agent_item_id TEXT, rollout_byte_offset INTEGER,
        rollout_end_ordinal INTEGER, rollout_end_byte_offset INTEGER);
      CREATE TABLE thread_items (thread_id TEXT, turn_id TEXT, item_id TEXT, rollout_ordinal INTEGER, created_at_ms INTEGER, item_json TEXT,
        item_type TEXT, updated_at_ordinal INTEGER, started_at_ms INTEGER);`);
    other.close();
    const db = connection(home);
    const log = recordingLogger();
    expect(await attachThreadHistory(db, home, log)).toBeNull();
    expect(log.warnings).toEqual([
      `thread history db at ${file} cannot be used: schema lacks thread_turns.root_turn_id, thread_items.completed_at_ms, thread_history_projection_state.thread_id, thread_history_projection_state.next_rollout_byte_offset, thread_history_projection_state.next_rollout_ordinal; continuing without the history projection`,
    ]);
    expect(attached(db)).toEqual(['main']);
  });

  test('a file another connection is switching holds us off (SQLITE_BUSY) until it is done, then we attach', async () => {
    const home = makeTempHome();
    const file = path.join(home, THREAD_HISTORY_DB_FILE);
    const other = new Database(file);
    other.exec('CREATE TABLE keep (x); INSERT INTO keep VALUES (1)');
    // A read transaction: the ATTACH can read, the switch to WAL cannot get its exclusive lock.
    other.exec('BEGIN');
    other.prepare('SELECT * FROM keep').all();
    const db = connection(home, 0);
    const log = recordingLogger();
    const attaching = attachThreadHistory(db, home, log);
    // The switch has failed at least once with SQLITE_BUSY and is retrying; release the lock.
    await new Promise((r) => setTimeout(r, 50));
    other.exec('COMMIT');
    other.close();
    // An existing database without our tables: attached, WAL, then refused for its schema.
    expect(await attaching).toBeNull();
    expect(log.warnings).toEqual([expect.stringContaining('cannot be used: schema lacks thread_turns.thread_id')]);
    expect(new Database(file, { readonly: true }).pragma('journal_mode', { simple: true })).toBe('wal');
  });
});

describe('apply', () => {
  test('without replace the stored checkpoint must equal `from` (none counts as offset 0); a mismatch writes nothing', async () => {
    const h = await historyStore();
    const move = (from: { offset: number; ordinal: number }, to: { offset: number; ordinal: number }) => h.store.apply(T, { from, to, steps: [step(0, [turn('t', 'inProgress')])], replace: false });
    expect(move({ offset: 5, ordinal: 0 }, { offset: 9, ordinal: 1 })).toBe(false);
    expect(turns(h)).toEqual([]);
    expect(move({ offset: 0, ordinal: 7 }, { offset: 10, ordinal: 2 })).toBe(true);
    expect(h.store.checkpoint(T)).toEqual({ offset: 10, ordinal: 2 });
    expect(move({ offset: 10, ordinal: 3 }, { offset: 20, ordinal: 4 })).toBe(false);
    expect(move({ offset: 11, ordinal: 2 }, { offset: 20, ordinal: 4 })).toBe(false);
    expect(move({ offset: 0, ordinal: 0 }, { offset: 20, ordinal: 4 })).toBe(false);
    expect(h.store.checkpoint(T)).toEqual({ offset: 10, ordinal: 2 });
    expect(move({ offset: 10, ordinal: 2 }, { offset: 20, ordinal: 4 })).toBe(true);
    expect(h.store.checkpoint(T)).toEqual({ offset: 20, ordinal: 4 });
    // Other threads have their own checkpoints.
    expect(h.store.checkpoint('other')).toBeNull();
  });

  test('a turn: created by its first line, ended once by a terminal line; later lines leave an ended turn alone', async () => {
    const h = await historyStore();
    applySteps(h.store, T, [
      step(2, [turn('t1', 'inProgress', { rootTurnId: 'root', startedAt: 50 })]),
      step(3, [], [item('t1', 'u1', { type: 'userMessage', content: [] }, { startedAtMs: 7, completedAtMs: 8 })]),
      step(4, [], [item('t1', 'u2', { type: 'userMessage', content: [] })]),
      step(5, [], [item('t1', 'a1', { type: 'agentMessage', text: 'x', phase: 'final_answer' })]),
      step(6, [], [item('t1', 'a2', { type: 'agentMessage', text: 'y', phase: 'commentary' })]),
      step(7, [], [item('t1', 'a3', { type: 'agentMessage', text: 'z', phase: 'final_answer' })]),
      step(8, [], [item('t1', 'a4', { type: 'agentMessage', text: 'w' })]),
      step(9, [turn('t1', 'completed', { startedAt: 50, completedAt: 60, durationMs: 10_000, errorJson: null })]),
    ]);
    const done = {
      thread_id: T, turn_id: 't1', rollout_ordinal: 2, rollout_byte_offset: 200, rollout_end_ordinal: 9, rollout_end_byte_offset: 999,
      status: 'completed', error_json: null, started_at: 50, completed_at: 60, duration_ms: 10_000,
      first_user_item_id: 'u1', final_agent_item_id: 'a3', root_turn_id: 'root',
    };
    expect(turns(h)).toEqual([done]);
    // A replayed start, another end and a failure: the ended turn stays as it was, and so does its summary.
    applySteps(h.store, T, [
      step(10, [], [item('t1', 'a5', { type: 'agentMessage', text: 'late', phase: 'final_answer' })]),
      step(11, [], [item('t1', 'u0', { type: 'userMessage', content: [] })]),
      step(12, [], [item('t1', 'a6', { type: 'agentMessage', text: 'late, no phase' })]),
      step(13, [turn('t1', 'inProgress', { rootTurnId: 'other' })]),
      step(14, [turn('t1', 'failed', { errorJson: '{"message":"x"}', completedAt: 99 })]),
      step(15, [turn('t1', 'completed', { completedAt: 100 })]),
    ]);
    expect(turns(h)).toEqual([done]);
  });

  test('a turn that fails or is interrupted records its error and end; an in-progress line after its start updates it while open', async () => {
    const h = await historyStore();
    applySteps(h.store, T, [
      step(0, [turn('t1', 'inProgress')]),
      step(1, [turn('t1', 'inProgress', { rootTurnId: 'late-root', startedAt: 5 })]),
      step(2, [turn('t1', 'failed', { errorJson: '{"message":"boom"}', completedAt: 6, durationMs: 1000 })]),
      step(3, [turn('t2', 'interrupted', { rootTurnId: 't2', startedAt: 7, completedAt: 8, durationMs: 52 })]),
    ]);
    expect(turns(h).map((t) => [t['turn_id'], t['rollout_ordinal'], t['rollout_byte_offset'], t['rollout_end_ordinal'], t['rollout_end_byte_offset'], t['status'], t['error_json'], t['started_at'], t['completed_at'], t['duration_ms'], t['root_turn_id']])).toEqual([
      ['t1', 0, 0, 2, 299, 'failed', '{"message":"boom"}', null, 6, 1000, 'late-root'],
      ['t2', 3, 300, 3, 399, 'interrupted', null, 7, 8, 52, 't2'],
    ]);
  });

  test('items stored before their turn row still name its first user message and final agent message', async () => {
    const h = await historyStore();
    applySteps(h.store, T, [
      step(0, [], [item('t1', 'c1', { type: 'commandExecution' })]),
      step(1, [], [item('t1', 'u1', { type: 'userMessage', content: [] })]),
      step(2, [], [item('t1', 'u2', { type: 'userMessage', content: [] })]),
      step(3, [], [item('t1', 'a1', { type: 'agentMessage', text: 'x' })]),
      step(4, [], [item('t1', 'a3', { type: 'agentMessage', text: 'z' })]),
      step(5, [], [item('t1', 'a2', { type: 'agentMessage', text: 'y', phase: 'commentary' })]),
      step(6, [], [item('t2', 'a9', { type: 'agentMessage', text: 'other turn' })]),
      step(7, [], [item('t2', 'u9', { type: 'userMessage', content: [] })]),
      // Still open: only a final_answer counts, and there is none.
      step(8, [turn('t1', 'inProgress')]),
    ]);
    expect(turns(h).map((t) => [t['first_user_item_id'], t['final_agent_item_id']])).toEqual([['u1', null]]);
    // Ended: the last agent message without a phase.
    applySteps(h.store, T, [step(9, [turn('t1', 'completed')])]);
    expect(turns(h).map((t) => [t['first_user_item_id'], t['final_agent_item_id']])).toEqual([['u1', 'a3']]);
  });

  test('the summary also reads rows the reference wrote without item_type, and a final_answer wins over a phase-less message', async () => {
    const h = await historyStore();
    const legacy = h.db.prepare("INSERT INTO history.thread_items (thread_id, turn_id, item_id, rollout_ordinal, created_at_ms, item_json) VALUES (?, 't1', ?, ?, 1, ?)");
    legacy.run(T, 'u1', 0, JSON.stringify({ type: 'userMessage', id: 'u1' }));
    legacy.run(T, 'a1', 1, JSON.stringify({ type: 'agentMessage', id: 'a1', phase: 'final_answer' }));
    legacy.run(T, 'a2', 2, JSON.stringify({ type: 'agentMessage', id: 'a2' }));
    applySteps(h.store, T, [step(3, [turn('t1', 'interrupted')])]);
    expect(turns(h).map((t) => [t['first_user_item_id'], t['final_agent_item_id']])).toEqual([['u1', 'a1']]);
  });

  test('an item keeps its first ordinal and creation time; a later line updates its body, type and missing clock fields', async () => {
    const h = await historyStore();
    applySteps(h.store, T, [
      step(0, [turn('t1', 'inProgress')]),
      step(1, [], [item('t1', 'i1', { type: 'reasoning', text: 'a' }, { startedAtMs: null, completedAtMs: 20 })]),
      step(2, [], [item('t1', 'i2', { type: 'plan', text: 'p' }, { startedAtMs: 555 })]),
    ]);
    applySteps(h.store, T, [step(3, [], [item('t1', 'i1', { type: 'agentMessage', text: 'b' }, { startedAtMs: 10, completedAtMs: 30 })])]);
    expect(items(h).map((i) => ({ ...i }))).toEqual([
      { thread_id: T, turn_id: 't1', item_id: 'i1', rollout_ordinal: 1, created_at_ms: 1001, item_json: '{"id":"i1","type":"agentMessage","text":"b"}', item_type: 'agentMessage', updated_at_ordinal: 3, started_at_ms: 10, completed_at_ms: 20 },
      { thread_id: T, turn_id: 't1', item_id: 'i2', rollout_ordinal: 2, created_at_ms: 555, item_json: '{"id":"i2","type":"plan","text":"p"}', item_type: 'plan', updated_at_ordinal: 2, started_at_ms: 555, completed_at_ms: null },
    ]);
  });

  test('an item with no creation time fails the whole update: nothing written, checkpoint unchanged', async () => {
    const h = await historyStore();
    applySteps(h.store, T, [step(0, [turn('t1', 'inProgress')])]);
    expect(() => applySteps(h.store, T, [step(1, [turn('t2', 'inProgress')]), step(2, [], [item('t2', 'i', { type: 'plan' })], { fallbackCreatedAtMs: null })])).toThrow(
      'thread history projection for thread-1 is missing an item creation timestamp',
    );
    expect(turns(h).map((t) => t['turn_id'])).toEqual(['t1']);
    expect(h.store.checkpoint(T)).toEqual({ offset: 99, ordinal: 1 });
  });

  test('replace drops the thread rows (realtime items too) before applying; deleteThread drops them; other threads stay', async () => {
    const h = await historyStore();
    applySteps(h.store, T, [step(0, [turn('t1', 'inProgress')], [item('t1', 'i1', { type: 'userMessage' })])]);
    applySteps(h.store, 'other', [step(0, [turn('t9', 'inProgress')], [item('t9', 'i9', { type: 'userMessage' })])]);
    h.db.prepare("INSERT INTO history.thread_realtime_items (thread_id, item_id, rollout_ordinal, created_at_ms, item_type, item_json) VALUES (?, 'r', 0, 1, 'x', '{}')").run(T);
    expect(h.store.apply(T, { from: { offset: 12345, ordinal: 9 }, to: { offset: 199, ordinal: 2 }, steps: [step(1, [turn('t2', 'completed')])], replace: true })).toBe(true);
    expect(turns(h).map((t) => t['turn_id'])).toEqual(['t2']);
    expect(items(h)).toEqual([]);
    expect(h.db.prepare('SELECT count(*) AS n FROM history.thread_realtime_items').get()).toEqual({ n: 0 });
    expect(h.store.checkpoint(T)).toEqual({ offset: 199, ordinal: 2 });
    h.store.deleteThread(T);
    expect(turns(h)).toEqual([]);
    expect(h.store.checkpoint(T)).toBeNull();
    expect(turns(h, 'other')).toHaveLength(1);
    expect(items(h, 'other')).toHaveLength(1);
    expect(h.store.checkpoint('other')).toEqual({ offset: 99, ordinal: 1 });
    h.store.deleteThread('other');
    expect(items(h, 'other')).toEqual([]);
  });
});
