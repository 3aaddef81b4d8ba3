/**
 * LocalThreadStore against a recording fake index and real files (mutation testing, issue 17): find with its
 * read-repair, the summary cache and fork previews, both list paths (index and walk), archive, unarchive,
 * delete, writers, and a failing index answered from the filesystem.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ThreadStoreError } from '../../../src/rollout/errors.js';
import { rowFromSummary } from '../../../src/rollout/file-row.js';
import { HomeLayout } from '../../../src/rollout/layout.js';
import { LocalThreadStore } from '../../../src/rollout/local-thread-store.js';
import { summarizeRollout } from '../../../src/rollout/summary.js';
import type { IndexedThread, IndexedThreadInput, IndexListQuery, ThreadIndex, TurnIndexUpdate } from '../../../src/rollout/thread-index.js';
import type { Logger } from '../../../src/support/logger.js';
import { tempHomeForTest } from '../../support/temp-home.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const clock = { nowMs: () => NOW };
const id = (n: number) => `01900000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const DAY = Date.parse('2026-01-05T10:00:00Z');

interface Logged {
  level: 'warn' | 'error';
  obj: unknown;
  msg: string;
}
function recordingLog(): { log: Logger; entries: Logged[] } {
  const entries: Logged[] = [];
  const log = {
    debug: () => undefined,
    info: () => undefined,
    warn: (obj: unknown, msg: string) => entries.push({ level: 'warn', obj, msg }),
    error: (obj: unknown, msg: string) => entries.push({ level: 'error', obj, msg }),
    child: () => log,
  } as unknown as Logger;
  return { log, entries };
}

/** A ThreadIndex that answers from maps and records every call; `fail` makes every call throw. */
class FakeIndex implements ThreadIndex {
  paths = new Map<string, string>();
  rows = new Map<string, IndexedThread>();
  listRows: IndexedThread[] = [];
  updateResult = true;
  fail = false;
  calls: [string, ...unknown[]][] = [];
  private check(name: string, ...args: unknown[]): void {
    this.calls.push([name, ...args]);
    if (this.fail) throw new Error(`index down (${name})`);
  }
  rolloutPath(threadId: string, archived: boolean): string | null {
    this.check('rolloutPath', threadId, archived);
    return this.paths.get(`${threadId}:${archived}`) ?? null;
  }
  getThread(threadId: string): IndexedThread | null {
    this.check('getThread', threadId);
    return this.rows.get(threadId) ?? null;
  }
  upsertThread(row: IndexedThreadInput): void {
    this.check('upsertThread', row);
    this.rows.set(row.id, row);
  }
  updateRolloutPath(threadId: string, rolloutPath: string, archived: boolean, archivedAtMs: number | null): boolean {
    this.check('updateRolloutPath', threadId, rolloutPath, archived, archivedAtMs);
    return this.updateResult;
  }
  recordTurn(update: TurnIndexUpdate): void {
    this.check('recordTurn', update);
  }
  setName(): void {
    this.check('setName');
  }
  listThreads(query: IndexListQuery): IndexedThread[] {
    this.check('listThreads', query);
    return this.listRows;
  }
  descendants(): string[] {
    return [];
  }
  names(): string[] {
    return this.calls.map((c) => c[0]);
  }
}

interface RolloutOptions {
  preview?: string;
  meta?: Record<string, unknown>;
  archived?: boolean;
  name?: string;
  extraLines?: Record<string, unknown>[];
}

