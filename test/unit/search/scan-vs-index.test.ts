/**
 * The two answers of `thread/search` agree: the SQLite index (after our backfill, or caught up on a DB the
 * reference made) and the streaming scan of the rollouts (no DB handle), on a home holding the reference's
 * 0.169.0, 0.130.0 and 0.40.0 fixture rollouts plus generated conversations; every page of every query.
 * Also `thread/searchOccurrences` over the same threads.
 */
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { LocalThreadStore } from '../../../src/rollout/local-thread-store.js';
import type { StateDb } from '../../../src/state/index.js';
import { systemClock } from '../../../src/support/clock.js';
import { silentLogger } from '../../../src/support/logger.js';
import { storedThreadFacts } from '../../../src/threads/thread-facts.js';
import type { ThreadQueryDeps } from '../../../src/threads/thread-queries.js';
import { searchThreads, type ThreadSearchRequest } from '../../../src/threads/thread-search.js';
import { searchOccurrences } from '../../../src/threads/thread-occurrences.js';
import { fixtureHome } from '../../support/temp-home.js';
import { BASE_MS, makeTempHome, openDb, threadIdFor, writeConversation } from './helpers.js';

const REFERENCE_DB_FILES = ['state_5.sqlite', 'state_5.sqlite-shm', 'state_5.sqlite-wal'];

/** The fixture homes' rollouts (and session_index.jsonl) in one home, plus generated conversations. */
function fixtureHomeWithConversations(keepReferenceDb: boolean): string {
  const home = makeTempHome('search-fixture-');
  for (const version of ['0.40.0', '0.130.0', '0.169.0']) {
    for (const dir of ['sessions', 'archived_sessions']) if (existsSync(path.join(fixtureHome(version), dir))) cpSync(path.join(fixtureHome(version), dir), path.join(home, dir), { recursive: true, force: false, errorOnExist: false });
  }
  cpSync(path.join(fixtureHome('0.169.0'), 'session_index.jsonl'), path.join(home, 'session_index.jsonl'));
  if (keepReferenceDb) for (const file of REFERENCE_DB_FILES) cpSync(path.join(fixtureHome('0.169.0'), file), path.join(home, file));
  else for (const file of REFERENCE_DB_FILES) rmSync(path.join(home, file), { force: true });
  const texts = [
    ['Deploy the needle service', 'Done: needle deployed 😀'],
    ['hello again', 'Say "NEAR" and -minus and * star\u001eafter a record separator'],
    ['𝒳 math needle 𝒳', 'fine'],
    ['zeta', 'HELLO from the assistant'],
  ];
  texts.forEach((messages, i) => writeConversation(home, { id: threadIdFor(500 + i), createdAtMs: BASE_MS + i * 3_600_000, messages, items: i % 2 === 1 }));
  writeConversation(home, { id: threadIdFor(600), createdAtMs: BASE_MS + 10 * 3_600_000, messages: ['archived needle', 'ok'], archived: true });
  return home;
}

function deps(home: string, db: StateDb | null): ThreadQueryDeps {
  return {
    store: new LocalThreadStore(home, db, { clock: systemClock, log: silentLogger() }),
    stateDb: db,
    log: silentLogger(),
    loaded: () => undefined,
    storedFacts: storedThreadFacts,
  };
}

/** Every page of one query: [thread id, name, snippet] rows, and the cursors. */
async function allPages(d: ThreadQueryDeps, request: Omit<ThreadSearchRequest, 'cursor'>): Promise<{ rows: string[][]; cursors: (string | null)[]; sources: string[] }> {
  const rows: string[][] = [];
  const cursors: (string | null)[] = [];
  const sources: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 50; guard += 1) {
    const page = await searchThreads(d, { ...request, cursor });
    sources.push(page.source);
    rows.push(...page.results.map((r) => [r.thread.id, String(r.thread.name), r.snippet]));
    cursors.push(page.nextCursor, page.backwardsCursor);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return { rows, cursors, sources };
}

const TERMS = ['after a record', 'star\u001eafter', 'hello', 'done', 'AGAIN', 'needle', 'fixture named', '01a211bb-1b90', 'e', '"near"', '-minus', '*', '😀', '𝒳 math', 'no such text'];

describe.each([
  ['after our backfill', false],
  ['on the reference-made DB (caught up on first search)', true],
])('index and scan answer the same %s', (_label, keepReferenceDb) => {
  test.each(TERMS)('term %j, both directions, archived or not, pages of 2', async (term) => {
    const home = fixtureHomeWithConversations(keepReferenceDb);
    const db = await openDb(home);
    const indexed = deps(home, db);
    const scanned = deps(home, null);
    if (keepReferenceDb) {
      // The index covers the threads the DB has rows for (as `useStateDbOnly` lists do). Files added after the
      // reference's backfill get their rows from thread/list's scan-and-repair, which runs first here.
      for (const archived of [false, true]) {
        await indexed.store.list({ archived, sortKey: 'created_at', sortDirection: 'desc', after: null, limit: 1000, sourceKinds: [], modelProviders: null, cwds: null, searchTerm: null, requirePreview: false }, false);
      }
    }
    for (const archived of [false, true]) {
      for (const sortDirection of ['desc', 'asc'] as const) {
        const request = { searchTerm: term, limit: 2, sortKey: 'created_at' as const, sortDirection, archived, sourceKinds: [] };
        const fromIndex = await allPages(indexed, request);
        const fromScan = await allPages(scanned, request);
        expect(fromIndex.sources.every((s) => s === 'index')).toBe(true);
        expect(fromScan.sources.every((s) => s === 'scan')).toBe(true);
        expect(fromIndex.rows).toEqual(fromScan.rows);
        // The reference's rows keep its own millisecond for a few fixture threads: cursors are compared on our DB only.
        if (!keepReferenceDb) expect(fromIndex.cursors).toEqual(fromScan.cursors);
      }
    }
  });
});

