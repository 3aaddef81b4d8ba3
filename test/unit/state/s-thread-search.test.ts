/** `ThreadSearcher` (src/state/thread-search.ts): catch-up, candidates, order, paging, snippets, upkeep, corruption. */
import { describe, expect, test } from 'vitest';
import { ftsQuery, nextFillRows } from '../../../src/state/thread-search.js';
import { threadIdFor } from './helpers.js';
import { addThread, BASE_MS, docsOf, harness, hitsOf, idsOf, markerOf, query, rolloutPathOf, type Harness } from './s-search-harness.js';

const A = threadIdFor(1);
const B = threadIdFor(2);
const C = threadIdFor(3);

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function gate(h: Harness): () => void {
  let release!: () => void;
  h.gate = new Promise<void>((resolve) => (release = resolve));
  return () => {
    h.gate = null;
    release();
  };
}

describe('catch-up', () => {
  test('a search that arrives while another search is catching up waits for the whole pass (no half-filled index)', async () => {
    const h = harness();
    addThread(h, { id: A, createdAtMs: BASE_MS }, ['first', 'a wombat here']);
    addThread(h, { id: B, createdAtMs: BASE_MS + 1000 }, ['second', 'another wombat']);
    const release = gate(h);
    const first = h.searcher.search(query('wombat'));
    // Let the first pass start and block on the rollout reads.
    while (h.reads.length < 2) await tick();
    const second = h.searcher.search(query('wombat'));
    for (let i = 0; i < 5; i += 1) await tick();
    release();
    const [p1, p2] = await Promise.all([first, second]);
    expect(p1?.hits.map((x) => x.thread.id)).toEqual([B, A]);
    expect(p2?.hits.map((x) => x.thread.id)).toEqual([B, A]);
    // One pass read each file once.
    expect(h.reads).toHaveLength(2);
  });

  test('two searches started together share one pass and both see the whole index', async () => {
    const h = harness();
    addThread(h, { id: A, createdAtMs: BASE_MS }, ['first', 'a wombat here']);
    addThread(h, { id: B, createdAtMs: BASE_MS + 1000 }, ['second', 'another wombat']);
    const release = gate(h);
    const both = [h.searcher.search(query('wombat')), h.searcher.search(query('wombat'))];
    while (h.reads.length < 2) await tick();
    for (let i = 0; i < 5; i += 1) await tick();
    release();
    const pages = await Promise.all(both);
    expect(pages.map((p) => p?.hits.map((x) => x.thread.id))).toEqual([[B, A], [B, A]]);
    expect(h.reads).toHaveLength(2);
  });

  test('a thread both stale and renamed in session_index.jsonl is read once', async () => {
    const h = harness();
    addThread(h, { id: A }, ['alpha text']);
    await idsOf(h, 'alpha');
    h.other().prepare('UPDATE threads SET updated_at_ms = updated_at_ms + 5 WHERE id = ?').run(A);
    h.names = new Map([[A, 'Alpha renamed']]);
    expect(await hitsOf(h, 'renamed')).toEqual([{ id: A, snippet: 'Alpha renamed' }]);
    expect(h.reads).toEqual([rolloutPathOf(A), rolloutPathOf(A)]);
  });

  test('a row written while a pass is under way is caught up by the next search, which waits for that pass first', async () => {
    const h = harness();
    addThread(h, { id: A, createdAtMs: BASE_MS }, ['first', 'a wombat here']);
    const release = gate(h);
    const first = h.searcher.search(query('wombat'));
    while (h.reads.length < 1) await tick();
    // Our own write lands after the pass listed the stale threads.
    addThread(h, { id: B, createdAtMs: BASE_MS + 1000 }, ['second', 'another wombat']);
    h.searcher.rowsChanged();
    const second = h.searcher.search(query('wombat'));
    release();
    expect((await first)?.hits.map((x) => x.thread.id)).toEqual([A]);
    expect((await second)?.hits.map((x) => x.thread.id)).toEqual([B, A]);
    expect(h.reads).toEqual([rolloutPathOf(A), rolloutPathOf(B)]);
  });

  test('nothing is re-read while nothing changed; our writes, other connections and new session names each start a pass', async () => {
    const h = harness();
    addThread(h, { id: A }, ['hello there']);
    expect(await idsOf(h, 'hello')).toEqual([A]);
    expect(h.reads).toEqual([rolloutPathOf(A)]);
    // No change: no pass at all (the read count stays).
    await idsOf(h, 'hello');
    expect(h.reads).toHaveLength(1);

    // Our own write, not yet reported: not seen; reported: caught up.
    addThread(h, { id: B, createdAtMs: BASE_MS + 1 }, ['hello again']);
    expect(await idsOf(h, 'hello')).toEqual([A]);
    h.searcher.rowsChanged();
    expect(await idsOf(h, 'hello')).toEqual([B, A]);
    expect(h.reads).toHaveLength(2);

    // Another connection's commit.
    h.texts.set(rolloutPathOf(C), { id: C, preview: 'hello from afar', visibleTexts: ['hello from afar'] });
    h.other()
      .prepare(
        `INSERT INTO threads (id, rollout_path, created_at, updated_at, source, model_provider, cwd, title, sandbox_policy, approval_mode, created_at_ms, updated_at_ms, preview)
         VALUES (?, ?, ?, ?, 'cli', 'p', '/w', '', '{}', 'never', ?, ?, 'hello from afar')`,
      )
      .run(C, rolloutPathOf(C), BASE_MS / 1000 + 10, BASE_MS / 1000 + 10, BASE_MS + 10_000, BASE_MS + 10_000);
    expect(await idsOf(h, 'hello')).toEqual([C, B, A]);
    expect(h.reads).toHaveLength(3);

    // A new names map (session_index.jsonl changed) names an indexed thread whose row has no name.
    h.names = new Map([[A, 'Koala notes']]);
    expect(await hitsOf(h, 'koala')).toEqual([{ id: A, snippet: 'Koala notes' }]);
    expect(h.reads).toHaveLength(4);
    expect(markerOf(h.db, A)?.name).toBe('Koala notes');
    // The same names again: nothing to do.
    h.names = new Map([[A, 'Koala notes']]);
    await idsOf(h, 'koala');
    expect(h.reads).toHaveLength(4);
  });

  test('session names: only for indexed threads without a row name whose indexed name differs; stale threads take them too', async () => {
    const h = harness();
    addThread(h, { id: A }, ['alpha text']);
    addThread(h, { id: B, createdAtMs: BASE_MS + 1, name: 'Row name' }, ['beta text']);
    await idsOf(h, 'text');
    expect(h.reads).toHaveLength(2);
    // B has a row name: the session name does not replace it and B is not re-read. An unknown id is ignored.
    addThread(h, { id: C, createdAtMs: BASE_MS + 2 }, ['gamma text']);
    h.searcher.rowsChanged();
    h.names = new Map([[B, 'Session name'], [threadIdFor(99), 'Nobody'], [C, 'Gamma named']]);
    expect(await hitsOf(h, 'named')).toEqual([{ id: C, snippet: 'Gamma named' }]);
    expect(await idsOf(h, 'session name')).toEqual([]);
    expect(h.reads).toEqual([rolloutPathOf(A), rolloutPathOf(B), rolloutPathOf(C)]);
    expect(markerOf(h.db, C)?.name).toBe('Gamma named');
  });

  test('deleted rows leave the index; an unreadable or foreign file is indexed from the row and not re-read', async () => {
    const h = harness();
    addThread(h, { id: A }, ['apple pie']);
    addThread(h, { id: B, createdAtMs: BASE_MS + 1, name: 'Banana' }, ['banana split']);
    h.texts.delete(rolloutPathOf(B)); // unreadable
    h.insert({ id: C, createdAtMs: BASE_MS + 2, preview: 'cherry' });
    h.texts.set(rolloutPathOf(C), { id: A, preview: 'wrong file', visibleTexts: ['cherry tart'] }); // another thread's file
    h.names = new Map([[C, 'Cherry named']]);
    expect(await idsOf(h, 'apple')).toEqual([A]);
    expect(docsOf(h.db, B)).toEqual([{ field: 'name', text: 'Banana', indexed: 1 }]);
    expect(markerOf(h.db, B)).toEqual({ updated_at_ms: BASE_MS + 1, name: 'Banana' });
    expect(docsOf(h.db, C)).toEqual([{ field: 'name', text: 'Cherry named', indexed: 1 }]);
    // Without a row name the marker keeps the session name it indexed.
    expect(markerOf(h.db, C)).toEqual({ updated_at_ms: BASE_MS + 2, name: 'Cherry named' });
    // The row's preview still matches (it is the row's text); the file's texts were not taken.
    expect(await idsOf(h, 'cherry')).toEqual([C]);
    expect(await idsOf(h, 'tart')).toEqual([]);
    h.searcher.rowsChanged();
    await idsOf(h, 'apple');
    expect(h.reads).toHaveLength(3);

    h.other().prepare('DELETE FROM threads WHERE id = ?').run(A);
    expect(await idsOf(h, 'apple')).toEqual([]);
    expect(markerOf(h.db, A)).toBeUndefined();
    expect(docsOf(h.db, A)).toEqual([]);
  });

  test('a file without visible texts indexes its preview only', async () => {
    const h = harness();
    h.insert({ id: A, preview: 'the preview' });
    h.texts.set(rolloutPathOf(A), { id: A, preview: 'the preview', visibleTexts: null });
    expect(await idsOf(h, 'preview')).toEqual([A]);
    expect(docsOf(h.db, A)).toEqual([{ field: 'preview', text: 'the preview', indexed: 1 }]);
  });

  test('at most 16 files are read at once', async () => {
    const h = harness();
    for (let i = 0; i < 20; i += 1) addThread(h, { id: threadIdFor(100 + i), createdAtMs: BASE_MS + i }, [`text ${i}`]);
    const release = gate(h);
    const page = h.searcher.search(query('text', { limit: 100 }));
    while (h.reads.length < 16) await tick();
    for (let i = 0; i < 10; i += 1) await tick();
    expect(h.reads).toHaveLength(16);
    release();
    expect((await page)?.hits).toHaveLength(20);
    expect(h.reads).toHaveLength(20);
  });
});

