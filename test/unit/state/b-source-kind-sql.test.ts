import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { expandSourceKinds, sourceKindOf } from '../../../src/rollout/source-kind.js';
import type { IndexListQuery } from '../../../src/rollout/thread-index.js';
import { ThreadLister } from '../../../src/state/list.js';
import { decodeSource, sourceText } from '../../../src/state/source-text.js';
import { ThreadsTable } from '../../../src/state/threads.js';
import { BASE_MS, makeTempHome, threadIdFor } from './helpers.js';
import { schemaDb } from './k-db.js';

/** Stored `threads.source` values: what the reference and we write, and what other writers could leave. */
const SOURCES: unknown[] = [
  'cli', 'vscode', 'exec', 'mcp', 'appServer', 'custom', 'internal', '', 'CLI', ' cli', 'cli ',
  '{"subagent":"review"}', '{"subagent":"compact"}', '{"subagent":"memory_consolidation"}', '{"subAgent":"review"}',
  '{"subagent":{"thread_spawn":{"parent_thread_id":"p","depth":1}}}', '{"subagent":{"other":"o"}}', '{"x":1}', '{not json', '[1]', '"cli"',
  Buffer.from('cli', 'utf8'), Buffer.from('mcp', 'utf8'), Buffer.from('{"subagent":"review"}', 'utf8'), Buffer.from('other', 'utf8'), 7, 1.5,
];
const KIND_FILTERS: string[][] = [
  [], ['cli'], ['vscode'], ['exec'], ['appServer'], ['unknown'], ['subAgent'], ['subAgentReview'], ['subAgentCompact'],
  ['subAgentThreadSpawn'], ['subAgentOther'], ['cli', 'unknown', 'subAgentOther'],
];

test('the listing statement classifies every stored source as sourceKindOf does, for every kind filter', () => {
  const db = schemaDb();
  const home = makeTempHome();
  const threads = new ThreadsTable(db, 'openai');
  const lister = new ThreadLister(db);
  const ids = SOURCES.map((source, n) => {
    const id = threadIdFor(n + 1);
    const rolloutPath = path.join(home, 'sessions', `rollout-${id}.jsonl`);
    mkdirSync(path.dirname(rolloutPath), { recursive: true });
    writeFileSync(rolloutPath, '{}\n');
    threads.upsertThread({
      id, rolloutPath, archived: false, createdAtMs: BASE_MS + n * 1000, updatedAtMs: BASE_MS, recencyAtMs: BASE_MS, source: 'cli', spawn: null,
      modelProvider: 'p', model: null, cwd: '/w', cliVersion: '0.169.0', originator: 'o', preview: `p${n}`, tokensUsed: 0, approvalMode: 'never',
      sandboxPolicy: '{}', name: null, archivedAtMs: null,
    });
    // Bound as is: text, BLOB, integer and real values keep their SQLite storage class.
    db.prepare('UPDATE threads SET source = ? WHERE id = ?').run(source, id);
    return id;
  });
  const kinds = SOURCES.map((source) => sourceKindOf(decodeSource(sourceText(source))));
  expect(new Set(kinds)).toEqual(new Set(['cli', 'vscode', 'exec', 'appServer', 'unknown', 'subAgentReview', 'subAgentCompact', 'subAgent', 'subAgentThreadSpawn', 'subAgentOther', null]));
  for (const sourceKinds of KIND_FILTERS) {
    const query: IndexListQuery = {
      archived: false, sortKey: 'created_at', sortDirection: 'asc', after: null, limit: 100, sourceKinds, modelProviders: null, cwds: null,
      searchTerm: null, requirePreview: true,
    };
    const admitted = expandSourceKinds(sourceKinds);
    const expected = ids.filter((_, i) => kinds[i] !== null && admitted.includes(kinds[i]!));
    expect({ sourceKinds, ids: lister.list(query).map((row) => row.id) }).toEqual({ sourceKinds, ids: expected });
  }
});
