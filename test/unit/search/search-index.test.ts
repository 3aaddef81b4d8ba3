/**
 * The full-text search index in state_5.sqlite (issue 18): filled by the backfill in the same read, kept current
 * on turns, renames, archive, unarchive and delete, caught up with rows another process changed, literal for
 * every input, rebuilt when corrupt.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, onTestFinished, test } from 'vitest';
import { summarizeRollout } from '../../../src/rollout/summary.js';
import { STATE_DB_FILE, type StateDb } from '../../../src/state/index.js';
import type { ThreadSearchQuery } from '../../../src/state/search-port.js';
import { foldTerm } from '../../../src/support/literal-match.js';
import { BASE_MS, makeTempHome, openDb, threadIdFor, writeConversation } from './helpers.js';

const A = threadIdFor(1);
const B = threadIdFor(2);
const C = threadIdFor(3);

function query(term: string, extra: Partial<ThreadSearchQuery> = {}): ThreadSearchQuery {
  return { foldedTerm: foldTerm(term), archived: false, sortKey: 'created_at', sortDirection: 'desc', after: null, limit: 25, sourceKinds: [], ...extra };
}

async function hits(db: StateDb, term: string, extra: Partial<ThreadSearchQuery> = {}): Promise<{ id: string; snippet: string }[]> {
  const page = await db.search?.search(query(term, extra));
  if (!page) throw new Error('the index did not answer');
  return page.hits.map((hit) => ({ id: hit.thread.id, snippet: hit.snippet }));
}

const ids = async (db: StateDb, term: string, extra: Partial<ThreadSearchQuery> = {}): Promise<string[]> => (await hits(db, term, extra)).map((h) => h.id);

function raw(home: string): Database.Database {
  const db = new Database(path.join(home, STATE_DB_FILE), { timeout: 5000 });
  onTestFinished(() => void db.close());
  return db;
}

/** Threads whose index entry is missing or behind their row (what a search would re-read). */
function staleCount(home: string): number {
  return (
    raw(home)
      .prepare<[], { n: number }>(
        `SELECT count(*) AS n FROM threads t LEFT JOIN codex_ts_search_threads s ON s.thread_id = t.id
         WHERE s.thread_id IS NULL OR s.updated_at_ms <> t.updated_at_ms`,
      )
      .get()?.n ?? -1
  );
}

function seed(home: string): void {
  writeConversation(home, { id: A, createdAtMs: BASE_MS, messages: ['plan the migration', 'Use a **blue-green** deploy', 'and the rollback?', 'Keep the old schema'] });
  writeConversation(home, { id: B, createdAtMs: BASE_MS + 60_000, messages: ['hello', 'The answer is 42 😀 needle here'], items: true });
  writeConversation(home, { id: C, createdAtMs: BASE_MS + 120_000, messages: ['archived talk about needles', 'ok'], archived: true });
}