function writeRollout(home: string, n: number, createdAtMs: number, opts: RolloutOptions = {}): string {
  const threadId = id(n);
  const layout = new HomeLayout(home);
  const active = layout.activeRolloutPath(createdAtMs, threadId);
  const file = opts.archived ? layout.archivedPathFor(opts.name ?? path.basename(active)) : opts.name ? path.join(path.dirname(active), opts.name) : active;
  mkdirSync(path.dirname(file), { recursive: true });
  const ts = new Date(createdAtMs).toISOString();
  const preview = opts.preview ?? `message ${n}`;
  const lines = [
    { timestamp: ts, ordinal: 0, type: 'session_meta', payload: { id: threadId, timestamp: ts, cwd: '/work', originator: 't', cli_version: '0.169.0', source: 'vscode', model_provider: 'p', ...opts.meta } },
    ...(preview ? [{ timestamp: ts, ordinal: 1, type: 'event_msg', payload: { type: 'user_message', message: preview } }] : []),
    ...(opts.extraLines ?? []),
  ];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

function setup(index: FakeIndex | null = null) {
  const home = tempHomeForTest();
  const { log, entries } = recordingLog();
  const store = new LocalThreadStore(home, index, { clock, log });
  return { home, store, entries, layout: new HomeLayout(home) };
}

const baseQuery: IndexListQuery = { archived: false, sortKey: 'created_at', sortDirection: 'desc', after: null, limit: 25, sourceKinds: [], modelProviders: null, cwds: null, searchTerm: null, requirePreview: true };

describe('find', () => {
  test('an indexed path that belongs to the thread is returned without a search or repair', async () => {
    const index = new FakeIndex();
    const { home, store } = setup(index);
    const odd = writeRollout(home, 1, DAY, { name: 'not-canonical.jsonl' });
    index.paths.set(`${id(1)}:false`, odd);
    expect(await store.find(id(1), false)).toBe(odd);
    expect(index.names()).toEqual(['rolloutPath']);
    expect(index.calls[0]).toEqual(['rolloutPath', id(1), false]);
  });

  test('an indexed path owned by another thread is logged as an error and the file found on disk is repaired in', async () => {
    const index = new FakeIndex();
    const { home, store, entries } = setup(index);
    const other = writeRollout(home, 2, DAY);
    const mine = writeRollout(home, 1, DAY + 1000);
    index.paths.set(`${id(1)}:false`, other);
    expect(await store.find(id(1), false)).toBe(mine);
    expect(entries).toEqual([
      { level: 'error', obj: { threadId: id(1), path: other, ownerId: id(2) }, msg: 'state db rollout path belongs to another thread; falling back to a filesystem search' },
    ]);
    expect(index.calls.at(-1)).toEqual(['updateRolloutPath', id(1), mine, false, null]);
  });

  test('an indexed path that cannot be verified is the answer only when the disk has nothing better', async () => {
    const index = new FakeIndex();
    const { home, store, entries } = setup(index);
    const layout = new HomeLayout(home);
    const unreadable = path.join(layout.sessionsDir, 'x', 'empty.jsonl');
    mkdirSync(path.dirname(unreadable), { recursive: true });
    writeFileSync(unreadable, '');
    index.paths.set(`${id(1)}:false`, unreadable);
    expect(await store.find(id(1), false)).toBe(unreadable);
    expect(entries).toEqual([]);
    const real = writeRollout(home, 1, DAY);
    expect(await store.find(id(1), false)).toBe(real);
    // A missing indexed file is never the answer.
    index.paths.set(`${id(3)}:false`, path.join(layout.sessionsDir, 'gone.jsonl'));
    expect(await store.find(id(3), false)).toBeNull();
  });

  test('indexed paths outside the home, or reached through a symlink, are neither read nor returned', async () => {
    const index = new FakeIndex();
    const { home, store } = setup(index);
    const outsideHome = tempHomeForTest();
    const outside = writeRollout(outsideHome, 1, DAY);
    index.paths.set(`${id(1)}:false`, outside);
    expect(await store.find(id(1), false)).toBeNull();
    symlinkSync(path.dirname(outside), path.join(home, 'link'));
    index.paths.set(`${id(1)}:false`, path.join(home, 'link', path.basename(outside)));
    expect(await store.find(id(1), false)).toBeNull();
    // The unverifiable fallback does not apply to them either.
    writeFileSync(outside, '');
    expect(await store.find(id(1), false)).toBeNull();
  });

  test('archived lookups search archived_sessions and repair with archived_at = now', async () => {
    const index = new FakeIndex();
    const { home, store } = setup(index);
    writeRollout(home, 1, DAY);
    const archived = writeRollout(home, 2, DAY, { archived: true });
    expect(await store.find(id(1), true)).toBeNull();
    expect(await store.find(id(2), true)).toBe(archived);
    expect(index.calls).toContainEqual(['rolloutPath', id(2), true]);
    expect(index.calls.at(-1)).toEqual(['updateRolloutPath', id(2), archived, true, NOW]);
    expect(await store.find(id(2), false)).toBeNull();
  });

  test('a repair of a missing row rebuilds it from the file (forced), unless the file names another thread', async () => {
    const index = new FakeIndex();
    index.updateResult = false;
    const { home, store } = setup(index);
    const file = writeRollout(home, 1, DAY);
    index.rows.set(id(1), { ...rowFromSummary((await summarizeRollout(file, false))!), preview: 'stale row' });
    expect(await store.find(id(1), false)).toBe(file);
    expect(index.names()).toEqual(['rolloutPath', 'updateRolloutPath', 'upsertThread']);
    expect(index.rows.get(id(1))?.preview).toBe('message 1');
    // A file named for thread 5 whose meta says thread 6: found by name, but no row is built for 5.
    const layout = new HomeLayout(home);
    const liar = layout.activeRolloutPath(DAY, id(5));
    writeFileSync(liar, JSON.stringify({ timestamp: 't', type: 'session_meta', payload: { id: id(6) } }) + '\n');
    index.calls = [];
    expect(await store.find(id(5), false)).toBe(liar);
    expect(index.names()).toEqual(['rolloutPath', 'updateRolloutPath']);
  });

  test('a failing index is logged as a warning and the filesystem answers', async () => {
    const index = new FakeIndex();
    index.fail = true;
    const { home, store, entries } = setup(index);
    const file = writeRollout(home, 1, DAY);
    expect(await store.find(id(1), false)).toBe(file);
    expect(entries.map((e) => [e.level, e.msg])).toEqual([
      ['warn', 'state db call failed; using the filesystem'],
      ['warn', 'state db call failed; using the filesystem'],
      ['warn', 'state db call failed; using the filesystem'],
    ]);
    expect((entries[0]!.obj as { err: Error }).err.message).toBe('index down (rolloutPath)');
    expect((entries[1]!.obj as { err: Error }).err.message).toBe('index down (updateRolloutPath)');
    // The repair could not tell whether a row exists, so it rebuilds one (which fails too).
    expect((entries[2]!.obj as { err: Error }).err.message).toBe('index down (upsertThread)');
  });

  test('without an index the filesystem alone answers', async () => {
    const { home, store } = setup(null);
    const file = writeRollout(home, 1, DAY);
    expect(await store.find(id(1), false)).toBe(file);
    expect(await store.find(id(2), false)).toBeNull();
  });
});

describe('summary, fork previews and storedThread', () => {
  test('cached until the file changes; null when it cannot be read', async () => {
    const { home, store } = setup();
    const file = writeRollout(home, 1, DAY);
    const first = await store.summary(file);
    expect(first?.preview).toBe('message 1');
    expect(await store.summary(file)).toBe(first);
    appendFileSync(file, JSON.stringify({ timestamp: 't', type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: { total_tokens: 9 } } } }) + '\n');
    const second = await store.summary(file);
    expect(second).not.toBe(first);
    expect(second?.tokensUsed).toBe(9);
    // Same size, new mtime: read again.
    const text = readFileSync(file, 'utf8').replace('"total_tokens":9', '"total_tokens":8');
    writeFileSync(file, text);
    utimesSync(file, new Date(NOW), new Date(NOW + 5000));
    expect((await store.summary(file))?.tokensUsed).toBe(8);
    // Bigger, same mtime: read again too.
    const before = statSync(file);
    appendFileSync(file, JSON.stringify({ timestamp: 't', type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: { total_tokens: 11 } } } }) + '\n');
    utimesSync(file, before.atime, before.mtime);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    expect((await store.summary(file))?.tokensUsed).toBe(11);
    expect(await store.summary(path.join(home, 'missing.jsonl'))).toBeNull();
    const archived = writeRollout(home, 2, DAY, { archived: true });
    expect((await store.summary(archived))?.archived).toBe(true);
    expect((await store.summary(file))?.archived).toBe(false);
  });

  test('a fork without a message of its own previews its source’s first message (active or archived source)', async () => {
    const { home, store } = setup();
    writeRollout(home, 1, DAY, { preview: 'source says hi' });
    const fork = writeRollout(home, 2, DAY + 1000, { preview: '', meta: { forked_from_id: id(1) } });
    expect((await store.summary(fork))?.preview).toBe('source says hi');
    writeRollout(home, 3, DAY, { preview: 'archived source', archived: true });
    const fork2 = writeRollout(home, 4, DAY + 2000, { preview: 'own', meta: { forked_from_id: id(3) } });
    expect((await store.summary(fork2))?.preview).toBe('archived source');
  });

  test('a fork keeps its own preview when the source is missing, previewless, itself, or not a canonical id', async () => {
    const { home, store } = setup();
    const missing = writeRollout(home, 2, DAY, { preview: 'own-a', meta: { forked_from_id: id(99) } });
    expect((await store.summary(missing))?.preview).toBe('own-a');
    writeRollout(home, 3, DAY, { preview: '' });
    const empty = writeRollout(home, 4, DAY, { preview: 'own-b', meta: { forked_from_id: id(3) } });
    expect((await store.summary(empty))?.preview).toBe('own-b');
    const self = writeRollout(home, 5, DAY, { preview: 'own-c', meta: { forked_from_id: id(5) } });
    expect((await store.summary(self))?.preview).toBe('own-c');
    writeRollout(home, 10, DAY, { preview: 'upper source' });
    const upper = writeRollout(home, 6, DAY, { preview: 'own-d', meta: { forked_from_id: id(10).toUpperCase().replace('0190', 'ABCD') } });
    expect((await store.summary(upper))?.preview).toBe('own-d');
  });

  test('fork chains are followed for the preview, cycles end', async () => {
    const { home, store } = setup();
    writeRollout(home, 1, DAY, { preview: 'root' });
    writeRollout(home, 2, DAY, { preview: '', meta: { forked_from_id: id(1) } });
    const f3 = writeRollout(home, 3, DAY, { preview: '', meta: { forked_from_id: id(2) } });
    expect((await store.summary(f3))?.preview).toBe('root');
    writeRollout(home, 7, DAY, { preview: 'seven', meta: { forked_from_id: id(8) } });
    const f8 = writeRollout(home, 8, DAY, { preview: 'eight', meta: { forked_from_id: id(7) } });
    expect((await store.summary(f8))?.preview).toMatch(/^(seven|eight)$/);
  });

  test('a fork chain deeper than 16 stops looking for the root preview', async () => {
    const { home, store } = setup();
    writeRollout(home, 100, DAY, { preview: 'root' });
    let last = '';
    for (let n = 1; n <= 18; n += 1) last = writeRollout(home, 100 + n, DAY, { preview: `own${n}`, meta: { forked_from_id: id(99 + n) } });
    // 118 → 117 → … : depth 0 is 118, depth 16 is 102 (no further lookup), whose own preview wins.
    expect((await store.summary(last))?.preview).toBe('own2');
    const { store: fresh } = { store: new LocalThreadStore(home, null, { clock, log: recordingLog().log }) };
    const mid = new HomeLayout(home).activeRolloutPath(DAY, id(116));
    expect((await fresh.summary(mid))?.preview).toBe('root');
  });

  test('storedThread adds the latest name, null for an unreadable file', async () => {
    const { home, store } = setup();
    const file = writeRollout(home, 1, DAY);
    expect(await store.storedThread(file)).toMatchObject({ id: id(1), name: null });
    await store.appendName(id(1), 'named', NOW);
    expect(await store.storedThread(file)).toMatchObject({ id: id(1), name: 'named', preview: 'message 1' });
    expect(await store.storedThread(path.join(home, 'nope.jsonl'))).toBeNull();
  });
});

