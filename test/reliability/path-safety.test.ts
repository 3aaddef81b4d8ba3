/**
 * Path safety (issue #8): thread ids and path-like params (cwd, path, cursor, name, input paths) with `../`,
 * absolute paths, NUL bytes and URL-encoded traversal; and symlinks inside CODEX_HOME pointing outside it.
 * A sibling "outside" directory holding real rollouts is snapshotted (names, sizes, mtimes, modes, content
 * hashes) before and after: nothing there may be created, changed or removed, and no rollout from there may
 * be listed, read or resumed.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createConfigToml, createFakeRollout, type McpProcess } from '../../src/testing/index.js';
import { call, crashSigns, diffSnapshots, ok, randomDelayModel, runTurn, snapshotTree, spawn, tempHome, textInput, type Json } from './harness.js';

interface Sandbox {
  home: string;
  outside: string;
  /** Thread ids of the rollouts outside CODEX_HOME. */
  outsideIds: string[];
  /** Their files. */
  outsideFiles: string[];
}

/** `<base>/home` (CODEX_HOME, with config.toml) next to `<base>/outside` (real rollouts, a secret file). */
async function sandbox(): Promise<Sandbox> {
  const mock = await randomDelayModel(3, { maxDelayMs: 2 });
  const base = await tempHome('cas-paths-');
  const home = path.join(base, 'home');
  const outside = path.join(base, 'outside');
  mkdirSync(home);
  mkdirSync(outside);
  await createConfigToml(home, mock.uri);
  const active = await createFakeRollout(outside, '2025-01-01T00-00-00', '2025-01-01T00:00:00Z', 'outside active', 'mock_provider');
  const archived = await createFakeRollout(outside, '2025-01-02T00-00-00', '2025-01-02T00:00:00Z', 'outside archived', 'mock_provider', { archived: true });
  const loose = await createFakeRollout(outside, '2025-01-03T00-00-00', '2025-01-03T00:00:00Z', 'outside loose', 'mock_provider');
  // An empty date directory of today: where a symlinked sessions/ would put new rollouts.
  const now = new Date().toISOString();
  mkdirSync(path.join(outside, 'sessions', now.slice(0, 4), now.slice(5, 7), now.slice(8, 10)), { recursive: true });
  mkdirSync(path.join(outside, 'empty'));
  writeFileSync(path.join(outside, 'secret.txt'), 'do not touch\n');
  const outsideFiles = [
    path.join(outside, 'sessions/2025/01/01', `rollout-2025-01-01T00-00-00-${active}.jsonl`),
    path.join(outside, 'archived_sessions', `rollout-2025-01-02T00-00-00-${archived}.jsonl`),
    path.join(outside, 'sessions/2025/01/03', `rollout-2025-01-03T00-00-00-${loose}.jsonl`),
  ];
  return { home, outside, outsideIds: [active, archived, loose], outsideFiles };
}

/** No successful answer and no notification names an outside thread id. */
function expectNoOutsideThreads(mcp: McpProcess, sb: Sandbox): void {
  const leaks: string[] = [];
  for (const line of mcp.allStdoutLines()) {
    const m = JSON.parse(line) as Json;
    if (m['error']) continue; // error texts echo the id the client sent
    for (const id of sb.outsideIds) if (line.includes(id)) leaks.push(`${id} in ${line.slice(0, 300)}`);
  }
  expect(leaks).toEqual([]);
}

/** Every list view (files, DB, archived), all answered without an outside thread. */
async function listEverything(mcp: McpProcess): Promise<string[]> {
  const ids: string[] = [];
  for (const params of [{}, { useStateDbOnly: true }, { archived: true }, { archived: true, useStateDbOnly: true }, { sortKey: 'updated_at' }]) {
    ids.push(...(await ok(mcp, 'thread/list', { ...params, limit: 100 }))['data'].map((t: Json) => t['id'] as string));
  }
  return ids;
}

/** Drives every id- and path-taking method at the outside threads; returns the answers. */
async function probe(mcp: McpProcess, sb: Sandbox): Promise<Json[]> {
  const answers: Json[] = [];
  const send = async (method: string, params: unknown): Promise<void> => {
    const id = await mcp.sendRequest(method, params);
    answers.push((await mcp.readStreamUntil((m) => 'id' in m && m.id === id && !('method' in m), `answer ${method}`)) as Json);
  };
  for (const threadId of sb.outsideIds) {
    await send('thread/read', { threadId, includeTurns: true });
    await send('thread/resume', { threadId });
    await send('thread/fork', { threadId });
    await send('thread/unarchive', { threadId });
    await send('thread/archive', { threadId });
    await send('thread/name/set', { threadId, name: 'renamed from inside' });
  }
  return answers;
}