describe('filled by the backfill', () => {
  test('in the same read of each file: every thread indexed with its visible texts, nothing left to re-read', async () => {
    const home = makeTempHome();
    seed(home);
    let reads = 0;
    const db = await openDb(home, {
      summarize: (file, archived) => {
        reads += 1;
        return summarizeRollout(file, archived, { withText: true });
      },
    });
    expect(reads).toBe(3);
    expect(staleCount(home)).toBe(0);
    const docs = raw(home).prepare('SELECT thread_id, field, text FROM codex_ts_search_docs ORDER BY id').all();
    // One row per file: its messages in order, joined by U+001E; the preview is the first message, not stored twice.
    expect(docs).toContainEqual({ thread_id: A, field: 'message', text: ['plan the migration', 'Use a **blue-green** deploy', 'and the rollback?', 'Keep the old schema'].join('\u001e') });
    expect(docs).toContainEqual({ thread_id: B, field: 'message', text: ['hello', 'The answer is 42 😀 needle here'].join('\u001e') });
    expect(docs).toHaveLength(3);
    expect(await hits(db, 'BLUE-green')).toEqual([{ id: A, snippet: 'Use a **blue-green** deploy' }]);
    expect(await ids(db, 'needle')).toEqual([B]);
    expect(await ids(db, 'needle', { archived: true })).toEqual([C]);
  });

  test('the backfill stores the texts; FTS5 takes them in the background, and searches are right before and after', async () => {
    const home = makeTempHome();
    seed(home);
    const many = Array.from({ length: 450 }, (_, i) => threadIdFor(1000 + i));
    many.forEach((id, i) => writeConversation(home, { id, createdAtMs: BASE_MS + 86_400_000 + i * 1000, messages: [`bulk ${i}`, i === 300 ? 'the okapi line' : 'ok'] }));
    const db = await openDb(home);
    const pending = (): number => (raw(home).prepare('SELECT count(*) AS n FROM codex_ts_search_docs WHERE indexed = 0').get() as { n: number }).n;
    // Nothing tokenised yet when the handle is returned: the fill starts after.
    expect(pending()).toBe(453);
    expect(await hits(db, 'OKAPI')).toEqual([{ id: many[300], snippet: 'the okapi line' }]);
    expect(await ids(db, 'blue-green')).toEqual([A]);
    await db.search?.fill();
    expect(pending()).toBe(0);
    expect(raw(home).prepare("SELECT count(*) AS n FROM codex_ts_search_fts WHERE codex_ts_search_fts MATCH '\"oka\" AND \"kap\" AND \"api\"'").get()).toEqual({ n: 1 });
    expect(await hits(db, 'OKAPI')).toEqual([{ id: many[300], snippet: 'the okapi line' }]);
    expect(await ids(db, 'blue-green')).toEqual([A]);
    expect(raw(home).pragma('integrity_check', { simple: true })).toBe('ok');
    // FTS5's own check of the index against its content table throws on any mismatch.
    expect(() => raw(home).prepare("INSERT INTO codex_ts_search_fts(codex_ts_search_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
  });

  test('without the index (searchIndex: false) no search tables are created and the handle has no search', async () => {
    const home = makeTempHome();
    seed(home);
    const db = await openDb(home, { searchIndex: false });
    expect(db.search).toBeNull();
    expect(raw(home).prepare("SELECT name FROM sqlite_master WHERE name LIKE 'codex_ts_search%'").all()).toEqual([]);
  });

  test('the index lives in its own tables and never records a migration in _sqlx_migrations', async () => {
    const home = makeTempHome();
    seed(home);
    await openDb(home);
    const db = raw(home);
    expect(db.prepare('SELECT count(*) AS n FROM _sqlx_migrations').get()).toEqual({ n: 62 });
    expect(db.prepare("SELECT value FROM codex_ts_search_meta WHERE key = 'schema_version'").get()).toEqual({ value: '3' });
    const triggers = db.prepare<[], { tbl_name: string }>("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'codex_ts_search%'").all();
    expect(new Set(triggers.map((t) => t.tbl_name))).toEqual(new Set(['codex_ts_search_docs']));
  });
});

describe('kept current', () => {
  test('a turn appends its texts; a thread the index never saw is indexed whole', async () => {
    const home = makeTempHome();
    seed(home);
    const db = await openDb(home);
    db.recordTurn({ threadId: A, updatedAtMs: BASE_MS + 500_000, recencyAtMs: BASE_MS + 400_000, tokensUsed: 10, model: null, firstUserMessage: null });
    db.search?.indexTurn({ threadId: A, preview: 'plan the migration', name: null, texts: ['what about zebras', 'Zebras are fine'], allTexts: () => { throw new Error('not needed'); } });
    expect(staleCount(home)).toBe(0);
    expect(await hits(db, 'zebra')).toEqual([{ id: A, snippet: 'what about zebras' }]);

    // A thread created here: its row exists, the index has not seen it.
    const D = threadIdFor(4);
    db.upsertThread(rowFor(D, home));
    db.search?.indexTurn({ threadId: D, preview: 'first', name: null, texts: ['second kangaroo'], allTexts: () => ['first', 'second kangaroo'] });
    expect(await hits(db, 'kangaroo')).toEqual([{ id: D, snippet: 'second kangaroo' }]);
    expect(await hits(db, 'first')).toEqual([{ id: D, snippet: 'first' }]);
  });

  test('rename, archive, unarchive and delete', async () => {
    const home = makeTempHome();
    seed(home);
    const db = await openDb(home);
    db.setName(A, 'Quarterly Ops Review', BASE_MS + 600_000);
    expect(await hits(db, 'ops review')).toEqual([{ id: A, snippet: 'Quarterly Ops Review' }]);
    db.setName(A, 'Renamed', BASE_MS + 700_000);
    expect(await ids(db, 'ops review')).toEqual([]);
    expect(staleCount(home)).toBe(0);

    const row = db.getThread(A);
    db.updateRolloutPath(A, row?.rolloutPath.replace('/sessions/', '/archived_sessions/') ?? '', true, BASE_MS + 800_000);
    expect(await ids(db, 'migration')).toEqual([]);
    expect(await ids(db, 'migration', { archived: true })).toEqual([A]);
    db.updateRolloutPath(A, row?.rolloutPath ?? '', false, null);
    expect(await ids(db, 'migration')).toEqual([A]);

    db.search?.removeThread(B);
    expect(raw(home).prepare('SELECT count(*) AS n FROM codex_ts_search_docs WHERE thread_id = ?').get(B)).toEqual({ n: 0 });
    // Rows replaced or removed before and after the background fill leave FTS5 consistent with its content.
    await db.search?.fill();
    db.search?.removeThread(A);
    expect(() => raw(home).prepare("INSERT INTO codex_ts_search_fts(codex_ts_search_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
  });

  test('changes another process made to threads are caught up before a search', async () => {
    const home = makeTempHome();
    seed(home);
    const db = await openDb(home);
    const other = raw(home);
    // The reference renames (row and session_index.jsonl), rewrites a rollout, deletes a row.
    other.prepare('UPDATE threads SET name = ? WHERE id = ?').run('Named by the reference', B);
    writeConversation(home, { id: A, createdAtMs: BASE_MS, messages: ['plan the migration', 'a platypus appears'], mtimeMs: BASE_MS + 900_000 });
    other.prepare('UPDATE threads SET updated_at_ms = ?, updated_at = ? WHERE id = ?').run(BASE_MS + 900_000, (BASE_MS + 900_000) / 1000, A);
    other.prepare('DELETE FROM threads WHERE id = ?').run(C);
    expect(await ids(db, 'by the reference')).toEqual([B]);
    expect(await ids(db, 'platypus')).toEqual([A]);
    expect(await ids(db, 'blue-green')).toEqual([]);
    expect(await ids(db, 'needles', { archived: true })).toEqual([]);
    expect(other.prepare('SELECT count(*) AS n FROM codex_ts_search_threads WHERE thread_id = ?').get(C)).toEqual({ n: 0 });
  });

  test('a home whose DB the reference made (no search tables) is indexed on the first search', async () => {
    const home = makeTempHome();
    seed(home);
    const first = await openDb(home, { searchIndex: false });
    first.close();
    const db = await openDb(home);
    expect(staleCount(home)).toBe(3);
    expect(await ids(db, 'old schema')).toEqual([A]);
    expect(staleCount(home)).toBe(0);
  });
});

describe('bad input is literal text', () => {
  const texts = [
    'quote " inside',
    'star * and "quoted*"',
    'NEAR(alpha beta) literal',
    '-minus sign at start',
    'a OR b AND NOT c',
    "back\\slash and 'single'",
    'col:umn ^caret {brace} (paren)',
    'lone \uD800 high surrogate',
  ];

  async function literalHome(): Promise<StateDb> {
    const home = makeTempHome();
    texts.forEach((text, i) => writeConversation(home, { id: threadIdFor(10 + i), createdAtMs: BASE_MS + i * 60_000, messages: ['x', text] }));
    return openDb(home);
  }

  test('FTS syntax characters, operators and unpaired surrogates match only where they literally occur', async () => {
    const db = await literalHome();
    const expectOnly = async (term: string, index: number) => expect(await ids(db, term)).toEqual([threadIdFor(10 + index)]);
    expect(await ids(db, '"')).toEqual([threadIdFor(11), threadIdFor(10)]);
    await expectOnly('*', 1);
    await expectOnly('"quoted*"', 1);
    await expectOnly('near(alpha beta)', 2);
    await expectOnly('NEAR(', 2);
    await expectOnly('-minus', 3);
    await expectOnly('a or b and not c', 4);
    await expectOnly("'single'", 5);
    await expectOnly('\\', 5);
    await expectOnly('col:umn ^caret', 6);
    await expectOnly('{brace}', 6);
    // A lone surrogate is stored as U+FFFD (UTF-8 cannot hold it); the term is read the same way.
    await expectOnly('lone \uD800', 7);
    await expectOnly('\uDC00 high'.replace('\uDC00', '\uD800'), 7);
    expect(await ids(db, 'alpha NEAR beta')).toEqual([]);
    expect(await ids(db, '"alpha" OR "beta"')).toEqual([]);
  });

  test('a 10 KB term and short terms never reach FTS5 as a query that errors', async () => {
    const db = await literalHome();
    expect(await ids(db, 'x'.repeat(10_240))).toEqual([]);
    expect(await ids(db, `NEAR(${'"'.repeat(5000)}`)).toEqual([]);
    // Under three characters there is no trigram: the threads are walked in order instead.
    expect(await ids(db, '"')).toEqual([threadIdFor(11), threadIdFor(10)]);
    expect(await ids(db, '^c')).toEqual([threadIdFor(16)]);
  });
});

describe('corruption', () => {
  test('a corrupt FTS table makes the index step aside (null: callers scan), then it is rebuilt from the rollouts', async () => {
    const home = makeTempHome();
    seed(home);
    const db = await openDb(home);
    expect(await ids(db, 'blue-green')).toEqual([A]);
    const other = raw(home);
    other.unsafeMode(true); // lifts the defensive flag that protects FTS5 shadow tables
    other.prepare("UPDATE codex_ts_search_fts_data SET block = x'deadbeefdeadbeef' WHERE id > 1").run();
    expect(await db.search?.search(query('blue-green'))).toBeNull();
    await db.search?.rebuilt;
    expect(await ids(db, 'blue-green')).toEqual([A]);
    expect(await ids(db, 'needle')).toEqual([B]);
  });
});

describe('paging', () => {
  test('a page at a time in both directions; a bare timestamp cursor starts after that key', async () => {
    const home = makeTempHome();
    const all = Array.from({ length: 7 }, (_, i) => threadIdFor(100 + i));
    all.forEach((id, i) => writeConversation(home, { id, createdAtMs: BASE_MS + i * 60_000, messages: [`topic ${i}`, 'shared word'] }));
    const db = await openDb(home);
    const first = await db.search?.search(query('shared', { limit: 3 }));
    expect(first?.hits.map((h) => h.thread.id)).toEqual(all.slice(4).reverse());
    expect(first?.more).toBe(true);
    const last = first?.hits.at(-1)?.thread;
    const second = await db.search?.search(query('shared', { limit: 3, after: { keyMs: last?.createdAtMs ?? 0, id: last?.id ?? '' } }));
    expect(second?.hits.map((h) => h.thread.id)).toEqual(all.slice(1, 4).reverse());
    const asc = await db.search?.search(query('shared', { sortDirection: 'asc', after: { keyMs: BASE_MS + 2 * 60_000 - 1, id: null } }));
    expect(asc?.hits.map((h) => h.thread.id)).toEqual(all.slice(2));
  });
});

function rowFor(id: string, home: string) {
  return {
    id,
    rolloutPath: path.join(home, 'sessions', 'x.jsonl'),
    archived: false,
    createdAtMs: BASE_MS + 200_000,
    updatedAtMs: BASE_MS + 200_000,
    recencyAtMs: BASE_MS + 200_000,
    source: 'vscode',
    spawn: null,
    modelProvider: 'mock_provider',
    model: null,
    cwd: '/p',
    cliVersion: '0.169.0',
    originator: 'test',
    preview: 'first',
    tokensUsed: 0,
    approvalMode: 'never',
    sandboxPolicy: '{}',
    name: null,
    archivedAtMs: null,
  };
}
