/** `SearchTables` (src/state/search-index.ts): the rows each write leaves, staleness, orphans, the background fill. */
import { describe, expect, test } from 'vitest';
import { SearchTables } from '../../../src/state/search-index.js';
import { threadIdFor } from './helpers.js';
import { BASE_MS, docsOf, harness, markerOf, type Harness } from './s-search-harness.js';

const A = threadIdFor(1);
const B = threadIdFor(2);
const C = threadIdFor(3);

function setup(): { h: Harness; t: SearchTables } {
  const h = harness();
  return { h, t: new SearchTables(h.db) };
}

const ftsCount = (h: Harness, term: string): number =>
  (h.db.prepare('SELECT count(*) AS n FROM codex_ts_search_fts WHERE codex_ts_search_fts MATCH ?').get(`"${term}"`) as { n: number }).n;

describe('write and replace', () => {
  test('name, preview (unless a message is it) and the messages joined by U+001E; the marker records the row name', () => {
    const { h, t } = setup();
    t.replace({ threadId: A, preview: 'the preview', name: 'A name', messages: ['one', 'two'] }, BASE_MS + 0.7, 'Row name');
    expect(docsOf(h.db, A)).toEqual([
      { field: 'name', text: 'A name', indexed: 1 },
      { field: 'preview', text: 'the preview', indexed: 1 },
      { field: 'message', text: 'one\u001etwo', indexed: 1 },
    ]);
    expect(markerOf(h.db, A)).toEqual({ updated_at_ms: BASE_MS, name: 'Row name' });
    expect(t.docsOf(A)).toEqual([
      { field: 'name', text: 'A name' },
      { field: 'preview', text: 'the preview' },
      { field: 'message', text: 'one\u001etwo' },
    ]);
    expect(ftsCount(h, 'pre')).toBe(1);

    // Replaced: old rows go (from FTS5 too); an empty name, a preview that is a message, no messages: nothing stored.
    t.replace({ threadId: A, preview: 'one', name: '', messages: ['one'] }, BASE_MS + 5, null);
    expect(docsOf(h.db, A)).toEqual([{ field: 'message', text: 'one', indexed: 1 }]);
    expect(markerOf(h.db, A)).toEqual({ updated_at_ms: BASE_MS + 5, name: '' });
    expect(ftsCount(h, 'pre')).toBe(0);
    t.replace({ threadId: A, preview: '', name: null, messages: [] }, BASE_MS + 6, null);
    expect(docsOf(h.db, A)).toEqual([]);
    expect(markerOf(h.db, A)).toEqual({ updated_at_ms: BASE_MS + 6, name: null });
    // Without a row name the marker records the document's.
    t.replace({ threadId: A, preview: '', name: 'Doc name', messages: [] }, BASE_MS + 7, null);
    expect(markerOf(h.db, A)).toEqual({ updated_at_ms: BASE_MS + 7, name: 'Doc name' });
    expect(t.isIndexed(A)).toBe(true);
    expect(t.isIndexed(B)).toBe(false);
  });

  test('writePending stores what one pending write per entry stores (the last entry of a thread counts), in order', () => {
    const entries = Array.from({ length: 130 }, (_, i) => ({
      doc: {
        threadId: threadIdFor(100 + (i % 120)),
        preview: i % 4 === 0 ? '' : `preview ${i}`,
        name: i % 9 === 0 ? `name ${i}` : null,
        messages: i % 3 === 0 ? [] : [`m${i}`, i % 4 === 1 ? `preview ${i}` : `n${i}`],
      },
      updatedAtMs: BASE_MS + i + 0.5,
    }));
    const one = setup();
    // An older text of a thread the batch rewrites goes, as with write().
    one.t.writePending([{ doc: { threadId: threadIdFor(100), preview: 'stale', name: null, messages: ['old'] }, updatedAtMs: BASE_MS }]);
    for (const entry of entries) one.t.writePending([entry]);
    const batched = setup();
    batched.t.writePending([{ doc: { threadId: threadIdFor(100), preview: 'stale', name: null, messages: ['old'] }, updatedAtMs: BASE_MS }]);
    batched.t.writePending(entries);
    const rows = (h: Harness) => h.db.prepare('SELECT thread_id, field, text, indexed FROM codex_ts_search_docs ORDER BY thread_id, id').all();
    const markers = (h: Harness) => h.db.prepare('SELECT * FROM codex_ts_search_threads ORDER BY thread_id').all();
    expect(rows(batched.h)).toEqual(rows(one.h));
    expect(markers(batched.h)).toEqual(markers(one.h));
    expect(markers(batched.h)).toHaveLength(120);
    expect(docsOf(batched.h.db, threadIdFor(100))).toEqual([]);
    expect(docsOf(batched.h.db, threadIdFor(101))).toEqual([{ field: 'message', text: 'm121\u001epreview 121', indexed: 0 }]);
    expect(rows(batched.h).some((r) => (r as { text: string }).text === 'old')).toBe(false);
  });

  test('writePending writes all of a batch or none of it', () => {
    const { h, t } = setup();
    h.db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON codex_ts_search_threads WHEN new.thread_id = '${B}' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    const doc = (threadId: string) => ({ doc: { threadId, preview: 'p', name: null, messages: ['x'] }, updatedAtMs: BASE_MS });
    expect(() => t.writePending([doc(A), doc(B)])).toThrow('refused');
    expect(h.db.prepare('SELECT count(*) AS n FROM codex_ts_search_docs').get()).toEqual({ n: 0 });
    expect(markerOf(h.db, A)).toBeUndefined();
  });

  test('pending rows wait for the fill: not in FTS5 until fillChunk hands them over, oldest first, `max` at a time', () => {
    const { h, t } = setup();
    t.writePending([{ doc: { threadId: A, preview: 'alpha', name: 'nA', messages: ['m1'] }, updatedAtMs: BASE_MS }]);
    t.writePending([{ doc: { threadId: B, preview: 'beta', name: null, messages: [] }, updatedAtMs: BASE_MS }]);
    expect(docsOf(h.db, A).map((d) => d.indexed)).toEqual([0, 0, 0]);
    expect(ftsCount(h, 'alp')).toBe(0);
    expect(t.fillChunk(2)).toBe(2);
    expect([...docsOf(h.db, A), ...docsOf(h.db, B)].map((d) => d.indexed)).toEqual([1, 1, 0, 0]);
    expect(ftsCount(h, 'alp')).toBe(1);
    expect(ftsCount(h, 'bet')).toBe(0);
    expect(t.fillChunk(10)).toBe(2);
    expect(ftsCount(h, 'bet')).toBe(1);
    expect(t.fillChunk(10)).toBe(0);
    // A pending row deleted before the fill leaves FTS5 consistent.
    t.writePending([{ doc: { threadId: C, preview: 'gamma', name: null, messages: [] }, updatedAtMs: BASE_MS }]);
    t.remove(C);
    t.remove(A);
    expect(ftsCount(h, 'alp')).toBe(0);
    expect(() => h.db.prepare("INSERT INTO codex_ts_search_fts(codex_ts_search_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
  });
});

describe('turns and names', () => {
  test('appendTurn: one message row per turn, the preview once, the marker synced with the row; false when not indexed', () => {
    const { h, t } = setup();
    h.insert({ id: A, updatedAtMs: BASE_MS + 900 });
    expect(t.appendTurn(A, 'first', ['first', 'reply'])).toBe(false);
    expect(docsOf(h.db, A)).toEqual([]);
    t.replace({ threadId: A, preview: '', name: null, messages: [] }, BASE_MS, null);
    expect(t.appendTurn(A, 'first', ['first', 'reply'])).toBe(true);
    expect(t.appendTurn(A, 'the preview', ['second'])).toBe(true);
    expect(t.appendTurn(A, 'the preview', [])).toBe(true);
    expect(t.appendTurn(A, '', ['third'])).toBe(true);
    expect(docsOf(h.db, A).map((d) => [d.field, d.text])).toEqual([
      ['message', 'first\u001ereply'],
      ['preview', 'the preview'],
      ['message', 'second'],
      ['message', 'third'],
    ]);
    expect(markerOf(h.db, A)).toEqual({ updated_at_ms: BASE_MS + 900, name: null });
    // An empty preview is never stored, even for a thread without a preview row.
    t.replace({ threadId: B, preview: '', name: null, messages: [] }, BASE_MS, null);
    expect(t.appendTurn(B, '', ['only text'])).toBe(true);
    expect(docsOf(h.db, B).map((d) => [d.field, d.text])).toEqual([['message', 'only text']]);
  });

  test('setName replaces the name text and records it, keeping the marker time unless the row moved on; no-op when not indexed', () => {
    const { h, t } = setup();
    t.setName(A, 'Ghost');
    expect(markerOf(h.db, A)).toBeUndefined();
    expect(docsOf(h.db, A)).toEqual([]);
    // Indexed, no row (yet): the marker keeps its time.
    t.replace({ threadId: A, preview: 'p', name: 'Old', messages: [] }, BASE_MS + 3, null);
    t.setName(A, 'New');
    expect(docsOf(h.db, A).map((d) => [d.field, d.text])).toEqual([['preview', 'p'], ['name', 'New']]);
    expect(markerOf(h.db, A)).toEqual({ updated_at_ms: BASE_MS + 3, name: 'New' });
    // With a row: its time (updated_at_ms, else updated_at in ms).
    h.insert({ id: A, updatedAtMs: null, createdAtMs: BASE_MS + 42_000 });
    h.db.prepare('UPDATE threads SET updated_at_ms = NULL WHERE id = ?').run(A);
    t.setName(A, 'Newer');
    expect(markerOf(h.db, A)).toEqual({ updated_at_ms: BASE_MS + 42_000, name: 'Newer' });
    expect(ftsCount(h, 'New')).toBe(1);
  });

  test('syncMarker takes the row time and leaves a marker without a row as it is', () => {
    const { h, t } = setup();
    t.replace({ threadId: A, preview: 'p', name: null, messages: [] }, BASE_MS, null);
    t.replace({ threadId: B, preview: 'p', name: null, messages: [] }, BASE_MS, null);
    h.insert({ id: A, updatedAtMs: BASE_MS + 12_345 });
    t.syncMarker(A);
    t.syncMarker(B);
    expect(markerOf(h.db, A)?.updated_at_ms).toBe(BASE_MS + 12_345);
    expect(markerOf(h.db, B)?.updated_at_ms).toBe(BASE_MS);
  });
});

describe('staleness and orphans', () => {
  test('stale: rows never indexed, indexed at another time, or renamed in the row; not rows the index is current with', () => {
    const { h, t } = setup();
    h.insert({ id: A, updatedAtMs: BASE_MS + 10, archived: true, rolloutPath: '/r/a.jsonl', name: 'Named' });
    h.insert({ id: B, updatedAtMs: BASE_MS + 20 });
    h.insert({ id: C, updatedAtMs: BASE_MS + 30, name: 'C row' });
    expect(t.stale()).toEqual([
      { id: A, rolloutPath: '/r/a.jsonl', archived: true, updatedAtMs: BASE_MS + 10, name: 'Named', indexedName: null, indexed: false },
      { id: B, rolloutPath: `/r/${B}.jsonl`, archived: false, updatedAtMs: BASE_MS + 20, name: null, indexedName: null, indexed: false },
      { id: C, rolloutPath: `/r/${C}.jsonl`, archived: false, updatedAtMs: BASE_MS + 30, name: 'C row', indexedName: null, indexed: false },
    ]);
    t.replace({ threadId: A, preview: '', name: 'Named', messages: [] }, BASE_MS + 10, 'Named');
    t.replace({ threadId: B, preview: '', name: 'Session', messages: [] }, BASE_MS + 20, null);
    t.replace({ threadId: C, preview: '', name: 'C row', messages: [] }, BASE_MS + 30, 'C row');
    // B's row has no name: the name the index holds from elsewhere does not make it stale.
    expect(t.stale()).toEqual([]);
    h.db.prepare('UPDATE threads SET updated_at_ms = ? WHERE id = ?').run(BASE_MS + 11, A);
    h.db.prepare("UPDATE threads SET name = 'C renamed' WHERE id = ?").run(C);
    expect(t.stale()).toEqual([
      { id: A, rolloutPath: '/r/a.jsonl', archived: true, updatedAtMs: BASE_MS + 11, name: 'Named', indexedName: 'Named', indexed: true },
      { id: C, rolloutPath: `/r/${C}.jsonl`, archived: false, updatedAtMs: BASE_MS + 30, name: 'C renamed', indexedName: 'C row', indexed: true },
    ]);
    // A row whose updated_at_ms is NULL is compared by updated_at in ms.
    h.db.prepare('UPDATE threads SET updated_at_ms = NULL, updated_at = ? WHERE id = ?').run((BASE_MS + 20_000) / 1000, B);
    expect(t.stale().map((s) => [s.id, s.updatedAtMs])).toEqual([[A, BASE_MS + 11], [B, BASE_MS + 20_000], [C, BASE_MS + 30]]);
  });

  test('indexed(): an indexed thread with its row as stale() reports it; null when not indexed or without a row', () => {
    const { h, t } = setup();
    h.insert({ id: A, updatedAtMs: BASE_MS + 10, archived: true });
    h.insert({ id: B, updatedAtMs: BASE_MS + 10 });
    t.replace({ threadId: A, preview: '', name: 'Indexed name', messages: [] }, BASE_MS + 10, null);
    t.replace({ threadId: C, preview: '', name: null, messages: [] }, BASE_MS, null);
    expect(t.indexed(A)).toEqual({ id: A, rolloutPath: `/r/${A}.jsonl`, archived: true, updatedAtMs: BASE_MS + 10, name: null, indexedName: 'Indexed name', indexed: true });
    expect(t.indexed(B)).toBeNull();
    expect(t.indexed(C)).toBeNull();
  });

  test('orphans: indexed threads without a row; remove drops their texts and marker', () => {
    const { h, t } = setup();
    h.insert({ id: A });
    t.replace({ threadId: A, preview: 'p', name: null, messages: ['m'] }, BASE_MS, null);
    t.replace({ threadId: B, preview: 'p', name: null, messages: ['m'] }, BASE_MS, null);
    t.replace({ threadId: C, preview: 'p', name: null, messages: ['m'] }, BASE_MS, null);
    expect(t.orphans()).toEqual([B, C]);
    t.remove(B);
    expect(t.orphans()).toEqual([C]);
    expect(docsOf(h.db, B)).toEqual([]);
    expect(markerOf(h.db, B)).toBeUndefined();
    expect(docsOf(h.db, A)).toHaveLength(2);
  });

  test('immediate runs the body in one transaction: a throw undoes all of it', () => {
    const { h, t } = setup();
    expect(t.immediate(() => 7)).toBe(7);
    expect(() =>
      t.immediate(() => {
        t.replace({ threadId: A, preview: 'p', name: null, messages: [] }, BASE_MS, null);
        expect(h.db.inTransaction).toBe(true);
        throw new Error('undo');
      }),
    ).toThrow('undo');
    expect(markerOf(h.db, A)).toBeUndefined();
  });
});