describe('path safety: hostile params', () => {
  test('ids and path-like params with traversal, absolute paths, NUL and URL-encoding are rejected or contained', async () => {
    const sb = await sandbox();
    const before = snapshotTree(sb.outside);
    // cwd = CODEX_HOME, so a relative `../outside` resolves to the real outside directory.
    const mcp = await spawn(sb.home, { cwd: sb.home });
    const real = (await ok(mcp, 'thread/start', {}))['thread']['id'] as string;
    await runTurn(mcp, real, 'a real thread');

    const [outsideActive] = sb.outsideIds as [string];
    const hostileIds = [
      '../outside',
      '../../outside/sessions',
      sb.outside,
      '/etc/passwd',
      'a\u0000b',
      `${real}\u0000`,
      `${real}/../../outside`,
      `../${real}`,
      `${outsideActive}/..`,
      '%2e%2e%2foutside',
      '..%2F..%2Foutside%2Fsessions',
      `urn:uuid:..%2F${real.slice(9)}`,
      `{../${real.slice(3)}}`,
      '.',
      '',
    ];
    const byIdMethods: [string, (threadId: string) => Json][] = [
      ['thread/read', (threadId) => ({ threadId, includeTurns: true })],
      ['thread/resume', (threadId) => ({ threadId })],
      ['thread/fork', (threadId) => ({ threadId })],
      ['thread/archive', (threadId) => ({ threadId })],
      ['thread/unarchive', (threadId) => ({ threadId })],
      ['thread/name/set', (threadId) => ({ threadId, name: 'x' })],
      ['thread/unsubscribe', (threadId) => ({ threadId })],
      ['turn/start', (threadId) => ({ threadId, input: textInput('x') })],
      ['turn/interrupt', (threadId) => ({ threadId, turnId: '../x' })],
    ];
    for (const id of hostileIds) {
      for (const [method, params] of byIdMethods) {
        const id2 = await mcp.sendRequest(method, params(id));
        const answer = (await mcp.readStreamUntil((m) => 'id' in m && m.id === id2 && !('method' in m), `${method} ${JSON.stringify(id)}`)) as Json;
        // Only unsubscribe may succeed (it reports `notLoaded`); everything else is an id error.
        if (method === 'thread/unsubscribe' && answer['result']) expect(answer['result']).toEqual({ status: 'notLoaded' });
        else expect(answer['error']?.['code'], `${method} ${JSON.stringify(id)} → ${JSON.stringify(answer)}`).toBe(-32600);
      }
    }

    // Path-like params: accepted as data or rejected, never followed.
    const cursors = ['../outside', `2025-01-01T00:00:00Z|../../outside`, `2025-01-01T00:00:00Z|${sb.outside}`, '\u0000', '%2e%2e%2f', `9999-12-31T00:00:00Z|${outsideActive}/..`];
    for (const cursor of cursors) {
      expect((await mcp.readStreamUntilErrorMessage(await mcp.sendRequest('thread/list', { cursor }))).error.message).toBe(`invalid cursor: ${cursor}`);
      expect((await mcp.readStreamUntilErrorMessage(await mcp.sendRequest('thread/loaded/list', { cursor }))).error.message).toBe(`invalid cursor: ${cursor}`);
    }
    const cwds = ['../outside', sb.outside, path.join(sb.outside, 'sessions'), 'a\u0000b', '%2e%2e%2foutside', '/'];
    // A cwd filter matches threads of the home only (none has these cwds yet).
    for (const cwd of cwds) expect((await ok(mcp, 'thread/list', { cwd }))['data']).toEqual([]);
    for (const cwd of cwds) {
      // A thread may *run* in any cwd (the reference does not check it); nothing is written there.
      const t = (await ok(mcp, 'thread/start', { cwd }))['thread'];
      expect(t['path'].startsWith(`${sb.home}/sessions/`)).toBe(true);
      expect((await runTurn(mcp, t['id'], `in ${cwd}`))['status']).toBe('completed');
    }
    for (const name of ['../../outside/renamed', sb.outside, 'a\u0000b', '%2e%2e%2f']) {
      expect(await ok(mcp, 'thread/name/set', { threadId: real, name })).toEqual({});
    }
    // `path` on resume names a file; it must not make the server adopt a rollout outside the home.
    for (const p of [sb.outsideFiles[0], `../outside/sessions/2025/01/01/${path.basename(sb.outsideFiles[0]!)}`]) {
      const id = await mcp.sendRequest('thread/resume', { threadId: outsideActive, path: p });
      expect((await mcp.readStreamUntilErrorMessage(id)).error.message).toBe(`no rollout found for thread id ${outsideActive}`);
    }
    // Input items naming outside files are data for the model, never opened by the server.
    const withPaths = [
      { type: 'localImage', path: path.join(sb.outside, 'sessions/2025/01/01') },
      { type: 'localAudio', path: path.join(sb.outside, 'secret.txt') },
      { type: 'mention', name: 'm', path: '../outside/secret.txt' },
      { type: 'skill', name: 's', path: path.join(sb.outside, 'empty') },
    ];
    const turnId = (await ok(mcp, 'turn/start', { threadId: real, input: withPaths }))['turn']['id'];
    await mcp.readStreamUntil((m) => 'method' in m && m.method === 'turn/completed' && (m as Json)['params']['turn']['id'] === turnId, 'turn with path inputs');

    const probed = await probe(mcp, sb);
    expect(probed.filter((a) => a['result'])).toEqual([]);
    expect(await listEverything(mcp)).not.toEqual(expect.arrayContaining([expect.stringMatching(sb.outsideIds.join('|'))]));
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expectNoOutsideThreads(mcp, sb);
    expect(diffSnapshots(before, snapshotTree(sb.outside))).toEqual([]);
  });
});

