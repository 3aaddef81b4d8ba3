import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { request, runTurn, setupEnv, spawnServer, startThread, type Json } from './helpers.js';

// Reference behaviour (0.169.0, same requests to both servers): `activePermissionProfile` is the built-in
// `{id: ":read-only"}` only while the sandbox is the built-in default, chosen by neither config.toml's `sandbox_mode`
// nor the request's `sandbox`; an explicit sandbox, even `read-only`, answers null (start, fork and resume alike,
// compacted threads included). A loaded thread keeps what it started with.
const READ_ONLY = { id: ':read-only', extends: null };

async function withoutSandboxMode(home: string): Promise<void> {
  const file = path.join(home, 'config.toml');
  writeFileSync(file, readFileSync(file, 'utf8').split('\n').filter((l) => !l.startsWith('sandbox_mode')).join('\n'));
}

describe('activePermissionProfile', () => {
  test('config.toml sets sandbox_mode = "read-only": null everywhere, also after a compaction', async () => {
    const { home } = await setupEnv();
    const mcp = await spawnServer(home);
    const started = await request(mcp, 'thread/start', { model: 'mock-model' });
    expect(started['activePermissionProfile']).toBeNull();
    const threadId = started['thread']['id'];
    await runTurn(mcp, threadId, 'hi');
    await request(mcp, 'thread/compact/start', { threadId });
    await mcp.readStreamUntilNotificationMessage('turn/completed');
    expect((await request(mcp, 'thread/resume', { threadId }))['activePermissionProfile']).toBeNull();
    expect((await request(mcp, 'thread/fork', { threadId }))['activePermissionProfile']).toBeNull();
    await mcp.close();
    // A fresh process resuming it from disk.
    const again = await spawnServer(home);
    expect((await request(again, 'thread/resume', { threadId }))['activePermissionProfile']).toBeNull();
  });

  test('no sandbox_mode in config.toml: the built-in profile, unless the request names a sandbox', async () => {
    const { home } = await setupEnv();
    await withoutSandboxMode(home);
    const mcp = await spawnServer(home);
    const thread: Json = await startThread(mcp);
    const profile = async (method: string, params: Json) => (await request(mcp, method, params))['activePermissionProfile'];
    expect(await profile('thread/start', { model: 'mock-model' })).toEqual(READ_ONLY);
    expect(await profile('thread/start', { model: 'mock-model', sandbox: 'read-only' })).toBeNull();
    expect(await profile('thread/start', { model: 'mock-model', sandbox: 'workspace-write' })).toBeNull();
    await runTurn(mcp, thread['id'], 'hi');
    expect(await profile('thread/resume', { threadId: thread['id'] })).toEqual(READ_ONLY);
    // A loaded thread keeps its settings: the resume's sandbox is not applied.
    expect(await profile('thread/resume', { threadId: thread['id'], sandbox: 'workspace-write' })).toEqual(READ_ONLY);
    expect(await profile('thread/fork', { threadId: thread['id'] })).toEqual(READ_ONLY);
    expect(await profile('thread/fork', { threadId: thread['id'], sandbox: 'read-only' })).toBeNull();
  });
});
