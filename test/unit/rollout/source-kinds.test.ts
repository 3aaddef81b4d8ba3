import { describe, expect, onTestFinished, test } from 'vitest';
import { LocalThreadStore } from '../../../src/rollout/local-thread-store.js';
import type { IndexListQuery, ListSortKey } from '../../../src/rollout/thread-index.js';
import { openStateDb } from '../../../src/state/index.js';
import { silentLogger } from '../../../src/support/logger.js';
import { tempHome } from '../../support/temp-home.js';
import { BASE_MS, threadIdFor, writeRollout } from '../state/helpers.js';

/** One stored thread per `session_meta.source` the reference writes, plus a source it does not know. */
const SOURCES: [number, unknown][] = [
  [1, 'cli'],
  [2, 'vscode'],
  [3, 'exec'],
  [4, 'mcp'],
  [5, { subagent: 'review' }],
  [6, { subagent: 'compact' }],
  [7, { subagent: { thread_spawn: { parent_thread_id: threadIdFor(1), depth: 1 } } }],
  [8, { subagent: { other: 'guardian' } }],
  [9, { subagent: 'memory_consolidation' }],
  [10, 'some_future_source'],
  [11, { custom: 'my_integration' }],
];

/**
 * Reference (codex-rs/app-server/src/filters.rs, `source_kind_matches`): `appServer` is the `mcp` source,
 * `subAgentOther` only `SubAgentSource::Other`, so `memory_consolidation` is listed under `subAgent` alone;
 * an unrecognised plain source deserialises as `Unknown`; a `custom` source matches no kind.
 */
const EXPECTED: Record<string, number[]> = {
  '': [2, 1],
  cli: [1],
  vscode: [2],
  exec: [3],
  appServer: [4],
  subAgent: [9, 8, 7, 6, 5],
  subAgentReview: [5],
  subAgentCompact: [6],
  subAgentThreadSpawn: [7],
  subAgentOther: [8],
  unknown: [10],
};

const clock = { nowMs: () => BASE_MS + 1_000_000 };

async function homeWithEverySource(withDb: boolean): Promise<LocalThreadStore> {
  const { home, cleanup } = tempHome('source-kinds-');
  onTestFinished(cleanup);
  for (const [n, source] of SOURCES) writeRollout(home, { id: threadIdFor(n), createdAtMs: BASE_MS + n * 1000, source, preview: `hello ${n}` });
  const db = withDb ? await openStateDb(home, { clock, log: silentLogger() }) : null;
  if (withDb && !db) throw new Error('state db did not open');
  if (db) onTestFinished(() => db.close());
  return new LocalThreadStore(home, db, { clock, log: silentLogger() });
}

function query(sortKey: ListSortKey, sourceKinds: string[]): IndexListQuery {
  return { archived: false, sortKey, sortDirection: 'desc', after: null, limit: 50, sourceKinds, modelProviders: null, cwds: null, searchTerm: null, requirePreview: true };
}

describe('thread listing by source kind', () => {
  test('every source kind gives the same threads with and without a DB, for every sort key', async () => {
    const stores = { files: await homeWithEverySource(false), db: await homeWithEverySource(true) };
    for (const [kind, expected] of Object.entries(EXPECTED)) {
      const sourceKinds = kind === '' ? [] : [kind];
      for (const [name, store] of Object.entries(stores)) {
        for (const sortKey of ['created_at', 'updated_at', 'recency_at'] as const) {
          for (const dbOnly of name === 'db' ? [false, true] : [false]) {
            const page = await store.list(query(sortKey, sourceKinds), dbOnly);
            expect({ kind, name, sortKey, dbOnly, ids: page.threads.map((t) => t.id) }).toEqual({ kind, name, sortKey, dbOnly, ids: expected.map((n) => threadIdFor(n)) });
          }
        }
      }
    }
  });
});