describe('list', () => {
  const row = (n: number, over: Partial<IndexedThread> = {}): IndexedThread => ({
    ...rowFromSummary({
      id: id(n),
      rolloutPath: `/x/${n}`,
      archived: false,
      createdAtMs: n,
      updatedAtMs: n,
      recencyAtMs: n,
      source: 'vscode',
      spawn: null,
      modelProvider: null,
      model: null,
      cwd: '',
      cliVersion: '',
      originator: '',
      preview: `row ${n}`,
      tokensUsed: 0,
      forkedFromId: null,
      lineCount: 5,
    }),
    ...over,
  });

  test('index-only pages come from the index with one extra row to tell whether more follow', async () => {
    const index = new FakeIndex();
    const { store } = setup(index);
    await store.appendName(id(2), 'from names file', NOW);
    index.listRows = [row(1, { name: 'row name' }), row(2), row(3)];
    const page = await store.list({ ...baseQuery, limit: 2 }, true);
    expect(index.calls).toEqual([['listThreads', { ...baseQuery, limit: 3 }]]);
    expect(page.more).toBe(true);
    expect(page.threads.map((t) => [t.id, t.name, t.lineCount, t.forkedFromId])).toEqual([
      [id(1), 'row name', 0, null],
      [id(2), 'from names file', 0, null],
    ]);
    const exact = await store.list({ ...baseQuery, limit: 3 }, true);
    expect(exact.more).toBe(false);
    expect(exact.threads.map((t) => t.name)).toEqual(['row name', 'from names file', null]);
  });

  test('other sort keys use the index even when not index-only; creation order walks the files; a failing index falls back', async () => {
    const index = new FakeIndex();
    const { home, store } = setup(index);
    writeRollout(home, 1, DAY);
    index.listRows = [row(9)];
    expect((await store.list({ ...baseQuery, sortKey: 'updated_at' }, false)).threads.map((t) => t.id)).toEqual([id(9)]);
    index.calls = [];
    const walked = await store.list(baseQuery, false);
    expect(walked.threads.map((t) => t.id)).toEqual([id(1)]);
    expect(index.names()).not.toContain('listThreads');
    index.fail = true;
    const fallback = await store.list({ ...baseQuery, sortKey: 'updated_at' }, true);
    expect(fallback.threads.map((t) => t.id)).toEqual([id(1)]);
  });

  test('without an index, other sort keys sort a full scan by that key, then id, with an exclusive cursor', async () => {
    const { home, store } = setup();
    const a = writeRollout(home, 1, DAY);
    const b = writeRollout(home, 2, DAY + 1000);
    const c = writeRollout(home, 3, DAY + 2000);
    const d = writeRollout(home, 4, DAY + 3000, { preview: '' });
    utimesSync(a, new Date(NOW), new Date(NOW + 30_000));
    utimesSync(b, new Date(NOW), new Date(NOW + 10_000));
    utimesSync(c, new Date(NOW), new Date(NOW + 20_000));
    utimesSync(d, new Date(NOW), new Date(NOW + 40_000));
    const ids = async (q: Partial<IndexListQuery>) => {
      const page = await store.list({ ...baseQuery, sortKey: 'updated_at', ...q }, false);
      return [page.threads.map((t) => t.id), page.more];
    };
    expect(await ids({})).toEqual([[id(1), id(3), id(2)], false]);
    expect(await ids({ sortDirection: 'asc' })).toEqual([[id(2), id(3), id(1)], false]);
    expect(await ids({ limit: 2 })).toEqual([[id(1), id(3)], true]);
    expect(await ids({ limit: 3 })).toEqual([[id(1), id(3), id(2)], false]);
    expect(await ids({ after: { keyMs: NOW + 30_000, id: id(1) } })).toEqual([[id(3), id(2)], false]);
    expect(await ids({ after: { keyMs: NOW + 20_000, id: id(3) }, sortDirection: 'asc' })).toEqual([[id(1)], false]);
    expect(await ids({ requirePreview: false, limit: 1 })).toEqual([[id(4)], true]);
    // Recency ties (no turns: creation) are broken by id.
    const rec = await store.list({ ...baseQuery, sortKey: 'recency_at', sortDirection: 'asc' }, false);
    expect(rec.threads.map((t) => t.id)).toEqual([id(1), id(2), id(3)]);
    expect((await store.list({ ...baseQuery, sortKey: 'updated_at', cwds: ['/nowhere'] }, false)).threads).toEqual([]);
    const named = await store.appendName(id(3), 'three', NOW).then(() => store.list({ ...baseQuery, sortKey: 'updated_at', limit: 2 }, false));
    expect(named.threads.map((t) => t.name)).toEqual([null, 'three']);
  });

  test('the archived listing walks archived_sessions only', async () => {
    const { home, store } = setup();
    writeRollout(home, 1, DAY);
    writeRollout(home, 2, DAY, { archived: true });
    writeRollout(home, 3, DAY + 1000, { archived: true });
    expect((await store.list({ ...baseQuery, archived: true }, false)).threads.map((t) => [t.id, t.archived])).toEqual([
      [id(3), true],
      [id(2), true],
    ]);
    expect((await store.list({ ...baseQuery, archived: true, sortKey: 'updated_at' }, false)).threads).toHaveLength(2);
  });

  test('walked pages: second-precision cursor, files before it skipped by name, filters, names, more only with another match', async () => {
    const { home, store } = setup();
    writeRollout(home, 1, DAY + 500);
    writeRollout(home, 2, DAY + 1000);
    writeRollout(home, 3, DAY + 2000, { meta: { cwd: '/else' } });
    writeRollout(home, 4, DAY + 3000);
    await store.appendName(id(2), 'two', NOW);
    const page = async (q: Partial<IndexListQuery>) => {
      const r = await store.list({ ...baseQuery, ...q }, false);
      return [r.threads.map((t) => t.id), r.more];
    };
    expect(await page({ limit: 1 })).toEqual([[id(4)], true]);
    // The cursor (3.999 s) counts as second 3: the thread at second 3 is not repeated.
    expect(await page({ limit: 1, after: { keyMs: DAY + 3999, id: id(4) } })).toEqual([[id(3)], true]);
    expect(await page({ limit: 2, after: { keyMs: DAY + 3000, id: id(4) }, cwds: ['/work'] })).toEqual([[id(2), id(1)], false]);
    // Same second, ids decide: after (second 1, id 2) in desc order comes id 1 at second 0.
    expect(await page({ after: { keyMs: DAY + 1000, id: id(2) } })).toEqual([[id(1)], false]);
    expect(await page({ sortDirection: 'asc', after: { keyMs: DAY + 1000, id: id(2) } })).toEqual([[id(3), id(4)], false]);
    expect(await page({ sortDirection: 'asc', after: { keyMs: DAY + 1000, id: id(2) }, limit: 2 })).toEqual([[id(3), id(4)], false]);
    expect(await page({ sortDirection: 'asc', after: { keyMs: DAY + 1000, id: id(2) }, limit: 1 })).toEqual([[id(3)], true]);
    // The last match is not followed by another: more is false even though a non-matching file follows.
    expect(await page({ limit: 1, cwds: ['/else'] })).toEqual([[id(3)], false]);
    const named = await store.list({ ...baseQuery, limit: 3 }, false);
    expect(named.threads.map((t) => t.name)).toEqual([null, null, 'two']);
  });

  test('unreadable rollout files in the walk are skipped, on both list paths', async () => {
    const { home, store, layout } = setup();
    writeRollout(home, 1, DAY);
    const day = path.dirname(layout.activeRolloutPath(DAY, id(1)));
    writeFileSync(path.join(day, 'rollout-garbage.jsonl'), 'not json\n');
    writeFileSync(layout.activeRolloutPath(DAY + 1000, id(2)), '');
    expect((await store.list(baseQuery, false)).threads.map((t) => t.id)).toEqual([id(1)]);
    expect((await store.list({ ...baseQuery, sortKey: 'updated_at' }, false)).threads.map((t) => t.id)).toEqual([id(1)]);
  });

  test('a file whose name puts it before the cursor is skipped unread, even when its content would come after', async () => {
    const { home, store } = setup();
    writeRollout(home, 1, DAY);
    // Named at DAY (second 0) but its meta says one hour later.
    writeRollout(home, 2, DAY, { meta: { timestamp: new Date(DAY + 3_600_000).toISOString() } });
    writeRollout(home, 3, DAY + 5000);
    const r = await store.list({ ...baseQuery, sortDirection: 'asc', after: { keyMs: DAY + 2000, id: id(9) } }, false);
    expect(r.threads.map((t) => t.id)).toEqual([id(3)]);
    // Without a canonical name the content decides.
    const odd = writeRollout(home, 4, DAY, { name: 'rollout-odd.jsonl', meta: { timestamp: new Date(DAY + 3_600_000).toISOString() } });
    expect(existsSync(odd)).toBe(true);
    const r2 = await store.list({ ...baseQuery, sortDirection: 'asc', after: { keyMs: DAY + 2000, id: id(9) } }, false);
    expect(r2.threads.map((t) => t.id).sort()).toEqual([id(3), id(4)]);
  });

  test('a page starting at a cursor day does not read days before it', async () => {
    const { home, store } = setup();
    const early = writeRollout(home, 1, Date.parse('2026-01-01T10:00:00Z'));
    writeRollout(home, 2, Date.parse('2026-01-03T10:00:00Z'));
    writeRollout(home, 3, Date.parse('2026-01-05T10:00:00Z'));
    // Make the early day's file claim a later creation time: had its day been walked it would be listed.
    const text = readFileSync(early, 'utf8').replaceAll('2026-01-01T10:00:00.000Z', '2026-01-09T10:00:00.000Z');
    renameSync(early, path.join(path.dirname(early), 'rollout-early.jsonl'));
    writeFileSync(path.join(path.dirname(early), 'rollout-early.jsonl'), text);
    const r = await store.list({ ...baseQuery, sortDirection: 'asc', after: { keyMs: Date.parse('2026-01-03T00:00:00Z'), id: id(0) } }, false);
    expect(r.threads.map((t) => t.id)).toEqual([id(2), id(3)]);
  });

  test('listed files use a current index row, else read the file and repair the row', async () => {
    const index = new FakeIndex();
    const { home, store } = setup(index);
    const file = writeRollout(home, 1, DAY);
    const mtime = Math.floor(statSync(file).mtimeMs);
    const summary = (await summarizeRollout(file, false))!;
    // A current row (same path, written at the file's mtime) is used as it is.
    index.rows.set(id(1), { ...rowFromSummary(summary), preview: 'from row', updatedAtMs: mtime });
    let page = await store.list(baseQuery, false);
    expect(page.threads.map((t) => [t.preview, t.lineCount, t.forkedFromId])).toEqual([['from row', 0, null]]);
    expect(index.names()).toEqual(['getThread']);
    // A row older than the file: the file is read and the row rebuilt.
    const fresh = new LocalThreadStore(home, index, { clock, log: recordingLog().log });
    index.rows.set(id(1), { ...rowFromSummary(summary), preview: 'old row', updatedAtMs: mtime - 1 });
    index.calls = [];
    page = await fresh.list(baseQuery, false);
    expect(page.threads.map((t) => t.preview)).toEqual(['message 1']);
    expect(index.names()).toEqual(['getThread', 'upsertThread']);
    expect(index.rows.get(id(1))?.preview).toBe('message 1');
    // Once read, the summary is cached: no index call on the next page.
    index.calls = [];
    await fresh.list(baseQuery, false);
    expect(index.calls).toEqual([]);
    // A row for another path: the file wins and the row is rebuilt.
    const other = new LocalThreadStore(home, index, { clock, log: recordingLog().log });
    index.rows.set(id(1), { ...rowFromSummary(summary), rolloutPath: '/elsewhere', preview: 'wrong path', updatedAtMs: mtime + 10 });
    index.calls = [];
    expect((await other.list(baseQuery, false)).threads.map((t) => t.preview)).toEqual(['message 1']);
    expect(index.names()).toEqual(['getThread', 'upsertThread']);
  });

  test('a listed file the index lacks is added; a non-canonical name is read without a row lookup', async () => {
    const index = new FakeIndex();
    const { home, store } = setup(index);
    writeRollout(home, 1, DAY);
    await store.list(baseQuery, false);
    expect(index.names()).toEqual(['getThread', 'getThread', 'upsertThread']);
    expect(index.rows.get(id(1))).toMatchObject({ id: id(1), preview: 'message 1', approvalMode: 'on-request' });
    const home2 = setup(index);
    writeRollout(home2.home, 2, DAY, { name: 'rollout-free-name.jsonl' });
    index.calls = [];
    const page = await home2.store.list(baseQuery, false);
    expect(page.threads.map((t) => t.id)).toEqual([id(2)]);
    expect(index.names()).toEqual(['getThread', 'upsertThread']);
    expect(index.calls[0]).toEqual(['getThread', id(2)]);
  });
});

