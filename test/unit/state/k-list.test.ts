import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { IndexedThreadInput, IndexListQuery } from '../../../src/rollout/thread-index.js';
import { ThreadLister } from '../../../src/state/list.js';
import { ThreadsTable } from '../../../src/state/threads.js';
import { BASE_MS, makeTempHome, threadIdFor } from './helpers.js';
import { schemaDb } from './k-db.js';

const t = (n: number): string => threadIdFor(n);

function setup() {
  const db = schemaDb();
  const home = makeTempHome();
  const threads = new ThreadsTable(db, 'openai');
  const lister = new ThreadLister(db);
  const add = (n: number, overrides: Partial<IndexedThreadInput> = {}): IndexedThreadInput => {
    const rolloutPath = path.join(home, 'sessions', `rollout-${t(n)}.jsonl`);
    mkdirSync(path.dirname(rolloutPath), { recursive: true });
    writeFileSync(rolloutPath, '{}\n');
    const row: IndexedThreadInput = {
      id: t(n), rolloutPath, archived: false, createdAtMs: BASE_MS + n * 1000, updatedAtMs: BASE_MS + n * 1000, recencyAtMs: BASE_MS + n * 1000,
      source: 'cli', spawn: null, modelProvider: 'p', model: null, cwd: '/w', cliVersion: '0.169.0', originator: 'o', preview: `p${n}`,
      tokensUsed: 0, approvalMode: 'never', sandboxPolicy: '{}', name: null, archivedAtMs: null, ...overrides,
    };
    threads.upsertThread(row);
    return row;
  };
  return { db, lister, add };
}

function query(overrides: Partial<IndexListQuery> = {}): IndexListQuery {
  return {
    archived: false, sortKey: 'created_at', sortDirection: 'desc', after: null, limit: 25,
    sourceKinds: [], modelProviders: null, cwds: null, searchTerm: null, requirePreview: true, ...overrides,
  };
}
const ids = (rows: { id: string }[]): string[] => rows.map((r) => r.id);

describe('ThreadLister', () => {
  test('a zero or negative limit gives an empty page; a fractional one is truncated', () => {
    const { lister, add } = setup();
    for (const n of [1, 2, 3]) add(n);
    expect(lister.list(query({ limit: 0 }))).toEqual([]);
    expect(lister.list(query({ limit: -3 }))).toEqual([]);
    expect(lister.list(query({ limit: 0.9 }))).toEqual([]);
    expect(ids(lister.list(query({ limit: 2.7 })))).toEqual([t(3), t(2)]);
    expect(ids(lister.list(query({ limit: 1 })))).toEqual([t(3)]);
  });

  test('an order it has no statement for is an error naming it', () => {
    const { lister } = setup();
    expect(() => lister.list(query({ sortKey: 'title' as never }))).toThrow('unsupported thread list order: title desc');
    expect(() => lister.list(query({ sortDirection: 'up' as never }))).toThrow('unsupported thread list order: created_at up');
  });

  test('an empty search term and empty provider or cwd lists do not filter', () => {
    const { lister, add } = setup();
    add(1, { preview: 'alpha' });
    add(2, { preview: 'beta', modelProvider: 'q', cwd: '/v' });
    expect(ids(lister.list(query({ searchTerm: '' })))).toEqual([t(2), t(1)]);
    expect(ids(lister.list(query({ cwds: [] })))).toEqual([t(2), t(1)]);
    expect(ids(lister.list(query({ modelProviders: [] })))).toEqual([t(2), t(1)]);
    expect(ids(lister.list(query({ cwds: ['/v'] })))).toEqual([t(2)]);
    expect(ids(lister.list(query({ modelProviders: ['p'] })))).toEqual([t(1)]);
    expect(ids(lister.list(query({ searchTerm: 'lph' })))).toEqual([t(1)]);
  });

  test('ascending cursor: strictly after the key, ties broken by id; the cursor key is truncated to ms', () => {
    const { lister, add } = setup();
    add(1);
    add(2, { createdAtMs: BASE_MS + 5000 });
    add(3, { createdAtMs: BASE_MS + 5000 });
    add(4, { createdAtMs: BASE_MS + 9000 });
    expect(ids(lister.list(query({ sortDirection: 'asc' })))).toEqual([t(1), t(2), t(3), t(4)]);
    expect(ids(lister.list(query({ sortDirection: 'asc', after: { keyMs: BASE_MS + 5000, id: t(2) } })))).toEqual([t(3), t(4)]);
    expect(ids(lister.list(query({ sortDirection: 'asc', after: { keyMs: BASE_MS + 5000.9, id: t(3) } })))).toEqual([t(4)]);
    expect(ids(lister.list(query({ sortDirection: 'desc', after: { keyMs: BASE_MS + 5000, id: t(3) } })))).toEqual([t(2), t(1)]);
    expect(ids(lister.list(query({ sortDirection: 'desc', after: { keyMs: BASE_MS + 1000, id: t(1) } })))).toEqual([]);
  });

  test('archived listings page the same way', () => {
    const { lister, add } = setup();
    add(1, { archived: true, archivedAtMs: BASE_MS });
    add(2, { archived: true, archivedAtMs: BASE_MS });
    add(3, { archived: true, archivedAtMs: BASE_MS, preview: '' });
    add(4);
    expect(ids(lister.list(query({ archived: true })))).toEqual([t(2), t(1)]);
    expect(ids(lister.list(query({ archived: true, requirePreview: false, sortDirection: 'asc' })))).toEqual([t(1), t(2), t(3)]);
    expect(ids(lister.list(query({ archived: true, after: { keyMs: BASE_MS + 2000, id: t(2) } })))).toEqual([t(1)]);
  });

  test('a BLOB source is classified and returned by its text', () => {
    const { db, lister, add } = setup();
    add(1);
    add(2);
    db.prepare('UPDATE threads SET source = ? WHERE id = ?').run(Buffer.from('exec', 'utf8'), t(2));
    db.prepare('UPDATE threads SET source = ? WHERE id = ?').run(Buffer.from('{"subagent":"review"}', 'utf8'), t(1));
    expect(lister.list(query({ sourceKinds: ['exec'] })).map((r) => [r.id, r.source])).toEqual([[t(2), 'exec']]);
    expect(lister.list(query({ sourceKinds: ['subAgentReview'] })).map((r) => [r.id, r.source])).toEqual([[t(1), { subagent: 'review' }]]);
    expect(lister.list(query())).toEqual([]);
  });
});
