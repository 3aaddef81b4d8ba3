import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { type McpProcess } from '../../src/testing/index.js';
import { request, seedFakeRollouts, setupEnv, spawnServer, type Json } from './helpers.js';

const PROCESSES = 8;
const ROLLOUTS = 300;

const seedHome = (home: string, count: number): Promise<string[]> => seedFakeRollouts(home, count, '2025-04', '09');

async function listFromDb(mcp: McpProcess): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Json = await request(mcp, 'thread/list', { limit: 100, useStateDbOnly: true, ...(cursor ? { cursor } : {}) });
    ids.push(...page['data'].map((t: Json) => t['id'] as string));
    cursor = page['nextCursor'];
  } while (cursor);
  return ids;
}

describe('several processes started at once on a home without a state DB', () => {
  test('every one answers initialize with the DB open; one backfill; every rollout has exactly one row', async () => {
    const { home } = await setupEnv();
    const ids = await seedHome(home, ROLLOUTS);
    // All spawned before any is initialized, so they race for the schema, the WAL switch and the backfill claim.
    // The read bound only guards against a hang on two busy cores; it is not a performance assertion.
    const servers = await Promise.all(
      Array.from({ length: PROCESSES }, () => spawnServer(home, { initialize: false, env: { LOG_LEVEL: 'info' }, readTimeoutMs: 100_000 })),
    );
    const answers = await Promise.all(servers.map((s) => s.initialize()));
    for (const answer of answers) expect(answer).toEqual(answers[0]);

    const stderr = servers.map((s) => s.stderr()).join('\n');
    expect(stderr.match(/state db backfill scanned=\d+, upserted=\d+, failed=\d+/g)).toEqual([`state db backfill scanned=${ROLLOUTS}, upserted=${ROLLOUTS}, failed=0`]);
    expect(stderr).not.toMatch(/database is locked|failed to initialize state runtime|timed out waiting for state db backfill/);

    // Every process works from the one database: the same DB-only listing, holding every thread.
    const lists = await Promise.all(servers.map((s) => listFromDb(s)));
    expect([...(lists[0] as string[])].sort()).toEqual([...ids].sort());
    for (const list of lists) expect(list).toEqual(lists[0]);

    const db = new Database(path.join(home, 'state_5.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, rollout_path FROM threads ORDER BY id').all() as { id: string; rollout_path: string }[];
      expect(rows.map((r) => r.id)).toEqual([...ids].sort());
      expect(new Set(rows.map((r) => r.rollout_path)).size).toBe(ROLLOUTS);
      expect(db.prepare('SELECT status FROM backfill_state WHERE id = 1').get()).toEqual({ status: 'complete' });
    } finally {
      db.close();
    }
  }, 120_000);
});
