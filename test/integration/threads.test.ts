import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createFakeRollout } from '../../src/testing/index.js';
import { request, requestError, runTurn, setupEnv, spawnServer, startThread, type Json } from './helpers.js';

const UNKNOWN = '01a2ffff-0000-7000-8000-000000000001';

describe('thread lifecycle', () => {
  test('thread/start answers, then thread/started; nothing is written until the first turn', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home);
    const id = await mcp.sendThreadStartRequest({ model: 'mock-model' });
    const resp = await mcp.readStreamUntilResponseMessage<Json>(id);
    const result = resp.result;
    expect(Object.keys(result)).toEqual(['thread', 'model', 'modelProvider', 'serviceTier', 'disabledPluginIds', 'cwd', 'runtimeWorkspaceRoots', 'instructionSources', 'approvalPolicy', 'approvalsReviewer', 'sandbox', 'activePermissionProfile', 'reasoningEffort', 'multiAgentMode']);
    expect(result).toMatchObject({ model: 'mock-model', modelProvider: 'mock_provider', approvalPolicy: 'never', sandbox: { type: 'readOnly', networkAccess: false } });
    const thread = result['thread'];
    expect(thread).toMatchObject({ status: { type: 'idle' }, preview: '', turns: [], ephemeral: false, source: 'vscode', canAcceptDirectInput: true, sessionId: thread['id'], originator: 'codex_app_server_ts_tests' });
    expect(thread['path']).toMatch(new RegExp(`sessions/\\d{4}/\\d{2}/\\d{2}/rollout-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}-${thread['id']}\\.jsonl$`));
    const started = await mcp.readStreamUntilNotificationMessage<Json>('thread/started');
    expect(started.params['thread']).toEqual(thread);
    expect(existsSync(path.join(home, 'sessions'))).toBe(false);
    expect(existsSync(path.join(home, 'thread-writer-locks', `${thread['id']}.lock`))).toBe(true);
  });

  test('ephemeral threads run turns but are never written', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp, { ephemeral: true });
    expect(thread).toMatchObject({ ephemeral: true, path: null });
    await runTurn(mcp, thread['id'], 'hi');
    expect(existsSync(path.join(home, 'sessions'))).toBe(false);
    const read = await request(mcp, 'thread/read', { threadId: thread['id'] });
    expect(read['thread']['preview']).toBe('hi');
    expect((await requestError(mcp, 'thread/archive', { threadId: thread['id'] })).message).toBe(`no rollout found for thread id ${thread['id']}`);
  });

  test('round trip: start → turn → archive → unarchive → resume in a new process → turn → read', async () => {
    const { home } = await setupEnv();
    const first = await spawnServer(home);
    const thread = await startThread(first);
    const threadId: string = thread['id'];
    await runTurn(first, threadId, 'hello');
    expect((await request(first, 'thread/loaded/list', {}))['data']).toEqual([threadId]);

    const archiveId = await first.sendThreadArchiveRequest({ threadId });
    const beforeResponse = await first.readStreamUntilNotificationMessage<Json>('thread/status/changed');
    expect(beforeResponse.params).toEqual({ threadId, status: { type: 'notLoaded' } });
    expect((await first.readStreamUntilResponseMessage(archiveId)).result).toEqual({});
    expect((await first.readStreamUntilNotificationMessage<Json>('thread/archived')).params).toEqual({ threadId });
    expect((await request(first, 'thread/loaded/list', {}))['data']).toEqual([]);
    expect(existsSync(path.join(home, 'thread-writer-locks', `${threadId}.lock`))).toBe(false);
    expect((await requestError(first, 'thread/archive', { threadId })).message).toBe(`no rollout found for thread id ${threadId}`);
    const archivedList = await request(first, 'thread/list', { archived: true });
    expect(archivedList['data'].map((t: Json) => t['id'])).toEqual([threadId]);

    const unarchived = await request(first, 'thread/unarchive', { threadId });
    expect(unarchived['thread']).toMatchObject({ id: threadId, status: { type: 'notLoaded' }, preview: 'hello', turns: [], environments: null, canAcceptDirectInput: null });
    expect(existsSync(thread['path'])).toBe(true);
    expect((await requestError(first, 'thread/unarchive', { threadId })).message).toBe(`no archived rollout found for thread id ${threadId}`);
    await first.close();

    const second = await spawnServer(home);
    const resumed = await request(second, 'thread/resume', { threadId });
    expect(resumed['thread']).toMatchObject({ id: threadId, status: { type: 'idle' }, preview: 'hello' });
    expect(resumed['thread']['turns']).toHaveLength(1);
    await runTurn(second, threadId, 'again');
    const read = await request(second, 'thread/read', { threadId, includeTurns: true });
    const turns = read['thread']['turns'] as Json[];
    expect(turns.map((t) => t['items'].map((i: Json) => i['text'] ?? i['content'][0]['text']))).toEqual([
      ['hello', 'Done'],
      ['again', 'Done'],
    ]);
    expect(read['readState']).toMatchObject({ firstUnread: { type: 'turn', turnId: turns[0]?.['id'] } });
  });

  test('thread/list pages over more than one page with opaque cursors', async () => {
    const { home } = await setupEnv();
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      ids.push(await createFakeRollout(home, `2025-01-0${i + 1}T00-00-00`, `2025-01-0${i + 1}T00:00:00Z`, `preview ${i}`, 'mock_provider', { source: 'vscode' }));
    }
    const mcp = await spawnServer(home);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await request(mcp, 'thread/list', { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page['data'].map((t: Json) => t['id']));
      cursor = page['nextCursor'];
      pages += 1;
      if (page['data'].length) expect(page['readStates'][page['data'][0]['id']]).toBeDefined();
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const dbOnly = await request(mcp, 'thread/list', { limit: 100, useStateDbOnly: true });
    expect(dbOnly['data'].map((t: Json) => t['id'])).toEqual([...ids].reverse());
    expect((await requestError(mcp, 'thread/list', { cursor: 'garbage' })).message).toBe('invalid cursor: garbage');
  });

  test('errors: unknown, malformed and path-traversal ids; unarchive conflicts; empty names', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home);
    expect(await requestError(mcp, 'thread/resume', { threadId: UNKNOWN })).toEqual({ code: -32600, message: `no rollout found for thread id ${UNKNOWN}` });
    expect(await requestError(mcp, 'thread/read', { threadId: UNKNOWN })).toEqual({ code: -32600, message: `thread not loaded: ${UNKNOWN}` });
    expect(await requestError(mcp, 'turn/start', { threadId: UNKNOWN, input: [] })).toEqual({ code: -32600, message: `thread not found: ${UNKNOWN}` });
    expect(await requestError(mcp, 'thread/archive', { threadId: 'not-a-uuid' })).toEqual({
      code: -32600,
      message: 'invalid session id: invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1',
    });
    expect((await requestError(mcp, 'thread/read', { threadId: 'abc' })).message).toBe('invalid thread id: invalid length: expected length 32 for simple format, found 3');
    for (const evil of ['../../../etc/passwd', '/etc/passwd', '..%2F..%2Fetc', `${UNKNOWN}/../../x`]) {
      expect((await requestError(mcp, 'thread/resume', { threadId: evil })).message).toMatch(/^invalid session id: /);
      expect((await requestError(mcp, 'thread/unarchive', { threadId: evil })).message).toMatch(/^invalid session id: /);
    }
    expect((await requestError(mcp, 'thread/name/set', { threadId: UNKNOWN, name: 'x' })).message).toBe(`no rollout found for thread id ${UNKNOWN}`);

    const thread = await startThread(mcp);
    expect((await requestError(mcp, 'thread/name/set', { threadId: thread['id'], name: '' })).message).toBe('thread name must not be empty');
    await runTurn(mcp, thread['id'], 'hello');
    // Loaded here: unarchive is refused as the reference does.
    expect((await requestError(mcp, 'thread/unarchive', { threadId: thread['id'] })).message).toBe(`thread ${thread['id']} already has an active writer`);
    await request(mcp, 'thread/archive', { threadId: thread['id'] });
    // Something already sits where the unarchive would go: refuse, keep both.
    mkdirSync(path.dirname(thread['path']), { recursive: true });
    writeFileSync(thread['path'], 'occupied\n');
    const conflict = await requestError(mcp, 'thread/unarchive', { threadId: thread['id'] });
    expect(conflict.message).toMatch(/already exists/);
    expect(readdirSync(path.join(home, 'archived_sessions'))).toEqual([path.basename(thread['path'])]);
  });

  test('name/set, unsubscribe and read of a loaded thread', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const threadId = thread['id'];
    expect(await request(mcp, 'thread/name/set', { threadId, name: 'My thread' })).toEqual({});
    expect((await mcp.readStreamUntilNotificationMessage<Json>('thread/name/updated')).params).toEqual({ threadId, threadName: 'My thread' });
    const unloadedRead = await request(mcp, 'thread/read', { threadId });
    expect(unloadedRead).toMatchObject({ thread: { id: threadId, name: 'My thread', status: { type: 'idle' } }, readState: null });
    const err = await requestError(mcp, 'thread/read', { threadId, includeTurns: true });
    expect(err).toEqual({ code: -32601, message: 'list_turns is not supported yet' });
    expect(await request(mcp, 'thread/unsubscribe', { threadId })).toEqual({ status: 'unsubscribed' });
    expect(await request(mcp, 'thread/unsubscribe', { threadId })).toEqual({ status: 'notSubscribed' });
    expect(await request(mcp, 'thread/unsubscribe', { threadId: UNKNOWN })).toEqual({ status: 'notLoaded' });
  });

  test('fork copies the source conversation into a new materialised thread', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home);
    const source = await startThread(mcp);
    await runTurn(mcp, source['id'], 'hello');
    const forked = await request(mcp, 'thread/fork', { threadId: source['id'] });
    expect(forked['thread']).toMatchObject({ forkedFromId: source['id'], preview: 'hello' });
    expect(forked['thread']['id']).not.toBe(source['id']);
    expect(existsSync(forked['thread']['path'])).toBe(true);
    expect(forked['thread']['turns']).toHaveLength(1);
    await runTurn(mcp, forked['thread']['id'], 'fork turn');
    const read = await request(mcp, 'thread/read', { threadId: forked['thread']['id'], includeTurns: true });
    expect(read['thread']['turns']).toHaveLength(2);
  });
});

describe('idle unloading', () => {
  test('a thread with no subscriber and no activity is unloaded with thread/closed and its lock released', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home, { env: { CODEX_APP_SERVER_IDLE_UNLOAD_MS: '300' } });
    const kept = await startThread(mcp);
    const dropped = await startThread(mcp);
    await runTurn(mcp, dropped['id'], 'hello');
    expect(await request(mcp, 'thread/unsubscribe', { threadId: dropped['id'] })).toEqual({ status: 'unsubscribed' });
    const closed = await mcp.readStreamUntilNotificationMessage<Json>('thread/closed', { timeoutMs: 5000 });
    expect(closed.params).toEqual({ threadId: dropped['id'] });
    expect((await request(mcp, 'thread/loaded/list', {}))['data']).toEqual([kept['id']]);
    expect(existsSync(path.join(home, 'thread-writer-locks', `${dropped['id']}.lock`))).toBe(false);
    // It can be loaded again at once.
    const resumed = await request(mcp, 'thread/resume', { threadId: dropped['id'] });
    expect(resumed['thread']['status']).toEqual({ type: 'idle' });
  });
});
