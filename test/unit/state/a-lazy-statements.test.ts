/**
 * The state DB's statements are prepared on first use (`prepareOnUse`), so what they read must be checked at open:
 * a database lacking a column one of them uses is refused there (null and a warning), not on a later request.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { openStateDb, STATE_DB_FILE } from '../../../src/state/index.js';
import { prepareOnUse } from '../../../src/state/prepared.js';
import { systemClock } from '../../../src/support/clock.js';
import { makeTempHome, recordingLogger } from './helpers.js';

describe('statements prepared on first use', () => {
  test('a state DB without the git columns (read for every listed thread) is refused at open', async () => {
    const home = makeTempHome();
    // A complete schema first, then one column gone.
    (await openStateDb(home, { clock: systemClock, log: recordingLogger() }))!.close();
    const db = new Database(path.join(home, STATE_DB_FILE));
    db.exec('ALTER TABLE threads DROP COLUMN git_origin_url');
    db.close();
    const log = recordingLogger();
    expect(await openStateDb(home, { clock: systemClock, log })).toBeNull();
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain('cannot be used: schema lacks threads.git_origin_url');
  });

  test('prepares once, on the first call, and forwards run, get, all and iterate', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (a INTEGER)');
    let prepared = 0;
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      prepared += 1;
      return prepare(sql);
    }) as typeof db.prepare;
    const insert = prepareOnUse<[number]>(db, 'INSERT INTO t (a) VALUES (?)');
    const select = prepareOnUse<[number], { a: number }>(db, 'SELECT a FROM t WHERE a >= ? ORDER BY a');
    const broken = prepareOnUse(db, 'SELECT missing FROM t');
    expect(prepared).toBe(0);
    expect(insert.run(1).changes).toBe(1);
    insert.run(2);
    expect(prepared).toBe(1);
    expect(select.get(2)).toEqual({ a: 2 });
    expect(select.all(1)).toEqual([{ a: 1 }, { a: 2 }]);
    expect([...select.iterate(0)]).toEqual([{ a: 1 }, { a: 2 }]);
    expect(prepared).toBe(2);
    // An SQL error surfaces on the call, as a prepare error would have at open.
    expect(() => broken.all()).toThrow(/no such column: missing/);
    db.close();
  });
});
