/**
 * The five scenarios of the seed's `thread_archive.rs`, ported to our harness with the same assertions.
 */
import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import Database from 'better-sqlite3';
import { openStateDb, STATE_DB_FILE } from '../../src/state/index.js';
import { silentLogger } from '../../src/support/logger.js';
import { systemClock } from '../../src/support/clock.js';
import { LocalThreadStore } from '../../src/rollout/local-thread-store.js';
import {
  McpProcess,
  createConfigToml,
  createFakeRollout,
  createMockResponsesServerRepeatingAssistant,
  type JsonRpcResponse,
} from '../../src/testing/index.js';
import { tempHome } from '../support/temp-home.js';
import { spawnServer } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ home: string; uri: string }> {
  const server = await createMockResponsesServerRepeatingAssistant('Done');
  const { home, cleanup } = tempHome();
  cleanups.push(cleanup, () => server.close());
  await createConfigToml(home, server.uri);
  return { home, uri: server.uri };
}

async function spawn(home: string): Promise<McpProcess> {
  return spawnServer(home);
}

/** Filesystem-only lookups, as the seed's `find_thread_path_by_id_str(.., None)`. */
function fsStore(home: string): LocalThreadStore {
  return new LocalThreadStore(home, null, { clock: systemClock, log: silentLogger() });
}

type ThreadResult = { thread: { id: string; path: string; status: { type: string } } };

async function startThread(mcp: McpProcess): Promise<ThreadResult['thread']> {
  const id = await mcp.sendThreadStartRequest({ model: 'mock-model' });
  const resp = (await mcp.readStreamUntilResponseMessage(id)) as JsonRpcResponse<ThreadResult>;
  return resp.result.thread;
}

async function runTurn(mcp: McpProcess, threadId: string, text: string): Promise<void> {
  const id = await mcp.sendTurnStartRequest({ threadId, input: [{ type: 'text', text, text_elements: [] }] });
  expectTurnStartResponse(await mcp.readStreamUntilResponseMessage(id));
  await mcp.readStreamUntilNotificationMessage('turn/completed');
}

/**
 * The seed's database state, exactly: `StateRuntime::init` (schema and migrations, no rollout backfill), backfill
 * marked complete, spawn edges written — and no thread rows, so archive takes the seed's path (row missing →
 * filesystem search → read-repair). Our `openStateDb` always backfills, so it opens the home before the rollouts
 * exist (the backfill finds nothing) and the fake rollouts are written afterwards by `writeRollouts`. As in the
 * seed, the connection stays open while the server runs; it is closed when the test ends.
 */
/** The seed's `to_response::<TurnStartResponse>`: a turn, in progress, with an id. */
function expectTurnStartResponse(response: JsonRpcResponse): void {
  expect(response.result).toEqual({ turn: expect.objectContaining({ id: expect.any(String), status: 'inProgress', items: [] }) });
}

async function seedEdges(home: string, writeRollouts: () => Promise<string[]>, edges: (ids: string[]) => [string, string, 'open' | 'closed'][]): Promise<string[]> {
  const db = await openStateDb(home, { clock: systemClock, log: silentLogger() });
  if (!db) throw new Error('state db did not open');
  cleanups.push(() => db.close());
  const ids = await writeRollouts();
  db.markBackfillComplete(null);
  for (const [parent, child, status] of edges(ids)) db.upsertSpawnEdge(parent, child, status);
  // Prove the state before the server starts: edges, backfill complete, no thread rows.
  const raw = new Database(path.join(home, STATE_DB_FILE), { readonly: true });
  try {
    expect({
      threads: raw.prepare('SELECT COUNT(*) AS n FROM threads').get(),
      edges: raw.prepare('SELECT COUNT(*) AS n FROM thread_spawn_edges').get(),
      backfill: raw.prepare('SELECT status FROM backfill_state').get(),
    }).toEqual({ threads: { n: 0 }, edges: { n: edges(ids).length }, backfill: { status: 'complete' } });
  } finally {
    raw.close();
  }
  return ids;
}