describe('candidates, order and paging', () => {
  function home(): Harness {
    const h = harness();
    // created: A < B < C; updated: C < A < B; recency: B < C < A.
    addThread(h, { id: A, createdAtMs: BASE_MS + 1000, updatedAtMs: BASE_MS + 5000, recencyAtMs: BASE_MS + 9000 }, ['alpha shared']);
    addThread(h, { id: B, createdAtMs: BASE_MS + 2000, updatedAtMs: BASE_MS + 6000, recencyAtMs: BASE_MS + 7000 }, ['beta shared']);
    addThread(h, { id: C, createdAtMs: BASE_MS + 3000, updatedAtMs: BASE_MS + 4000, recencyAtMs: BASE_MS + 8000 }, ['gamma shared']);
    return h;
  }

  test('each sort key and direction, with FTS terms and short terms alike', async () => {
    const h = home();
    for (const term of ['shared', 'sh']) {
      expect(await idsOf(h, term)).toEqual([C, B, A]);
      expect(await idsOf(h, term, { sortDirection: 'asc' })).toEqual([A, B, C]);
      expect(await idsOf(h, term, { sortKey: 'updated_at' })).toEqual([B, A, C]);
      expect(await idsOf(h, term, { sortKey: 'updated_at', sortDirection: 'asc' })).toEqual([C, A, B]);
      expect(await idsOf(h, term, { sortKey: 'recency_at' })).toEqual([A, C, B]);
      expect(await idsOf(h, term, { sortKey: 'recency_at', sortDirection: 'asc' })).toEqual([B, C, A]);
    }
  });

  test('created_at orders and pages by the second; ties are broken by id in the query direction', async () => {
    const h = harness();
    // Same second, different milliseconds: the id decides, not the milliseconds.
    addThread(h, { id: A, createdAtMs: BASE_MS + 900 }, ['tie word']);
    addThread(h, { id: B, createdAtMs: BASE_MS + 100 }, ['tie word']);
    addThread(h, { id: C, createdAtMs: BASE_MS + 1000 }, ['tie word']);
    expect(await idsOf(h, 'tie')).toEqual([C, B, A]);
    expect(await idsOf(h, 'tie', { sortDirection: 'asc' })).toEqual([A, B, C]);
    // A cursor on the second of A and B with B's id: only A remains below it.
    expect(await idsOf(h, 'tie', { after: { keyMs: BASE_MS, id: B } })).toEqual([A]);
    // The key is the second: a key inside it is beyond both.
    expect(await idsOf(h, 'tie', { after: { keyMs: BASE_MS + 500, id: null }, sortDirection: 'asc' })).toEqual([C]);
    expect(await idsOf(h, 'tie', { after: { keyMs: BASE_MS, id: A }, sortDirection: 'asc' })).toEqual([B, C]);
  });

  test('cursors: after a key and id, or after a bare key; fractional keys are truncated', async () => {
    const h = home();
    expect(await idsOf(h, 'shared', { after: { keyMs: BASE_MS + 2000, id: B } })).toEqual([A]);
    expect(await idsOf(h, 'shared', { after: { keyMs: BASE_MS + 2000, id: threadIdFor(9) } })).toEqual([B, A]);
    expect(await idsOf(h, 'shared', { after: { keyMs: BASE_MS + 2000, id: threadIdFor(0) } })).toEqual([A]);
    expect(await idsOf(h, 'shared', { after: { keyMs: BASE_MS + 2000, id: null } })).toEqual([A]);
    expect(await idsOf(h, 'shared', { after: { keyMs: BASE_MS + 2000, id: null }, sortDirection: 'asc' })).toEqual([C]);
    expect(await idsOf(h, 'shared', { after: { keyMs: BASE_MS + 2000, id: A }, sortDirection: 'asc' })).toEqual([B, C]);
    expect(await idsOf(h, 'shared', { after: { keyMs: BASE_MS + 2000, id: C }, sortDirection: 'asc' })).toEqual([C]);
    expect(await idsOf(h, 'shared', { sortKey: 'updated_at', after: { keyMs: BASE_MS + 5000.9, id: null } })).toEqual([C]);
    expect(await idsOf(h, 'shared', { sortKey: 'recency_at', after: { keyMs: BASE_MS + 8000, id: null }, sortDirection: 'asc' })).toEqual([A]);
    expect(await idsOf(h, 'sh', { after: { keyMs: BASE_MS + 3000, id: null } })).toEqual([B, A]);
  });

  test('pages: `more` only when a further match exists; a limit below one still answers one', async () => {
    const h = home();
    const two = await h.searcher.search(query('shared', { limit: 2 }));
    expect(two?.hits.map((x) => x.thread.id)).toEqual([C, B]);
    expect(two?.more).toBe(true);
    const three = await h.searcher.search(query('shared', { limit: 3 }));
    expect(three?.hits).toHaveLength(3);
    expect(three?.more).toBe(false);
    // A non-matching candidate after the page does not count as more.
    const exact = await h.searcher.search(query('gamma', { limit: 1 }));
    expect(exact).toEqual({ hits: [expect.objectContaining({ snippet: 'gamma shared' })], more: false });
    const zero = await h.searcher.search(query('shared', { limit: 0 }));
    expect(zero?.hits.map((x) => x.thread.id)).toEqual([C]);
    expect(zero?.more).toBe(true);
  });

  test('archived and unarchived threads are searched apart; unarchived ones need a preview; source kinds filter', async () => {
    const h = harness();
    addThread(h, { id: A, archived: true }, ['kiwi archived']);
    addThread(h, { id: B, createdAtMs: BASE_MS + 1 }, ['kiwi live']);
    addThread(h, { id: C, createdAtMs: BASE_MS + 2, source: 'exec' }, ['kiwi exec']);
    h.insert({ id: threadIdFor(4), createdAtMs: BASE_MS + 3, preview: '', name: 'kiwi without preview' });
    h.insert({ id: threadIdFor(5), createdAtMs: BASE_MS + 4, preview: '', name: 'kiwi archived without preview', archived: true });
    for (const term of ['kiwi', 'ki']) {
      expect(await idsOf(h, term)).toEqual([B]);
      expect(await idsOf(h, term, { archived: true })).toEqual([threadIdFor(5), A]);
      expect(await idsOf(h, term, { sourceKinds: ['exec'] })).toEqual([C]);
      expect(await idsOf(h, term, { sourceKinds: ['exec', 'vscode'] })).toEqual([C, B]);
    }
  });

  test('a candidate whose trigrams are all present but not adjacent is no hit; an id substring is', async () => {
    const h = harness();
    addThread(h, { id: A }, ['the abc and bcd']);
    addThread(h, { id: B, createdAtMs: BASE_MS + 1 }, ['abcd together']);
    expect(await hitsOf(h, 'abcd')).toEqual([{ id: B, snippet: 'abcd together' }]);
    // The thread id (lower-case hex) is matched too, its snippet the id itself.
    expect(await hitsOf(h, A.slice(0, 13).toUpperCase())).toEqual([{ id: A, snippet: A }]);
    expect(await idsOf(h, A.slice(-5))).toEqual([A]);
  });

  test('rows the backfill left pending are candidates until FTS5 takes them', async () => {
    const h = harness();
    addThread(h, { id: A }, ['plain']);
    await idsOf(h, 'plain');
    h.insert({ id: B, createdAtMs: BASE_MS + 1, preview: 'x' });
    const tables = h.searcher.writableTables;
    expect(tables).not.toBeNull();
    tables?.writePending([{ doc: { threadId: B, preview: 'x', name: null, messages: ['a pending lemur'] }, updatedAtMs: BASE_MS + 1 }]);
    expect(docsOf(h.db, B)).toEqual([{ field: 'preview', text: 'x', indexed: 0 }, { field: 'message', text: 'a pending lemur', indexed: 0 }]);
    expect(await hitsOf(h, 'lemur')).toEqual([{ id: B, snippet: 'a pending lemur' }]);
    await h.searcher.fill();
    expect(docsOf(h.db, B)).toEqual([{ field: 'preview', text: 'x', indexed: 1 }, { field: 'message', text: 'a pending lemur', indexed: 1 }]);
    expect(await hitsOf(h, 'lemur')).toEqual([{ id: B, snippet: 'a pending lemur' }]);
    expect(await idsOf(h, 'plain')).toEqual([A]);
  });
});

