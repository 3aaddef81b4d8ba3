import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { STATE_DB_FILE } from '../../../src/state/index.js';
import { buildOpenChild, runOpenChild, type ChildResult } from './child-process.js';
import { BASE_MS, makeTempHome, threadIdFor, writeRollout } from './helpers.js';

let childScript = '';

beforeAll(async () => {
  childScript = await buildOpenChild();
});
afterAll(() => rmSync(path.dirname(childScript), { recursive: true, force: true }));

describe('several processes opening one fresh home', () => {
  // Repeated: the race between schema creation, the WAL switch and the claim differs from run to run.
  test.each([1, 2, 3, 4, 5])('all succeed, exactly one runs the backfill, nothing is locked (run %i)', async () => {
    const home = makeTempHome();
    const count = 400;
    for (let i = 0; i < count; i += 1) writeRollout(home, { id: threadIdFor(i), createdAtMs: BASE_MS + i * 1000 });

    const startAtMs = Date.now() + 300;
    const options = { backfillPollMs: 25, backfillWaitMs: 20_000, startAtMs };
    const results: ChildResult[] = await Promise.all([
      runOpenChild(childScript, home, options),
      runOpenChild(childScript, home, options),
      runOpenChild(childScript, home, options),
    ]);

    for (const result of results) {
      expect(result.ok, JSON.stringify(result)).toBe(true);
      expect(result.backfill?.status).toBe('complete');
      expect(result.warnings.filter((w) => /locked|busy|failed/i.test(w))).toEqual([]);
      expect(result.stderr).toBe('');
    }
    const ran = results.filter((r) => r.startup?.backfill !== null);
    expect(ran).toHaveLength(1);
    expect(ran[0]?.startup?.backfill).toEqual({ scanned: count, upserted: count, failed: 0 });
    expect(results.filter((r) => r.startup?.schema === 'created')).toHaveLength(1);

    const db = new Database(path.join(home, STATE_DB_FILE), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM threads').get()).toEqual({ n: count });
      expect(db.prepare('SELECT count(*) AS n FROM _sqlx_migrations').get()).toEqual({ n: 62 });
      expect(db.prepare('SELECT count(*) AS n FROM thread_sections').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });
});