/** The server is still running and answering (a "nothing arrived" check proves nothing about a dead server). */
async function expectAlive(mcp: McpProcess): Promise<void> {
  const id = await mcp.sendThreadLoadedListRequest({});
  expect((await mcp.readStreamUntilResponseMessage<{ data: unknown[] }>(id)).result.data).toEqual(expect.any(Array));
}

/** The seed's parent → child → grandchild rollouts, one minute apart. */
async function threeRollouts(home: string): Promise<string[]> {
  return [
    await createFakeRollout(home, '2025-01-01T00-00-00', '2025-01-01T00:00:00Z', 'parent', 'mock_provider'),
    await createFakeRollout(home, '2025-01-01T00-01-00', '2025-01-01T00:01:00Z', 'child', 'mock_provider'),
    await createFakeRollout(home, '2025-01-01T00-02-00', '2025-01-01T00:02:00Z', 'grandchild', 'mock_provider'),
  ];
}

async function archivedIds(mcp: McpProcess, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const n = await mcp.readStreamUntilNotificationMessage<{ threadId: string }>('thread/archived');
    ids.push(n.params.threadId);
  }
  return ids;
}

/** As the seed's `timeout(250 ms, …).is_err()`, but only a timeout counts: a dead server fails the check. */
async function expectNoNotification(mcp: McpProcess, method: string): Promise<void> {
  await mcp.expectNoNotification(method, { timeoutMs: 250 });
  await expectAlive(mcp);
}