describe('snippets and names', () => {
  test('snippet order: the row preview, the indexed name, the messages, the id; the hit carries the indexed name', async () => {
    const h = harness();
    addThread(h, { id: A, name: 'Zebra name' }, ['zebra preview', 'zebra message']);
    expect(await hitsOf(h, 'zebra')).toEqual([{ id: A, snippet: 'zebra preview' }]);
    expect(await hitsOf(h, 'name')).toEqual([{ id: A, snippet: 'Zebra name' }]);
    expect(await hitsOf(h, 'message')).toEqual([{ id: A, snippet: 'zebra message' }]);
    h.searcher.setName(A, 'Renamed zebra');
    const page = await h.searcher.search(query('renamed'));
    expect(page?.hits[0]?.thread.name).toBe('Renamed zebra');
    expect(page?.hits[0]?.snippet).toBe('Renamed zebra');
    // The row's name, when the index holds none.
    h.insert({ id: B, createdAtMs: BASE_MS + 1, preview: 'quiet', name: 'Row only name' });
    h.texts.set(rolloutPathOf(B), { id: B, preview: 'quiet', visibleTexts: ['quiet'] });
    h.searcher.rowsChanged();
    await idsOf(h, 'quiet');
    h.db.prepare("DELETE FROM codex_ts_search_docs WHERE thread_id = ? AND field = 'name'").run(B);
    const rowNamed = await h.searcher.search(query('quiet'));
    expect(rowNamed?.hits.map((x) => [x.thread.id, x.thread.name, x.snippet])).toEqual([[B, 'Row only name', 'quiet']]);
    // A short term walks the threads: the row's name is searched when the index holds none.
    expect(await hitsOf(h, 'ly')).toEqual([{ id: B, snippet: 'Row only name' }]);
  });

  test('the preview the index stored for candidates is not a snippet source: the row preview is', async () => {
    const h = harness();
    h.insert({ id: A, preview: 'row preview' });
    h.texts.set(rolloutPathOf(A), { id: A, preview: 'file zebra preview', visibleTexts: ['hello', 'm zebra'] });
    expect(await hitsOf(h, 'zebra')).toEqual([{ id: A, snippet: 'm zebra' }]);
    expect(docsOf(h.db, A).map((d) => d.field)).toEqual(['preview', 'message']);
  });

  test('a long message is cut around the match', async () => {
    const h = harness();
    const text = `${'a'.repeat(100)} needle ${'b'.repeat(200)}`;
    addThread(h, { id: A }, ['p', text]);
    const [hit] = await hitsOf(h, 'needle');
    expect(hit?.snippet.startsWith('... ')).toBe(true);
    expect(hit?.snippet.endsWith(' ...')).toBe(true);
    expect(hit?.snippet).toContain(' needle ');
  });
});

