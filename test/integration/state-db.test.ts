import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { type McpProcess } from '../../src/testing/index.js';
import { readOnlyServer, unavailable } from '../support/unprivileged.js';
import { request, seedFakeRollouts, runTurn, setupEnv, spawnServer, startThread, type Json } from './helpers.js';

async function listAll(mcp: McpProcess, extra: Json = {}): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await request(mcp, 'thread/list', { limit: 100, ...extra, ...(cursor ? { cursor } : {}) });
    ids.push(...page['data'].map((t: Json) => t['id']));
    cursor = page['nextCursor'];
  } while (cursor);
  return ids;
}

const seedHome = (home: string, count: number): Promise<string[]> => seedFakeRollouts(home, count, '2025-03', '10');

/** File descriptors of a process that point at the state DB's main file. */
function stateDbHandles(pid: number, home: string): number {
  const target = path.join(home, 'state_5.sqlite');
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
    } catch {
      return false;
    }
  }).length;
}

describe('state DB at start-up', () => {
  test('one process holds exactly one state DB connection, opened after backfill', async () => {
    const { home } = await setupEnv();
    await seedHome(home, 30);
    const mcp = await spawnServer(home, { env: { LOG_LEVEL: 'info' } });
    expect(mcp.stderr()).toMatch(/state db backfill scanned=30, upserted=30, failed=0/);
    const thread = await startThread(mcp);
    await runTurn(mcp, thread['id'], 'hello');
    await listAll(mcp, { useStateDbOnly: true });
    expect(stateDbHandles(mcp.pid as number, home)).toBe(1);
  });

  test.for(['corrupt', 'deleted', 'read-only'])('a %s DB: the server starts, warns, and serves the same list from the filesystem', async (fault, ctx) => {
    const { home } = await setupEnv();
    const ids = await seedHome(home, 12);
    const healthy = await spawnServer(home);
    const expected = await listAll(healthy);
    expect([...expected].sort()).toEqual([...ids].sort());
    await healthy.close();
    const db = path.join(home, 'state_5.sqlite');
    for (const suffix of ['-wal', '-shm']) rmSync(db + suffix, { force: true });
    if (fault === 'corrupt') writeFileSync(db, Buffer.alloc(8192, 0x5a));
    if (fault === 'deleted') rmSync(db);
    let serverBin: string | undefined;
    if (fault === 'read-only') {
      // chmod 0444 means nothing to root: bind the file read-only instead (EROFS for everyone, root included).
      const ro = readOnlyServer([db]);
      if (!ro.ok) return unavailable(ctx, ro.reason);
      serverBin = ro.serverBin;
    }
    const before = fault === 'read-only' ? readFileSync(db) : null;
    const mcp = await spawnServer(home, { serverBin });
    if (fault === 'corrupt') expect(mcp.stderr()).toMatch(/cannot be used|continuing without it|failed to initialize state/);
    if (fault === 'read-only') {
      // The warning names the home and SQLite's reason; the server then works from the rollout files alone.
      await mcp.waitForStderr('failed to initialize state runtime');
      expect(mcp.stderr()).toMatch(new RegExp(`"level":40.*failed to initialize state runtime at ${home}: attempt to write a readonly database \\(SQLITE_READONLY\\)`));
    }
    expect(await listAll(mcp)).toEqual(expected);
    const thread = await startThread(mcp);
    await runTurn(mcp, thread['id'], 'still works');
    expect(await listAll(mcp)).toEqual([thread['id'], ...expected]);
    if (fault === 'deleted') expect(existsSync(db)).toBe(true);
    if (fault === 'read-only') {
      // Filesystem path: the listing came from the files (the new thread is not in the untouched DB), and the
      // read-only file is byte for byte what it was.
      await mcp.close();
      expect(readFileSync(db)).toEqual(before);
      const raw = new Database(db, { readonly: true });
      try {
        expect(raw.prepare('SELECT COUNT(*) AS n FROM threads WHERE id = ?').get(thread['id'])).toEqual({ n: 0 });
      } finally {
        raw.close();
      }
    }
  });

  test('eight processes start at once on 2,000 rollouts: one backfill, no lock errors, identical lists', async () => {
    const { home } = await setupEnv();
    const ids = await seedHome(home, 2000);
    // Eight start-ups and one 2,000-file backfill share two busy cores: the read bound only guards against a hang
    // (the test's own timeout is the real limit), it is not a performance assertion.
    const servers = await Promise.all(Array.from({ length: 8 }, () => spawnServer(home, { env: { LOG_LEVEL: 'info' }, readTimeoutMs: 100_000 })));
    const lists = await Promise.all(servers.map((s) => listAll(s)));
    for (const list of lists) expect(list).toEqual(lists[0]);
    expect([...(lists[0] as string[])].sort()).toEqual([...ids].sort());
    const dbLists = await Promise.all(servers.map((s) => listAll(s, { useStateDbOnly: true })));
    for (const list of dbLists) expect(list).toEqual(lists[0]);
    const stderr = servers.map((s) => s.stderr()).join('\n');
    expect(stderr).not.toMatch(/database is locked/i);
    expect(stderr.match(/state db backfill scanned=/g)).toHaveLength(1);
  }, 120_000);
});
