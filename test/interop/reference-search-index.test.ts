/**
 * Our full-text search index lives in the shared state_5.sqlite (issue 18). The reference Codex app-server 0.169.0
 * (skipped when absent) must not notice it: it opens, migrates (nothing to do) and lists the home normally, logs
 * no database error, continues a thread; the database keeps the reference's `_sqlx_migrations` rows and passes
 * `integrity_check`. Our server then finds what the reference wrote (its turn caught up from the rollout).
 * The reference's own `thread/search` is asked on the same home: it matches titles and the messages of paginated
 * threads, not names.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { MockResponsesServer } from '../../src/testing/index.js';
import { createInteropMock } from './mock-model.js';
import { ensureReference, listAll, withSide, writeSharedConfig, type Json, type Session, type Side } from './servers.js';
import { unavailable } from '../support/unprivileged.js';
import { INSTALL_HOOK_TIMEOUT_MS, makeInteropHome, ourServerMissing } from './tools.js';

let skipReason: string | null = 'not resolved yet';
let mock: MockResponsesServer;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  skipReason = ourServerMissing() ?? ((await ensureReference()).reason || null);
  if (skipReason) console.warn(`[interop] search-index tests with the reference skipped: ${skipReason}`);
  mock = await createInteropMock('Done');
}, INSTALL_HOOK_TIMEOUT_MS);
afterAll(async () => {
  for (const c of cleanups.splice(0)) c();
  await mock?.close();
});

const EXPERIMENTAL = { experimentalApi: true };

async function run<T>(side: Side, dirs: { codexHome: string; home: string }, fn: (s: Session) => Promise<T>): Promise<T> {
  const out = await withSide(side, dirs, mock, fn, EXPERIMENTAL);
  expect({ side, exitCode: out.exitCode, dbErrors: out.dbErrors, rolloutWarnings: out.rolloutWarnings }).toEqual({ side, exitCode: 0, dbErrors: [], rolloutWarnings: [] });
  return out.value;
}

function snapshot(codexHome: string): { migrations: Json[]; integrity: string; ourTables: string[]; indexedThreads: number } {
  const db = new Database(path.join(codexHome, 'state_5.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return {
      migrations: db.prepare('SELECT version, description, success, hex(checksum) AS checksum FROM _sqlx_migrations ORDER BY version').all() as Json[],
      integrity: String(db.pragma('integrity_check', { simple: true })),
      ourTables: (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'codex_ts_search%' ORDER BY name").all() as { name: string }[]).map((r) => r.name),
      indexedThreads: (db.prepare('SELECT count(*) AS n FROM codex_ts_search_threads').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

const ids = (result: Json): string[] => (result['data'] as Json[]).map((r) => r['thread']['id']);

test('the reference opens, lists and continues a home whose state DB holds our search index; we then find its turn', async (ctx) => {
  if (skipReason) return unavailable(ctx, skipReason);
  const dirs = makeInteropHome('shared-search');
  cleanups.push(dirs.cleanup);
  await writeSharedConfig(dirs.codexHome, mock);
  const ours = await run('ours', dirs, async (s) => {
    const a = (await s.req('thread/start', {}))['thread'] as Json;
    await s.turn(a['id'], 'where do platypus live?');
    const b = (await s.req('thread/start', {}))['thread'] as Json;
    await s.turn(b['id'], 'Platypus facts please');
    expect(ids(await s.req('thread/search', { searchTerm: 'platypus' }))).toEqual([b['id'], a['id']]);
    return { a: String(a['id']), b: String(b['id']) };
  });
  const before = snapshot(dirs.codexHome);
  expect(before.ourTables).toEqual(['codex_ts_search_docs', 'codex_ts_search_fts', 'codex_ts_search_fts_config', 'codex_ts_search_fts_data', 'codex_ts_search_fts_docsize', 'codex_ts_search_fts_idx', 'codex_ts_search_meta', 'codex_ts_search_threads']);
  expect(before.migrations).toHaveLength(62);
  expect(before.integrity).toBe('ok');

  const reference = await run('reference', dirs, async (s) => {
    expect((await listAll(s)).map((t) => t['id']).sort()).toEqual([ours.a, ours.b].sort());
    await s.req('thread/resume', { threadId: ours.a });
    expect((await s.turn(ours.a, 'and what do wombats eat?'))['turn']['status']).toBe('completed');
    // The reference's own search: titles, and the messages of the thread it has loaded (paginated history).
    return { titleSearch: ids(await s.req('thread/search', { searchTerm: 'platypus' })), bodySearch: ids(await s.req('thread/search', { searchTerm: 'wombats' })) };
  });
  expect(reference).toEqual({ titleSearch: [ours.b, ours.a], bodySearch: [ours.a] });
  const after = snapshot(dirs.codexHome);
  expect(after.migrations).toEqual(before.migrations);
  expect(after.integrity).toBe('ok');
  expect(after.ourTables).toEqual(before.ourTables);

  await run('ours', dirs, async (s) => {
    const found = await s.req('thread/search', { searchTerm: 'WOMBATS' });
    expect(found['data'].map((r: Json) => [r['thread']['id'], r['snippet']])).toEqual([[ours.a, 'and what do wombats eat?']]);
    expect(ids(await s.req('thread/search', { searchTerm: 'platypus' }))).toEqual([ours.b, ours.a]);
    // Beyond the reference: assistant answers and names are found too.
    await s.req('thread/name/set', { threadId: ours.b, name: 'Monotremes' });
    expect(ids(await s.req('thread/search', { searchTerm: 'monotremes' }))).toEqual([ours.b]);
  });
  // A fresh reference process (nothing loaded) on the home our server just used.
  const fresh = await run('reference', dirs, async (s) => ({
    wombats: ids(await s.req('thread/search', { searchTerm: 'wombats' })),
    name: ids(await s.req('thread/search', { searchTerm: 'monotremes' })),
    listed: (await listAll(s)).length,
  }));
  // The reference searches titles and the message text of paginated threads (from thread_history_1.sqlite,
  // which our server keeps), not names: a thread named here is found by our server only.
  expect(fresh).toEqual({ wombats: [ours.a], name: [], listed: 2 });
}, 120_000);