describe('upkeep', () => {
  test('a turn appends to an indexed thread; an unindexed one is indexed whole with the row name; an unknown one is ignored', async () => {
    const h = harness();
    addThread(h, { id: A }, ['start']);
    await idsOf(h, 'start');
    h.searcher.indexTurn({ threadId: A, preview: 'start', name: null, texts: ['turn about otters'], allTexts: () => { throw new Error('not needed'); } });
    expect(await hitsOf(h, 'otters')).toEqual([{ id: A, snippet: 'turn about otters' }]);

    h.insert({ id: B, createdAtMs: BASE_MS + 1, updatedAtMs: BASE_MS + 77, preview: 'new', name: 'Row B' });
    h.searcher.indexTurn({ threadId: B, preview: 'new', name: 'Turn name', texts: ['t'], allTexts: () => ['new', 'all of it'] });
    expect(docsOf(h.db, B).map((d) => [d.field, d.text])).toEqual([['name', 'Row B'], ['message', 'new\u001eall of it']]);
    expect(markerOf(h.db, B)).toEqual({ updated_at_ms: BASE_MS + 77, name: 'Row B' });

    h.insert({ id: C, createdAtMs: BASE_MS + 2, preview: 'new' });
    h.searcher.indexTurn({ threadId: C, preview: 'new', name: 'Turn name', texts: ['t'], allTexts: () => ['all'] });
    expect(docsOf(h.db, C).map((d) => [d.field, d.text])).toEqual([['name', 'Turn name'], ['preview', 'new'], ['message', 'all']]);
    expect(markerOf(h.db, C)).toEqual({ updated_at_ms: BASE_MS + 2, name: 'Turn name' });

    h.searcher.indexTurn({ threadId: threadIdFor(50), preview: 'x', name: null, texts: ['x'], allTexts: () => ['x'] });
    expect(docsOf(h.db, threadIdFor(50))).toEqual([]);
    expect(markerOf(h.db, threadIdFor(50))).toBeUndefined();
    expect(h.log.warnings).toEqual([]);
  });

  test('setName and removeThread', async () => {
    const h = harness();
    addThread(h, { id: A }, ['start']);
    await idsOf(h, 'start');
    h.searcher.setName(A, 'Platypus');
    expect(await idsOf(h, 'platypus')).toEqual([A]);
    h.searcher.removeThread(A);
    expect(docsOf(h.db, A)).toEqual([]);
    expect(markerOf(h.db, A)).toBeUndefined();
  });

  test('an upkeep write that fails is logged and leaves the index working', async () => {
    const h = harness();
    addThread(h, { id: A }, ['start']);
    await idsOf(h, 'start');
    h.other().exec('CREATE TRIGGER s_fail BEFORE DELETE ON codex_ts_search_docs BEGIN SELECT RAISE(ABORT, \'refused by test\'); END');
    h.searcher.removeThread(A);
    expect(h.log.warnings).toEqual(['thread search index: refused by test (SQLITE_CONSTRAINT_TRIGGER)']);
    expect(docsOf(h.db, A)).toHaveLength(1);
    expect(await idsOf(h, 'start')).toEqual([A]);
  });
});