/** Symlink layouts inside CODEX_HOME that lead outside it. */
const SYMLINKS: { name: string; make: (sb: Sandbox) => void }[] = [
  { name: '`sessions` is a symlink to a directory outside', make: (sb) => symlinkSync(path.join(sb.outside, 'sessions'), path.join(sb.home, 'sessions')) },
  {
    name: '`archived_sessions` is a symlink to a directory outside',
    make: (sb) => symlinkSync(path.join(sb.outside, 'archived_sessions'), path.join(sb.home, 'archived_sessions')),
  },
  {
    name: 'date directories (an old one and today’s) are symlinks to directories outside',
    make: (sb) => {
      mkdirSync(path.join(sb.home, 'sessions/2025/01'), { recursive: true });
      symlinkSync(path.join(sb.outside, 'sessions/2025/01/01'), path.join(sb.home, 'sessions/2025/01/01'));
      const now = new Date().toISOString();
      mkdirSync(path.join(sb.home, 'sessions', now.slice(0, 4), now.slice(5, 7)), { recursive: true });
      symlinkSync(path.join(sb.outside, 'sessions', now.slice(0, 4), now.slice(5, 7), now.slice(8, 10)), path.join(sb.home, 'sessions', now.slice(0, 4), now.slice(5, 7), now.slice(8, 10)));
    },
  },
  {
    name: 'a rollout file is a symlink to a rollout outside',
    make: (sb) => {
      const file = sb.outsideFiles[2]!;
      mkdirSync(path.join(sb.home, 'sessions/2025/01/03'), { recursive: true });
      symlinkSync(file, path.join(sb.home, 'sessions/2025/01/03', path.basename(file)));
    },
  },
];

/**
 * Symlinks under `sessions/` and `archived_sessions/` are never followed out of CODEX_HOME (src/rollout/contained.ts):
 * rollouts outside are not listed, read, resumed or moved, and no rollout is written through a link.
 */
describe('path safety: symlinks inside CODEX_HOME pointing outside', () => {
  for (const layout of SYMLINKS) {
    test(`${layout.name}: nothing outside is listed, read, resumed or written`, async () => {
      const sb = await sandbox();
      layout.make(sb);
      const before = snapshotTree(sb.outside);
      // The start-up backfill walks the home too.
      const mcp = await spawn(sb.home, { cwd: sb.home });
      const listedOutside = (await listEverything(mcp)).filter((id) => sb.outsideIds.includes(id));
      const probedOutside = (await probe(mcp, sb)).filter((a) => a['result']).map((a) => JSON.stringify(a).slice(0, 160));

      // New work: a thread's rollout, archive and unarchive must stay inside the home (or fail cleanly).
      const thread = (await ok(mcp, 'thread/start', {}))['thread']['id'] as string;
      const turn = await runTurn(mcp, thread, 'write somewhere safe');
      const archive = await call(mcp, 'thread/archive', { threadId: thread });
      const unarchive = await call(mcp, 'thread/unarchive', { threadId: thread });
      await mcp.closeStdin();
      const exit = await mcp.waitForExit({ timeoutMs: 20_000 });
      expect({
        listedOutside,
        probedOutside,
        outsideChanges: diffSnapshots(before, snapshotTree(sb.outside)),
        exit,
      }).toEqual({ listedOutside: [], probedOutside: [], outsideChanges: [], exit: { code: 0, signal: null } });
      expectNoOutsideThreads(mcp, sb);
      // A clean refusal is fine; a crash is not.
      expect(['completed', 'failed']).toContain(turn['status']);
      for (const answer of [archive, unarchive]) if (answer.error) expect([-32600, -32603]).toContain(answer.error.code);
      expect(crashSigns(mcp.stderr(), { allowErrorLogs: true })).toEqual([]);
    });
  }
});