describe('thread_archive (seed)', () => {
  test('thread_archive_requires_materialized_rollout', async () => {
    const { home } = await setup();
    const mcp = await spawn(home);
    const thread = await startThread(mcp);
    expect(thread.id).not.toBe('');
    const rolloutPath = thread.path;
    expect(existsSync(rolloutPath)).toBe(false);
    expect(await fsStore(home).find(thread.id, false)).toBeNull();

    const archiveId = await mcp.sendThreadArchiveRequest({ threadId: thread.id });
    const err = await mcp.readStreamUntilErrorMessage(archiveId);
    expect(err.error.message).toContain('no rollout found for thread id');

    await runTurn(mcp, thread.id, 'materialize');
    expect(existsSync(rolloutPath)).toBe(true);
    const discovered = await fsStore(home).find(thread.id, false);
    expect(discovered && realpathSync(discovered)).toBe(realpathSync(rolloutPath));

    const okId = await mcp.sendThreadArchiveRequest({ threadId: thread.id });
    const ok = await mcp.readStreamUntilResponseMessage(okId);
    expect(ok.result).toEqual({});
    const note = await mcp.readStreamUntilNotificationMessage<{ threadId: string }>('thread/archived');
    expect(note.params.threadId).toBe(thread.id);
    const archivedPath = path.join(home, 'archived_sessions', path.basename(rolloutPath));
    expect(existsSync(rolloutPath)).toBe(false);
    expect(existsSync(archivedPath)).toBe(true);
  });

  test('thread_archive_archives_spawned_descendants', async () => {
    const { home } = await setup();
    const [parent, child, grandchild] = (await seedEdges(home, () => threeRollouts(home), ([p, c, g]) => [
      [p!, c!, 'closed'],
      [c!, g!, 'open'],
    ])) as [string, string, string];
    const mcp = await spawn(home);
    const id = await mcp.sendThreadArchiveRequest({ threadId: parent });
    expect((await mcp.readStreamUntilResponseMessage(id)).result).toEqual({});
    expect(await archivedIds(mcp, 3)).toEqual([parent, grandchild, child]);
    for (const t of [parent, child, grandchild]) {
      expect(await fsStore(home).find(t, false)).toBeNull();
      expect(await fsStore(home).find(t, true)).not.toBeNull();
    }
  });

  test('thread_archive_succeeds_when_descendant_archive_fails', async () => {
    const { home } = await setup();
    const [parent, child, grandchild] = (await seedEdges(home, () => threeRollouts(home), ([p, c, g]) => [
      [p!, c!, 'closed'],
      [c!, g!, 'open'],
    ])) as [string, string, string];
    const childPath = await fsStore(home).find(child, false);
    if (!childPath) throw new Error('child rollout missing');
    const conflict = path.join(home, 'archived_sessions', path.basename(childPath));
    mkdirSync(conflict, { recursive: true });

    const mcp = await spawn(home);
    const id = await mcp.sendThreadArchiveRequest({ threadId: parent });
    expect((await mcp.readStreamUntilResponseMessage(id)).result).toEqual({});
    expect(await archivedIds(mcp, 2)).toEqual([parent, grandchild]);
    await expectNoNotification(mcp, 'thread/archived');
    expect(existsSync(childPath)).toBe(true);
    expect(statSync(conflict).isDirectory()).toBe(true);
    for (const t of [parent, grandchild]) {
      expect(await fsStore(home).find(t, false)).toBeNull();
      expect(await fsStore(home).find(t, true)).not.toBeNull();
    }
  });

  test('thread_archive_succeeds_when_spawned_descendant_is_missing', async () => {
    const { home } = await setup();
    const [parent] = (await seedEdges(
      home,
      async () => [await createFakeRollout(home, '2025-01-01T00-00-00', '2025-01-01T00:00:00Z', 'parent', 'mock_provider')],
      ([p]) => [[p!, '00000000-0000-0000-0000-000000000901', 'closed']],
    )) as [string];
    const mcp = await spawn(home);
    const id = await mcp.sendThreadArchiveRequest({ threadId: parent });
    expect((await mcp.readStreamUntilResponseMessage(id)).result).toEqual({});
    const note = await mcp.readStreamUntilNotificationMessage<{ threadId: string }>('thread/archived');
    expect(note.params.threadId).toBe(parent);
    expect(await fsStore(home).find(parent, false)).toBeNull();
    expect(await fsStore(home).find(parent, true)).not.toBeNull();
  });

  test('thread_archive_clears_stale_subscriptions_before_resume', async () => {
    const { home } = await setup();
    const primary = await spawn(home);
    const thread = await startThread(primary);
    await runTurn(primary, thread.id, 'materialize');
    primary.clearMessageBuffer();

    const secondary = await spawn(home);
    // While the primary holds the thread, the secondary cannot take it.
    const blocked = await secondary.sendThreadResumeRequest({ threadId: thread.id });
    expect((await secondary.readStreamUntilErrorMessage(blocked)).error.message).toBe(`thread ${thread.id} already has an active writer`);

    const archiveId = await primary.sendThreadArchiveRequest({ threadId: thread.id });
    expect((await primary.readStreamUntilResponseMessage(archiveId)).result).toEqual({});
    await primary.readStreamUntilNotificationMessage('thread/archived');
    const unarchiveId = await primary.sendThreadUnarchiveRequest({ threadId: thread.id });
    // The seed's `to_response::<ThreadUnarchiveResponse>`: the restored thread.
    const unarchived = (await primary.readStreamUntilResponseMessage(unarchiveId)) as JsonRpcResponse<ThreadResult>;
    expect(unarchived.result.thread).toMatchObject({ id: thread.id, path: thread.path });
    await primary.readStreamUntilNotificationMessage('thread/unarchived');
    primary.clearMessageBuffer();

    const resumeId = await secondary.sendThreadResumeRequest({ threadId: thread.id });
    const resume = (await secondary.readStreamUntilResponseMessage(resumeId)) as JsonRpcResponse<ThreadResult>;
    expect(resume.result.thread.status).toEqual({ type: 'idle' });
    primary.clearMessageBuffer();
    secondary.clearMessageBuffer();

    const turnId = await secondary.sendTurnStartRequest({ threadId: thread.id, input: [{ type: 'text', text: 'secondary turn', text_elements: [] }] });
    expectTurnStartResponse(await secondary.readStreamUntilResponseMessage(turnId));
    await expectNoNotification(primary, 'turn/started');
    await secondary.readStreamUntilNotificationMessage('turn/completed');
  });
});