test('the fixture answers are what a user expects (not just equal)', async () => {
  const home = fixtureHomeWithConversations(false);
  const d = deps(home, await openDb(home));
  const page = await searchThreads(d, { searchTerm: 'fixture NAMED', cursor: null, limit: 25, sortKey: 'created_at', sortDirection: 'desc', archived: false, sourceKinds: [] });
  expect(page.results.map((r) => [r.thread.id, r.snippet])).toEqual([['01a211bb-1ef3-7882-abb1-5aab83601296', 'Fixture named thread']]);
  const byAnswer = await searchThreads(d, { searchTerm: 'from the assistant', cursor: null, limit: 25, sortKey: 'created_at', sortDirection: 'desc', archived: false, sourceKinds: [] });
  expect(byAnswer.results.map((r) => [r.thread.id, r.snippet])).toEqual([[threadIdFor(503), 'HELLO from the assistant']]);
  await expect(searchThreads(d, { searchTerm: ' \t ', cursor: null, limit: 25, sortKey: 'created_at', sortDirection: 'desc', archived: false, sourceKinds: [] })).rejects.toThrow(
    'thread/search requires a non-empty searchTerm',
  );
  await expect(searchThreads(d, { searchTerm: 'x', cursor: 'garbage', limit: 25, sortKey: 'created_at', sortDirection: 'desc', archived: false, sourceKinds: [] })).rejects.toThrow('invalid cursor: garbage');
});

describe('thread/searchOccurrences', () => {
  test('every occurrence in message order, UTF-16 ranges, pages by cursor, the turn cursor of thread/turns/list', async () => {
    const home = fixtureHomeWithConversations(false);
    const d = deps(home, null);
    const id = threadIdFor(500);
    const first = await searchOccurrences(d, { threadId: id, searchTerm: 'NEEDLE', cursor: null, limit: 1 });
    expect(first.data).toHaveLength(1);
    expect(JSON.parse(first.nextCursor ?? '')).toEqual({ threadId: id, searchTerm: 'NEEDLE', nextRolloutOrdinal: 1, nextOccurrenceIndex: 0 });
    const rest = await searchOccurrences(d, { threadId: id, searchTerm: 'NEEDLE', cursor: first.nextCursor, limit: 10 });
    expect(rest.nextCursor).toBeNull();
    const all = [...first.data, ...rest.data];
    expect(all.map((o) => [o.snippet, o.snippet.slice(o.snippetMatchRange.start, o.snippetMatchRange.end)])).toEqual([
      ['Deploy the needle service', 'needle'],
      ['Done: needle deployed 😀', 'needle'],
    ]);
    expect(all.map((o) => JSON.parse(o.turnCursor))).toEqual([
      { turnId: all[0]?.turnId, includeAnchor: true },
      { turnId: all[1]?.turnId, includeAnchor: true },
    ]);
    const math = await searchOccurrences(d, { threadId: threadIdFor(502), searchTerm: 'needle 𝒳', cursor: null, limit: 10 });
    expect(math.data.map((o) => o.snippetMatchRange)).toEqual([{ start: 8, end: 17 }]);
    await expect(searchOccurrences(d, { threadId: id, searchTerm: '', cursor: null, limit: 10 })).rejects.toThrow('thread/searchOccurrences requires a non-empty searchTerm');
    await expect(searchOccurrences(d, { threadId: id, searchTerm: 'x', cursor: 'zz', limit: 10 })).rejects.toThrow('invalid cursor: zz');
    // A cursor is for the thread and term it came from.
    await expect(searchOccurrences(d, { threadId: id, searchTerm: 'other', cursor: first.nextCursor, limit: 10 })).rejects.toThrow('invalid cursor: {');

    // 0.169.0 files (ordinals, items): the reference's cursors, by rollout ordinal.
    const fixture = '01a211bb-1b90-7a63-a05b-5f773a6eefd3';
    const done = await searchOccurrences(d, { threadId: fixture, searchTerm: 'done', cursor: null, limit: 1 });
    expect(done.data.map((o) => [o.snippet, o.snippetMatchRange])).toEqual([['Done', { start: 0, end: 4 }]]);
    expect(JSON.parse(done.data[0]?.turnCursor ?? '')).toEqual({ requestedThreadId: fixture, rolloutOrdinal: expect.any(Number), includeAnchor: true, scope: { kind: 'turns' } });
    const next = JSON.parse(done.nextCursor ?? '');
    expect(next).toEqual({ threadId: fixture, searchTerm: 'done', nextRolloutOrdinal: expect.any(Number), nextOccurrenceIndex: 0 });
    const second = await searchOccurrences(d, { threadId: fixture, searchTerm: 'done', cursor: done.nextCursor, limit: 5 });
    expect(second.data).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(JSON.parse(second.data[0]?.turnCursor ?? '').rolloutOrdinal).toBeGreaterThan(JSON.parse(done.data[0]?.turnCursor ?? '').rolloutOrdinal);
    await expect(searchOccurrences(d, { threadId: threadIdFor(999), searchTerm: 'x', cursor: null, limit: 10 })).rejects.toThrow(`thread not loaded: ${threadIdFor(999)}`);
  });
});