describe('fill', () => {
  /** 1,500 threads whose texts the backfill stored unindexed; `pending()` counts them. */
  function pendingHome(h: Harness): () => number {
    const tables = h.searcher.writableTables;
    h.db.transaction(() => {
      for (let i = 0; i < 1500; i += 1) {
        const id = threadIdFor(1000 + i);
        const text = i === 1400 ? 'late heron' : `m${i}`;
        h.insert({ id, createdAtMs: BASE_MS + i, preview: text });
        tables?.writePending([{ doc: { threadId: id, preview: text, name: null, messages: [text] }, updatedAtMs: BASE_MS + i }]);
      }
    })();
    // One doc per thread: a message equal to the preview is not stored twice.
    return () => (h.db.prepare('SELECT count(*) AS n FROM codex_ts_search_docs WHERE indexed = 0').get() as { n: number }).n;
  }

  test('hands every pending row to FTS5, one chunk per event-loop turn, doubling from 32 rows (up to 1000) while chunks are quick; resolves when none is left; concurrent calls share it', async () => {
    const h = harness();
    const pending = pendingHome(h);
    expect(pending()).toBe(1500);
    const first = h.searcher.fill();
    expect(h.searcher.fill()).toBe(first);
    // The first chunk runs at once, the rest one per turn.
    const seen = [pending()];
    while (seen.at(-1) !== 0) {
      await tick();
      seen.push(pending());
    }
    expect(seen).toEqual([1468, 1404, 1276, 1020, 508, 0]);
    await first;
    expect(h.db.prepare('SELECT count(*) AS n FROM codex_ts_search_fts WHERE codex_ts_search_fts MATCH \'"her" AND "ero" AND "ron"\'').get()).toEqual({ n: 1 });
    // A new fill after the last one ended is a new run.
    const again = h.searcher.fill();
    expect(again).not.toBe(first);
    await again;
  });

  test('a chunk that overran its 4 ms slice halves the next one (down to one row); one within the slice keeps its size', async () => {
    const h = harness();
    const pending = pendingHome(h);
    h.clockStep = 5;
    const fill = h.searcher.fill();
    const seen = [pending()];
    for (let i = 0; i < 7; i += 1) {
      await tick();
      seen.push(pending());
    }
    expect(seen).toEqual([1468, 1452, 1444, 1440, 1438, 1437, 1436, 1435]);
    h.clockStep = 3;
    await tick();
    await tick();
    expect(pending()).toBe(1433);
    h.clockStep = 0;
    await fill;
    expect(pending()).toBe(0);
    expect(nextFillRows(1000, 0)).toBe(1000);
    expect(nextFillRows(600, 1.9)).toBe(1000);
    expect(nextFillRows(600, 2)).toBe(600);
    expect(nextFillRows(600, 4)).toBe(600);
    expect(nextFillRows(600, 4.1)).toBe(300);
    expect(nextFillRows(1, 50)).toBe(1);
  });

  test('stops on a closed connection and while rebuilding', async () => {
    const h = harness();
    const tables = h.searcher.writableTables;
    h.insert({ id: A, preview: 'p' });
    tables?.writePending([{ doc: { threadId: A, preview: 'p', name: null, messages: ['m'] }, updatedAtMs: BASE_MS }]);
    h.pragmaErrors.push(Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' }));
    expect(await h.searcher.search(query('m'))).toBeNull();
    expect(h.searcher.writableTables).toBeNull();
    await h.searcher.fill();
    // While rebuilding the pending row is left alone (the rebuild drops it anyway).
    expect(docsOf(h.db, A).map((d) => d.indexed)).toEqual([0, 0]);
    expect(h.log.warnings).toHaveLength(1);
    await h.searcher.rebuilt;
    h.db.close();
    await expect(h.searcher.fill()).resolves.toBeUndefined();
    // Not even tried on the closed connection (a try would log its failure).
    expect(h.log.warnings).toHaveLength(1);
  });
});

/** Damages FTS5's data blocks from another connection, as a torn write would. */
function corruptFts(h: Harness): void {
  const other = h.other();
  other.unsafeMode(true);
  other.prepare("UPDATE codex_ts_search_fts_data SET block = x'deadbeefdeadbeef' WHERE id > 1").run();
}

describe('failures', () => {
  const corrupt = (code: string | undefined, message: string): Error => Object.assign(new Error(message), code === undefined ? {} : { code });

  test.each([
    ['SQLITE_CORRUPT_VTAB', 'boom'],
    ['SQLITE_NOTADB', 'boom'],
    [undefined, 'fts5: index is MALFORMED'],
    [undefined, 'Corrupt shadow table'],
  ])('corruption (%s, %s): the index answers null, is rebuilt from the rollouts, then answers', async (code, message) => {
    const h = harness();
    addThread(h, { id: A }, ['ocelot']);
    expect(await idsOf(h, 'ocelot')).toEqual([A]);
    h.searcher.rowsChanged();
    h.pragmaErrors.push(corrupt(code, message));
    expect(await h.searcher.search(query('ocelot'))).toBeNull();
    expect(h.searcher.writableTables).toBeNull();
    // Nothing is written while rebuilding.
    h.searcher.removeThread(A);
    expect(await h.searcher.search(query('ocelot'))).toBeNull();
    await h.searcher.rebuilt;
    expect(h.log.warnings).toEqual([expect.stringMatching(/^thread search index is corrupt \(.*\); rebuilding it from the rollouts, searching the files meanwhile$/)]);
    expect(h.searcher.writableTables).not.toBeNull();
    expect(h.reads).toEqual([rolloutPathOf(A), rolloutPathOf(A)]);
    expect(await idsOf(h, 'ocelot')).toEqual([A]);
  });

  test('a search while the rebuild catches up answers null at once and starts no pass of its own', async () => {
    const h = harness();
    addThread(h, { id: A }, ['ocelot']);
    expect(await idsOf(h, 'ocelot')).toEqual([A]);
    h.pragmaErrors.push(corrupt('SQLITE_CORRUPT', 'x'));
    const release = gate(h);
    expect(await h.searcher.search(query('ocelot'))).toBeNull();
    // The rebuild's pass is reading A.
    while (h.reads.length < 2) await tick();
    h.searcher.rowsChanged();
    const during = h.searcher.search(query('ocelot'));
    for (let i = 0; i < 5; i += 1) await tick();
    expect(h.reads).toHaveLength(2);
    release();
    expect(await during).toBeNull();
    await h.searcher.rebuilt;
    expect(await idsOf(h, 'ocelot')).toEqual([A]);
  });

  test('other SQLite failures are logged and the index keeps answering', async () => {
    const h = harness();
    addThread(h, { id: A }, ['ocelot']);
    h.pragmaErrors.push(corrupt('SQLITE_BUSY', 'database is locked'), corrupt('X_SQLITE_NOTADB', 'odd'));
    expect(await h.searcher.search(query('ocelot'))).toBeNull();
    expect(await h.searcher.search(query('ocelot'))).toBeNull();
    expect(h.log.warnings).toEqual(['thread search index: database is locked (SQLITE_BUSY)', 'thread search index: odd (X_SQLITE_NOTADB)']);
    expect(h.searcher.writableTables).not.toBeNull();
    expect(await idsOf(h, 'ocelot')).toEqual([A]);
  });

  test('a pass that fails part-way is redone by the next search, though nothing changed since (it failed before: the pass counted as done)', async () => {
    const h = harness();
    addThread(h, { id: A }, ['ocelot']);
    h.db.exec("CREATE TRIGGER t_fail BEFORE INSERT ON codex_ts_search_threads BEGIN SELECT RAISE(ABORT, 'injected'); END");
    expect(await h.searcher.search(query('ocelot'))).toBeNull();
    expect(h.log.warnings).toEqual(['thread search index: injected (SQLITE_CONSTRAINT_TRIGGER)']);
    // Same connection: no data_version change, no write of ours, same names.
    h.db.exec('DROP TRIGGER t_fail');
    expect(await idsOf(h, 'ocelot')).toEqual([A]);
    expect(h.reads).toEqual([rolloutPathOf(A), rolloutPathOf(A)]);
  });

  test('two searches failing on corruption start one rebuild', async () => {
    const h = harness();
    addThread(h, { id: A }, ['ocelot']);
    const release = gate(h);
    const first = h.searcher.search(query('ocelot'));
    while (h.reads.length < 1) await tick();
    h.searcher.rowsChanged();
    const second = h.searcher.search(query('ocelot'));
    const third = h.searcher.search(query('ocelot'));
    h.pragmaErrors.push(corrupt('SQLITE_CORRUPT', 'x'), corrupt('SQLITE_CORRUPT', 'y'));
    release();
    expect(await first).not.toBeNull();
    expect(await second).toBeNull();
    expect(await third).toBeNull();
    await h.searcher.rebuilt;
    expect(h.log.warnings.filter((w) => w.includes('is corrupt'))).toHaveLength(1);
    expect(await idsOf(h, 'ocelot')).toEqual([A]);
  });

  test('corruption found by a write while a search is catching up: that search answers null too', async () => {
    const h = harness();
    addThread(h, { id: A }, ['ocelot']);
    expect(await idsOf(h, 'oc')).toEqual([A]);
    let release!: () => void;
    h.namesGate = new Promise<void>((resolve) => (release = resolve));
    // A short term: the page itself would not touch FTS5 and would answer.
    const searching = h.searcher.search(query('oc'));
    await tick();
    corruptFts(h);
    h.searcher.removeThread(A);
    expect(h.log.warnings).toEqual([expect.stringContaining('thread search index is corrupt')]);
    h.namesGate = null;
    release();
    expect(await searching).toBeNull();
    await h.searcher.rebuilt;
    expect(await idsOf(h, 'ocelot')).toEqual([A]);
  });

  test('corruption met by the background fill starts the rebuild', async () => {
    const h = harness();
    addThread(h, { id: A }, ['ocelot']);
    expect(await idsOf(h, 'ocelot')).toEqual([A]);
    h.insert({ id: B, createdAtMs: BASE_MS + 1, preview: 'pending ocelot' });
    h.searcher.writableTables?.writePending([{ doc: { threadId: B, preview: 'pending ocelot', name: null, messages: [] }, updatedAtMs: BASE_MS + 1 }]);
    corruptFts(h);
    await h.searcher.fill();
    expect(h.log.warnings).toEqual([expect.stringContaining('thread search index is corrupt')]);
    expect(h.searcher.writableTables).toBeNull();
    h.texts.set(rolloutPathOf(B), { id: B, preview: 'pending ocelot', visibleTexts: ['pending ocelot'] });
    await h.searcher.rebuilt;
    expect(await idsOf(h, 'ocelot')).toEqual([B, A]);
  });

  test('a failed rebuild is logged and the index stays out of the way', async () => {
    const h = harness();
    addThread(h, { id: A }, ['ocelot']);
    h.pragmaErrors.push(corrupt('SQLITE_CORRUPT', 'x'));
    expect(await h.searcher.search(query('ocelot'))).toBeNull();
    h.namesErrors.push(new Error('names unreadable'));
    await h.searcher.rebuilt;
    expect(h.log.warnings.at(-1)).toBe('thread search index rebuild failed: names unreadable; thread/search scans the rollouts');
    expect(await h.searcher.search(query('ocelot'))).toBeNull();
    expect(h.searcher.writableTables).toBeNull();
  });
});

describe('ftsQuery', () => {
  test('distinct trigrams of the first 48 characters, each an FTS5 string with quotes doubled, joined by AND', () => {
    expect(ftsQuery('abc')).toBe('"abc"');
    expect(ftsQuery('abcd')).toBe('"abc" AND "bcd"');
    expect(ftsQuery('aaaaa')).toBe('"aaa"');
    expect(ftsQuery('a"bc')).toBe('"a""b" AND """bc"');
    expect(ftsQuery('😀ab')).toBe('"😀ab"');
    expect(ftsQuery('ab')).toBe('');
    const chars = Array.from({ length: 50 }, (_, i) => String.fromCharCode(0x4e00 + i));
    const parts = ftsQuery(chars.join('')).split(' AND ');
    expect(parts).toHaveLength(46);
    expect(parts.at(-1)).toBe(`"${chars.slice(45, 48).join('')}"`);
  });
});
