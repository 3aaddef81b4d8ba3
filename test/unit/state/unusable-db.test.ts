import { chmodSync, closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { openStateDb, STATE_DB_FILE } from '../../../src/state/index.js';
import { systemClock } from '../../../src/support/clock.js';
import { NOBODY, unavailable, unprivileged } from '../../support/unprivileged.js';
import { buildOpenChild, runOpenChild } from './child-process.js';
import { BASE_MS, makeTempHome, recordingLogger, threadIdFor, writeRollout } from './helpers.js';

let childScript = '';

beforeAll(async () => {
  childScript = await buildOpenChild();
});
afterAll(() => rmSync(path.dirname(childScript), { recursive: true, force: true }));

async function openWithWarnings(home: string) {
  const log = recordingLogger();
  const db = await openStateDb(home, { clock: systemClock, log });
  db?.close();
  return { db, warnings: log.warnings };
}

/** A home whose DB was created and backfilled, closed so the WAL is checkpointed into the main file. */
async function homeWithDb(rollouts = 0): Promise<string> {
  const home = makeTempHome();
  for (let i = 0; i < rollouts; i += 1) writeRollout(home, { id: threadIdFor(i), createdAtMs: BASE_MS + i * 1000 });
  const { db } = await openWithWarnings(home);
  expect(db).not.toBeNull();
  return home;
}

/**
 * Runs the child as a user that cannot write `home` (root ignores permission bits, so drop to nobody, who
 * loads its SQLite binding from a readable copy; see test/support/unprivileged.ts).
 */
function openAsReader(home: string, ctx: { skip: (note?: string) => void }) {
  const who = unprivileged();
  if (!who.ok) {
    unavailable(ctx, who.reason);
    return null;
  }
  chmodSync(home, 0o555);
  onTestFinished(() => chmodSync(home, 0o755));
  const uid = process.getuid?.() === 0 ? NOBODY : undefined;
  return runOpenChild(childScript, home, {}, uid);
}

describe('an unusable state DB gives null and a warning', () => {
  test('a file that is not a database', async () => {
    const home = makeTempHome();
    const dbPath = path.join(home, STATE_DB_FILE);
    writeFileSync(dbPath, 'this is certainly not a sqlite database, just some text that is long enough\n'.repeat(100));
    const before = readFileSync(dbPath);
    const { db, warnings } = await openWithWarnings(home);
    expect(db).toBeNull();
    expect(warnings).toEqual([`failed to initialize state runtime at ${home}: file is not a database (SQLITE_NOTADB)`]);
    expect(readFileSync(dbPath)).toEqual(before);
  });

  test('a database whose schema page is corrupt', async () => {
    const home = await homeWithDb();
    const fd = openSync(path.join(home, STATE_DB_FILE), 'r+');
    writeSync(fd, Buffer.alloc(3000, 0xa5), 0, 3000, 100); // page 1 after the 100-byte header: sqlite_master
    closeSync(fd);
    const { db, warnings } = await openWithWarnings(home);
    expect(db).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^failed to initialize state runtime at ${home}: .*(malformed|not a database)`));
  });

  test('a database whose threads pages are corrupt fails the backfill instead of skipping every file', async () => {
    const home = await homeWithDb(300);
    const dbPath = path.join(home, STATE_DB_FILE);
    const raw = new Database(dbPath);
    raw.prepare("UPDATE backfill_state SET status = 'pending', last_watermark = NULL").run();
    raw.close();
    const size = readFileSync(dbPath).length;
    const fd = openSync(dbPath, 'r+');
    // Garble every page after the first few (schema, small tables) — the threads b-tree lives there.
    for (let offset = 16 * 4096; offset < size; offset += 4096) writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, offset);
    closeSync(fd);
    const { db, warnings } = await openWithWarnings(home);
    expect(db).toBeNull();
    expect(warnings.at(-1)).toMatch(/malformed/);
  });

  test('a read-only home with no database yet', async (ctx) => {
    const home = makeTempHome();
    writeRollout(home, { id: threadIdFor(1), createdAtMs: BASE_MS });
    const result = await openAsReader(home, ctx);
    if (!result) return;
    expect(result.ok).toBe(false);
    expect(result.warnings).toEqual([`failed to initialize state runtime at ${home}: unable to open database file (SQLITE_CANTOPEN)`]);
  });

  test('a read-only database file in a read-only home', async (ctx) => {
    const home = await homeWithDb(2);
    chmodSync(path.join(home, STATE_DB_FILE), 0o444);
    const before = readFileSync(path.join(home, STATE_DB_FILE));
    const result = await openAsReader(home, ctx);
    if (!result) return;
    expect(result.ok).toBe(false);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(new RegExp(`^failed to initialize state runtime at ${home}: `));
    expect(readFileSync(path.join(home, STATE_DB_FILE))).toEqual(before);
  });

  test('the child harness itself opens a writable home', async () => {
    const home = makeTempHome();
    writeRollout(home, { id: threadIdFor(1), createdAtMs: BASE_MS });
    const result = await runOpenChild(childScript, home);
    expect(result).toMatchObject({ ok: true, startup: { schema: 'created', backfill: { scanned: 1, upserted: 1, failed: 0 } }, warnings: [] });
  });
});
