/**
 * State DB faults (issue #8): the database corrupt, deleted, read-only, or locked by another process. In each
 * case the server logs a clear warning, keeps serving, and answers from the filesystem with the same
 * results; nothing in the rollouts is lost.
 */
import { chmodSync, chownSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import type { McpProcess } from '../../src/testing/index.js';
import { chownHome, crashSigns, homeWithModel, ok, randomDelayModel, runTurn, spawn, unavailable, unprivileged, type Json } from './harness.js';

const DB = 'state_5.sqlite';

/** Logs the server's warnings for the run report. */
function reportWarnings(label: string, mcp: McpProcess): void {
  const warnings = mcp
    .stderr()
    .split('\n')
    .filter((l) => /"level":[45]0/.test(l))
    .map((l) => String((JSON.parse(l) as Json)['msg']).slice(0, 160));
  process.stderr.write(`[reliability] ${label}: ${warnings.length} warning(s): ${JSON.stringify([...new Set(warnings)])}\n`);
}

/** Every page of `thread/list` as `id → preview`. */
async function listAll(mcp: McpProcess, params: Json = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let cursor: string | null = null;
  do {
    const page = await ok(mcp, 'thread/list', { ...params, limit: 100, ...(cursor ? { cursor } : {}) });
    for (const t of page['data']) out[t['id']] = t['preview'];
    cursor = page['nextCursor'];
  } while (cursor);
  return out;
}

/** A home with two threads of two turns each (written by a first server); returns it and its listing. */
async function seededHome(opts: { spawnOpts?: Parameters<typeof spawn>[1] } = {}): Promise<{ home: string; listing: Record<string, string>; ids: string[] }> {
  const mock = await randomDelayModel(11, { maxDelayMs: 2 });
  const home = await homeWithModel(mock);
  const mcp = await spawn(home, opts.spawnOpts);
  const ids: string[] = [];
  for (const name of ['first', 'second']) {
    const id = (await ok(mcp, 'thread/start', {}))['thread']['id'] as string;
    await runTurn(mcp, id, `${name} thread`);
    await runTurn(mcp, id, `${name} again`);
    ids.push(id);
  }
  const listing = await listAll(mcp);
  await mcp.closeStdin();
  expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
  return { home, listing, ids };
}

/** The server keeps working from the files: same listings (files and "DB only"), reads, resume and a new turn. */
async function expectServesFromFiles(mcp: McpProcess, listing: Record<string, string>, ids: string[]): Promise<void> {
  expect(await listAll(mcp)).toEqual(listing);
  expect(await listAll(mcp, { useStateDbOnly: true })).toEqual(listing);
  for (const threadId of ids) {
    const read = await ok(mcp, 'thread/read', { threadId, includeTurns: true });
    expect(read['thread']['turns'].map((t: Json) => t['status'])).toEqual(['completed', 'completed']);
  }
  await ok(mcp, 'thread/resume', { threadId: ids[0], excludeTurns: true });
  expect((await runTurn(mcp, ids[0]!, 'still works'))['status']).toBe('completed');
  const fresh = (await ok(mcp, 'thread/start', {}))['thread']['id'] as string;
  expect((await runTurn(mcp, fresh, 'a new thread'))['status']).toBe('completed');
  expect(Object.keys(await listAll(mcp))).toContain(fresh);
}

describe('state DB faults', () => {
  test('a corrupt DB: clear warning at start-up, everything served from the files', async () => {
    const { home, listing, ids } = await seededHome();
    for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(home, DB + suffix), { force: true });
    writeFileSync(path.join(home, DB), Buffer.alloc(64 * 1024, 'this is not an sqlite database '));
    const mcp = await spawn(home);
    await mcp.waitForStderr(/state_5\.sqlite|state runtime/);
    expect(mcp.stderr()).toMatch(/"level":40.*(cannot be used|failed to initialize state runtime)/);
    await expectServesFromFiles(mcp, listing, ids);
    reportWarnings('corrupt DB', mcp);
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(crashSigns(mcp.stderr())).toEqual([]);
  });

  test('the DB deleted while the server runs: turns keep working, the next start rebuilds it from the files', async () => {
    const { home, listing, ids } = await seededHome();
    const mcp = await spawn(home);
    for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(home, DB + suffix), { force: true });
    const fresh = (await ok(mcp, 'thread/start', {}))['thread']['id'] as string;
    expect((await runTurn(mcp, fresh, 'after the delete'))['status']).toBe('completed');
    await ok(mcp, 'thread/resume', { threadId: ids[0], excludeTurns: true });
    expect((await runTurn(mcp, ids[0]!, 'old thread after the delete'))['status']).toBe('completed');
    const want = { ...listing, [fresh]: 'after the delete' };
    expect(await listAll(mcp)).toEqual(want);
    reportWarnings('deleted DB', mcp);
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(crashSigns(mcp.stderr())).toEqual([]);

    const next = await spawn(home);
    expect(existsSync(path.join(home, DB))).toBe(true);
    expect(await listAll(next, { useStateDbOnly: true })).toEqual(want);
    expect(await listAll(next)).toEqual(want);
  });

  test('a read-only DB: clear warning, the files answer, nothing is lost', async (ctx) => {
    const who = unprivileged();
    if (!who.ok) return unavailable(ctx, who.reason);
    const { home, listing, ids } = await seededHome();
    chownHome(home, who);
    const dbPath = path.join(home, DB);
    for (const suffix of ['-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
    // Owned by root (or by us) and not writable: the server cannot write it.
    if (process.getuid?.() === 0) chownSync(dbPath, 0, 0);
    chmodSync(dbPath, 0o444);
    const mcp = await spawn(home, { serverBin: who.serverBin });
    await expectServesFromFiles(mcp, listing, ids);
    expect(mcp.stderr()).toMatch(/"level":40.*(state db|state runtime|readonly|read-only)/i);
    reportWarnings('read-only DB', mcp);
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(crashSigns(mcp.stderr(), { allowErrorLogs: true })).toEqual([]);
  });

  test('the DB exclusively locked by another process at start-up: the server starts after the busy timeout and serves from the files', { timeout: 60_000 }, async () => {
    const { home, listing, ids } = await seededHome();
    const holder = new Database(path.join(home, DB), { timeout: 1_000 });
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    holder.prepare("UPDATE backfill_state SET updated_at = updated_at WHERE id = 1").run();
    let mcp: McpProcess;
    try {
      mcp = await spawn(home, { readTimeoutMs: 30_000 });
      await mcp.waitForStderr(/database is locked|SQLITE_BUSY|state runtime/i);
      await expectServesFromFiles(mcp, listing, ids);
    } finally {
      holder.exec('COMMIT');
      holder.close();
    }
    expect(mcp.stderr()).toMatch(/"level":40/);
    reportWarnings('locked DB at start-up', mcp);
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(crashSigns(mcp.stderr())).toEqual([]);
    // The lock gone, the next start lists the thread created meanwhile from the DB too (after its scan repaired it).
    const next = await spawn(home);
    const all = await listAll(next);
    expect(await listAll(next, { useStateDbOnly: true })).toEqual(all);
  });

  test('the DB write-locked by another process during a turn: the turn completes, a warning names the DB failure', { timeout: 60_000 }, async () => {
    const { home, ids } = await seededHome();
    const mcp = await spawn(home, { readTimeoutMs: 30_000 });
    await ok(mcp, 'thread/resume', { threadId: ids[1], excludeTurns: true });
    const holder = new Database(path.join(home, DB), { timeout: 1_000 });
    holder.exec('BEGIN IMMEDIATE');
    let turn: Json;
    try {
      turn = await runTurn(mcp, ids[1]!, 'while the DB is locked', 60_000);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(turn['status']).toBe('completed');
    expect(mcp.stderr()).toMatch(/"level":40.*(database is locked|SQLITE_BUSY)/);
    const read = await ok(mcp, 'thread/read', { threadId: ids[1], includeTurns: true });
    expect(read['thread']['turns'].map((t: Json) => t['status'])).toEqual(['completed', 'completed', 'completed']);
    reportWarnings('write-locked DB during a turn', mcp);
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(crashSigns(mcp.stderr())).toEqual([]);
  });
});