describe('archive, unarchive, delete', () => {
  test('archive moves the file and points the row at it with archived_at = now; missing threads are no-rollout', async () => {
    const index = new FakeIndex();
    const { home, store, layout } = setup(index);
    const file = writeRollout(home, 1, DAY);
    await store.summary(file);
    const to = await store.archive(id(1));
    expect(to).toBe(path.join(layout.archivedDir, path.basename(file)));
    expect(existsSync(file)).toBe(false);
    expect(existsSync(to)).toBe(true);
    expect(index.calls.at(-1)).toEqual(['updateRolloutPath', id(1), to, true, NOW]);
    expect(await store.summary(file)).toBeNull();
    const error = await store.archive(id(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThreadStoreError);
    expect(error).toMatchObject({ kind: 'no-rollout', message: `no rollout found for thread id ${id(2)}` });
  });

  test('unarchive moves back to the date in the name, touches the file, repairs the row and records the turn', async () => {
    const index = new FakeIndex();
    const { home, store, layout } = setup(index);
    const archived = writeRollout(home, 1, DAY, {
      archived: true,
      extraLines: [
        { timestamp: 't', type: 'turn_context', payload: { model: 'm1' } },
        { timestamp: 't', type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: { total_tokens: 42 } } } },
      ],
    });
    await store.summary(archived);
    const to = await store.unarchive(id(1));
    expect(to).toBe(layout.activeRolloutPath(DAY, id(1)));
    expect(existsSync(archived)).toBe(false);
    expect(statSync(to).mtimeMs).toBe(NOW);
    expect(index.calls.filter((c) => c[0] !== 'rolloutPath' && c[0] !== 'getThread')).toEqual([
      // find's read-repair of the archived row, then the move back.
      ['updateRolloutPath', id(1), archived, true, NOW],
      ['updateRolloutPath', id(1), to, false, null],
      ['recordTurn', { threadId: id(1), updatedAtMs: NOW, recencyAtMs: null, tokensUsed: 42, model: 'm1', firstUserMessage: null }],
    ]);
    expect(await store.summary(archived)).toBeNull();
    const error = await store.unarchive(id(1)).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'no-archived-rollout', message: `no archived rollout found for thread id ${id(1)}` });
  });

  test('an archived file without a canonical name goes back to the date of its creation; an unreadable one is io', async () => {
    const { home, store, layout } = setup();
    const created = Date.parse('2025-07-08T09:10:11Z');
    writeRollout(home, 1, created, { archived: true, name: `rollout-renamed-${id(1)}.jsonl` });
    const to = await store.unarchive(id(1));
    expect(to).toBe(layout.activeRolloutPath(created, id(1)));
    const broken = path.join(layout.archivedDir, `rollout-broken-${id(2)}.jsonl`);
    writeFileSync(broken, 'not json\n');
    const error = await store.unarchive(id(2)).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'io', message: `failed to read archived rollout ${broken}` });
    expect(existsSync(broken)).toBe(true);
  });

  test('delete removes the active file, else the archived one; nothing to delete is null', async () => {
    const { home, store } = setup();
    const active = writeRollout(home, 1, DAY);
    const archived = writeRollout(home, 2, DAY, { archived: true });
    expect(await store.delete(id(1))).toBe(active);
    expect(existsSync(active)).toBe(false);
    expect(await store.delete(id(2))).toBe(archived);
    expect(existsSync(archived)).toBe(false);
    expect(await store.delete(id(3))).toBeNull();
  });

  test('delete never unlinks an indexed path outside the home', async () => {
    const index = new FakeIndex();
    const { store } = setup(index);
    const outsideHome = tempHomeForTest();
    const outside = writeRollout(outsideHome, 1, DAY);
    index.paths.set(`${id(1)}:false`, outside);
    expect(await store.delete(id(1))).toBeNull();
    expect(existsSync(outside)).toBe(true);
  });
});

describe('writers, sizes, spans and locks', () => {
  test('newWriter writes the dated canonical file inside the home and refuses a sessions symlink out of it', async () => {
    const { home, store, layout } = setup();
    const w = store.newWriter(id(1), DAY);
    expect(w.rolloutPath).toBe(layout.activeRolloutPath(DAY, id(1)));
    await w.append([{ type: 'session_meta', payload: { id: id(1) } }]);
    await w.close();
    expect(await store.fileSize(w.rolloutPath)).toBe(statSync(w.rolloutPath).size);
    const spans = await store.readSpans(w.rolloutPath);
    expect(spans.lines).toHaveLength(1);
    const other = setup();
    const outside = tempHomeForTest();
    symlinkSync(outside, path.join(other.home, 'sessions'));
    const refused = other.store.newWriter(id(2), DAY);
    await expect(refused.append([{ type: 'x', payload: {} }])).rejects.toThrow(/refusing to write/);
    expect(home).not.toBe(other.home);
  });

  test('continueWriter starts at the meta ordinal plus the lines read (skipped ones included)', async () => {
    const { home, store } = setup();
    const file = path.join(home, 'sessions', 'c.jsonl');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ timestamp: 't', ordinal: 14, type: 'session_meta', payload: { id: id(1) } })}\ngarbage\n${JSON.stringify({ timestamp: 't', ordinal: 16, type: 'x', payload: {} })}\n{"torn`);
    const { own } = await store.readWithLineage(file);
    const w = store.continueWriter(file, own);
    expect(w.ordinal).toBe(14 + 2 + 2);
    const out = await w.append([{ type: 'y', payload: {} }]);
    await w.close();
    expect(out[0]!.ordinal).toBe(18);
    expect(readFileSync(file, 'utf8').endsWith('{"torn\n' + JSON.stringify(out[0]!.record) + '\n')).toBe(true);
    // A meta without an ordinal, or a first line that is no meta, counts from 0.
    expect(store.continueWriter(file, { lines: [{ timestamp: 't', type: 'session_meta', payload: {} }], skipped: [3], endsWithNewline: true }).ordinal).toBe(2);
    expect(store.continueWriter(file, { lines: [{ timestamp: 't', ordinal: 9, type: 'event_msg', payload: {} }], skipped: [], endsWithNewline: true }).ordinal).toBe(1);
    const outsideHome = tempHomeForTest();
    const outsideFile = path.join(outsideHome, 'o.jsonl');
    writeFileSync(outsideFile, '');
    symlinkSync(outsideHome, path.join(home, 'out'));
    const escaped = store.continueWriter(path.join(home, 'out', 'o.jsonl'), { lines: [], skipped: [], endsWithNewline: true });
    await expect(escaped.append([{ type: 'x', payload: {} }])).rejects.toThrow(/refusing to write/);
    expect(readFileSync(outsideFile, 'utf8')).toBe('');
  });

  test('tryLock gives one holder at a time; warm creates the lock directory', () => {
    const { store, layout } = setup();
    store.warm();
    expect(existsSync(layout.locksDir)).toBe(true);
    const lock = store.tryLock(id(1));
    expect(lock).not.toBeNull();
    expect(store.tryLock(id(1))).toBeNull();
    lock!.release();
    const again = store.tryLock(id(1));
    expect(again).not.toBeNull();
    again!.release();
  });
});
