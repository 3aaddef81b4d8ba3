/**
 * I/O faults (issue #8): the disk filling up (ENOSPC on a tiny tmpfs, EFBIG through RLIMIT_FSIZE) and
 * permission errors while a thread appends; the model endpoint down, slow, or dropping mid-stream; the
 * client closing the server's stdout (EPIPE) or its stdin mid-turn. Each time: a clear error to the client
 * or a clean exit, the server alive where it should be, and every line written before intact.
 */
import { execFileSync, spawn as spawnChild } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import {
  createConfigToml,
  createFakeRollout,
  createMockResponsesServer,
  dropConnection,
  evAssistantMessage,
  evCompleted,
  evCreated,
  evMessageAdded,
  evOutputTextDelta,
  httpResponse,
  repeatingAssistantEvents,
  sseResponse,
  type McpProcess,
  type MockResponse,
} from '../../src/testing/index.js';
import { checkRollout, chownHome, completedTurnIds, crashSigns, ok, runTurn, serverEntry, spawn, Tail, tempHome, textInput, unavailable, unprivileged, type Json } from './harness.js';

/** A mock model whose answers the test switches at will (default: a normal one-message answer). */
async function switchableModel(): Promise<{ uri: string; next: (r: (n: number) => MockResponse) => void }> {
  let answer: (n: number) => MockResponse = (n) => sseResponse(repeatingAssistantEvents('Done', n));
  const mock = await createMockResponsesServer((_req, n) => answer(n));
  onTestFinished(() => mock.close());
  return { uri: mock.uri, next: (r) => (answer = r) };
}

/** Starts a turn and returns the messages up to its `turn/completed`. */
async function turnMessages(mcp: McpProcess, threadId: string, text: string): Promise<{ turn: Json; error: Json | null; statuses: string[] }> {
  const tail = new Tail(mcp);
  const from = tail.all().length;
  const turnId = (await ok(mcp, 'turn/start', { threadId, input: textInput(text) }))['turn']['id'];
  const done = await tail.waitFor('turn/completed', (m) => m['method'] === 'turn/completed' && m['params']['turn']['id'] === turnId, { from, timeoutMs: 30_000 });
  const during = tail.all().slice(from);
  const error = during.find((m) => m['method'] === 'error' && m['params']['turnId'] === turnId && m['params']['willRetry'] === false) ?? null;
  const statuses = during.filter((m) => m['method'] === 'thread/status/changed' && m['params']['threadId'] === threadId).map((m) => m['params']['status']['type']);
  return { turn: done['params']['turn'], error: error ? error['params'] : null, statuses };
}

/** A failed turn as SPEC §6 shapes it: `error` (willRetry false), systemError, turn/completed failed with the same error. */
function expectFailedTurn(t: Awaited<ReturnType<typeof turnMessages>>, message: string | RegExp, codexErrorInfo: unknown = 'other'): void {
  expect(t.turn['status']).toBe('failed');
  expect(t.turn['error']).toEqual({ message: typeof message === 'string' ? message : expect.stringMatching(message), codexErrorInfo, additionalDetails: null, misalignment: null });
  expect(t.error).toEqual({ error: t.turn['error'], willRetry: false, threadId: expect.any(String), turnId: t.turn['id'] });
  expect(t.statuses).toEqual(['active', 'systemError']);
}

/** The rollout is readable; returns the completed turn ids it records. */
function expectReadable(file: string, allowedBad: Set<number> = new Set()): { completed: string[]; tornTailAt: number | null; check: ReturnType<typeof checkRollout> } {
  const check = checkRollout(file, allowedBad);
  expect(check.problems, file).toEqual([]);
  return { completed: completedTurnIds(check.lines), tornTailAt: check.tornTailAt, check };
}

function canMountTmpfs(): string | null {
  if (process.getuid?.() !== 0) return 'not root: cannot mount a tmpfs';
  const probe = mkdtempSync(path.join(tmpdir(), 'cas-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return null;
  } catch (error) {
    return `mount -t tmpfs failed here (${(error as Error).message.split('\n')[0]})`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Fills the filesystem holding `dir` until it has no free block left; returns the filler file. */
function fillUp(dir: string): string {
  const filler = path.join(dir, 'filler.bin');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(4096, 0x78);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return filler;
}

describe('disk full while appending', () => {
  test('ENOSPC on a tiny tmpfs mid-session: the turn fails clearly, the server survives, earlier lines stay intact, the next turn works once space is back', async (ctx) => {
    const why = canMountTmpfs();
    if (why) return ctx.skip(why);
    const model = await switchableModel();
    const home = await tempHome();
    await createConfigToml(home, model.uri);
    const mcp = await spawn(home);
    const thread = (await ok(mcp, 'thread/start', {}))['thread'];
    const dateDir = path.dirname(thread['path']);
    mkdirSync(dateDir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dateDir]);
    try {
      const first = await turnMessages(mcp, thread['id'], 'fits on the disk');
      expect(first.turn['status']).toBe('completed');
      const filler = fillUp(dateDir);
      // Long enough that the turn's lines cannot fit in the slack of the file's last page.
      model.next((n) => sseResponse([evCreated(`r${n}`), ...evAssistantMessage(`m${n}`, 'x'.repeat(20_000)), evCompleted(`r${n}`)]));
      const full = await turnMessages(mcp, thread['id'], 'the disk is full');
      expectFailedTurn(full, /ENOSPC|no space left/i);
      expect((await ok(mcp, 'model/list', {}))['data'].length).toBeGreaterThan(0);
      const afterFailure = expectReadable(thread['path']);
      expect(afterFailure.completed).toEqual([first.turn['id']]);

      rmSync(filler);
      model.next((n) => sseResponse(repeatingAssistantEvents('Done', n)));
      const again = await turnMessages(mcp, thread['id'], 'space is back');
      expect(again.turn['status']).toBe('completed');
      await mcp.closeStdin();
      expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
      const final = expectReadable(thread['path'], new Set(afterFailure.tornTailAt === null ? [] : [afterFailure.tornTailAt]));
      expect(final.completed).toEqual([first.turn['id'], again.turn['id']]);
      expect(final.tornTailAt).toBeNull();
      expect(crashSigns(mcp.stderr(), { allowErrorLogs: true })).toEqual([]);
    } finally {
      await mcp.close();
      execFileSync('umount', ['-l', dateDir]);
    }
  });

  test('ENOSPC at the very first turn: the turn fails clearly; once space is back the thread materialises with its session_meta', async (ctx) => {
    const why = canMountTmpfs();
    if (why) return ctx.skip(why);
    const model = await switchableModel();
    const home = await tempHome();
    await createConfigToml(home, model.uri);
    const mcp = await spawn(home);
    const thread = (await ok(mcp, 'thread/start', {}))['thread'];
    const dateDir = path.dirname(thread['path']);
    mkdirSync(dateDir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dateDir]);
    try {
      const filler = fillUp(dateDir);
      expectFailedTurn(await turnMessages(mcp, thread['id'], 'no room at all'), /ENOSPC|no space left/i);
      rmSync(filler);
      const again = await turnMessages(mcp, thread['id'], 'room again');
      expect(again.turn['status']).toBe('completed');
      await mcp.closeStdin();
      expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
      const file = expectReadable(thread['path']);
      expect(file.completed).toEqual([again.turn['id']]);
      const next = await spawn(home);
      expect((await ok(next, 'thread/read', { threadId: thread['id'], includeTurns: true }))['thread']['preview']).toBe('room again');
      await next.close();
    } finally {
      await mcp.close();
      execFileSync('umount', ['-l', dateDir]);
    }
  });

  test('EFBIG (RLIMIT_FSIZE) while appending: the turn fails clearly, earlier lines stay intact, a later process continues the thread', async (ctx) => {
    const prlimit = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));
    if (!prlimit) return ctx.skip('prlimit is not installed');
    const model = await switchableModel();
    const home = await tempHome();
    await createConfigToml(home, model.uri);
    const first = await spawn(home);
    const thread = (await ok(first, 'thread/start', {}))['thread'];
    const firstTurn = await turnMessages(first, thread['id'], 'before the limit');
    await first.closeStdin();
    await first.waitForExit();

    // A server whose files may not grow past the rollout's size plus a little.
    const limit = statSync(thread['path']).size + 600;
    const dir = mkdtempSync(path.join(tmpdir(), 'cas-fsize-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const wrapper = path.join(dir, 'server-with-fsize.sh');
    const cli = serverEntry();
    writeFileSync(wrapper, `#!/bin/sh\nexec ${prlimit} --fsize=${limit} -- "${process.execPath}" "${cli}" "$@"\n`, { mode: 0o755 });
    const limited = await spawn(home, { serverBin: wrapper });
    await ok(limited, 'thread/resume', { threadId: thread['id'], excludeTurns: true });
    const big = await turnMessages(limited, thread['id'], 'past the limit');
    expectFailedTurn(big, /EFBIG|file too large/i);
    expect((await ok(limited, 'model/list', {}))['data'].length).toBeGreaterThan(0);
    await limited.closeStdin();
    expect(await limited.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(crashSigns(limited.stderr(), { allowErrorLogs: true })).toEqual([]);
    const afterFailure = expectReadable(thread['path']);
    expect(afterFailure.completed).toEqual([firstTurn.turn['id']]);

    const next = await spawn(home);
    await ok(next, 'thread/resume', { threadId: thread['id'], excludeTurns: true });
    const again = await turnMessages(next, thread['id'], 'no limit any more');
    expect(again.turn['status']).toBe('completed');
    await next.closeStdin();
    await next.waitForExit();
    const final = expectReadable(thread['path'], new Set(afterFailure.tornTailAt === null ? [] : [afterFailure.tornTailAt]));
    expect(final.completed).toEqual([firstTurn.turn['id'], again.turn['id']]);
  });
});

describe('permission errors', () => {
  test('a read-only date directory before the first turn: the turn fails clearly; once writable the thread materialises normally', async (ctx) => {
    const who = unprivileged();
    if (!who.ok) return unavailable(ctx, who.reason);
    const model = await switchableModel();
    const home = await tempHome();
    await createConfigToml(home, model.uri);
    chownHome(home, who);
    const mcp = await spawn(home, { serverBin: who.serverBin });
    const thread = (await ok(mcp, 'thread/start', {}))['thread'];
    const dateDir = path.dirname(thread['path']);
    mkdirSync(dateDir, { recursive: true });
    chownHome(path.join(home, 'sessions'), who);
    chownSync(dateDir, 0, 0);
    chmodSync(dateDir, 0o555);
    const denied = await turnMessages(mcp, thread['id'], 'cannot write');
    expectFailedTurn(denied, /EACCES|permission denied/i);
    expect(existsSync(thread['path'])).toBe(false);

    chownSync(dateDir, who.uid, who.gid);
    chmodSync(dateDir, 0o755);
    const allowed = await turnMessages(mcp, thread['id'], 'can write again');
    expect(allowed.turn['status']).toBe('completed');
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(expectReadable(thread['path']).completed).toEqual([allowed.turn['id']]);
    expect(crashSigns(mcp.stderr(), { allowErrorLogs: true })).toEqual([]);
  });

  test('a rollout made read-only mid-session: the open writer keeps appending; a later process fails the turn clearly and loses nothing', async (ctx) => {
    const who = unprivileged();
    if (!who.ok) return unavailable(ctx, who.reason);
    const model = await switchableModel();
    const home = await tempHome();
    await createConfigToml(home, model.uri);
    chownHome(home, who);
    const mcp = await spawn(home, { serverBin: who.serverBin });
    const thread = (await ok(mcp, 'thread/start', {}))['thread'];
    const t1 = await turnMessages(mcp, thread['id'], 'one');
    chownSync(thread['path'], 0, 0);
    chmodSync(thread['path'], 0o444);
    // Contained: the file was opened before the change, so this turn's lines still land.
    const t2 = await turnMessages(mcp, thread['id'], 'two');
    expect(t2.turn['status']).toBe('completed');
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });

    const next = await spawn(home, { serverBin: who.serverBin });
    await ok(next, 'thread/resume', { threadId: thread['id'], excludeTurns: true });
    const t3 = await turnMessages(next, thread['id'], 'three');
    expectFailedTurn(t3, /EACCES|permission denied/i);
    const read = await ok(next, 'thread/read', { threadId: thread['id'], includeTurns: true });
    expect(read['thread']['turns'].slice(0, 2).map((t: Json) => t['status'])).toEqual(['completed', 'completed']);
    // Writable again: the same loaded thread appends on the next turn.
    chownSync(thread['path'], who.uid, who.gid);
    chmodSync(thread['path'], 0o644);
    const t4 = await turnMessages(next, thread['id'], 'four');
    expect(t4.turn['status']).toBe('completed');
    await next.closeStdin();
    expect(await next.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(expectReadable(thread['path']).completed).toEqual([t1.turn['id'], t2.turn['id'], t4.turn['id']]);
    expect(crashSigns(next.stderr(), { allowErrorLogs: true })).toEqual([]);
  });

  test('archived_sessions not writable: archive fails with a clear error and the thread stays usable', async (ctx) => {
    const who = unprivileged();
    if (!who.ok) return unavailable(ctx, who.reason);
    const model = await switchableModel();
    const home = await tempHome();
    await createConfigToml(home, model.uri);
    mkdirSync(path.join(home, 'archived_sessions'));
    chownHome(home, who);
    chownSync(path.join(home, 'archived_sessions'), 0, 0);
    chmodSync(path.join(home, 'archived_sessions'), 0o555);
    const mcp = await spawn(home, { serverBin: who.serverBin });
    const thread = (await ok(mcp, 'thread/start', {}))['thread'];
    const t1 = await turnMessages(mcp, thread['id'], 'one');
    const archived = await mcp.readStreamUntilErrorMessage(await mcp.sendThreadArchiveRequest({ threadId: thread['id'] }));
    expect(archived.error.message).toMatch(/EACCES|permission denied/i);
    expect(existsSync(thread['path'])).toBe(true);
    // Still usable: (re)load it and take a turn.
    await ok(mcp, 'thread/resume', { threadId: thread['id'], excludeTurns: true });
    const t2 = await turnMessages(mcp, thread['id'], 'two');
    expect(t2.turn['status']).toBe('completed');
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(expectReadable(thread['path']).completed).toEqual([t1.turn['id'], t2.turn['id']]);
    expect(crashSigns(mcp.stderr(), { allowErrorLogs: true })).toEqual([]);
  });
});

describe('model endpoint faults', () => {
  /** A TCP front for the mock that can refuse connections (down) and come back on the same port. */
  async function frontDoor(targetUri: string): Promise<{ uri: string; down: () => Promise<void>; up: () => Promise<void> }> {
    const target = new URL(targetUri);
    const sockets = new Set<net.Socket>();
    let server: net.Server | null = null;
    let port = 0;
    const up = async (): Promise<void> => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
      port = (server!.address() as net.AddressInfo).port;
    };
    const down = async (): Promise<void> => {
      const s = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    };
    await up();
    onTestFinished(down);
    return { uri: `http://127.0.0.1:${port}`, down, up };
  }

  test('down, slow, dropping, cut short, failing: each turn fails with the reference error shape and the thread takes the next turn', async () => {
    const model = await switchableModel();
    const door = await frontDoor(model.uri);
    const home = await tempHome();
    await createConfigToml(home, door.uri, { streamIdleTimeoutMs: 800 });
    const mcp = await spawn(home);
    const thread = (await ok(mcp, 'thread/start', {}))['thread'];
    const id = thread['id'] as string;
    const healthy = async (label: string): Promise<void> => {
      model.next((n) => sseResponse(repeatingAssistantEvents('Done', n)));
      const t = await turnMessages(mcp, id, `healthy after ${label}`);
      expect(t.turn['status'], label).toBe('completed');
      expect(t.statuses).toEqual(['active', 'idle']);
    };
    await healthy('start');

    await door.down();
    expectFailedTurn(await turnMessages(mcp, id, 'endpoint down'), `stream disconnected before completion: error sending request for url (${door.uri}/v1/responses)`);
    await door.up();
    await healthy('down');

    // Slow but within the idle timeout: fine. Slower than the idle timeout: a clear failure.
    model.next((n) => sseResponse(repeatingAssistantEvents('slow', n), { delayBetweenEventsMs: 100 }));
    expect((await turnMessages(mcp, id, 'slow')).turn['status']).toBe('completed');
    model.next((n) => sseResponse(repeatingAssistantEvents('too slow', n), { delayBetweenEventsMs: 2_500 }));
    expectFailedTurn(await turnMessages(mcp, id, 'too slow'), 'stream disconnected before completion: idle timeout waiting for SSE');
    await healthy('too slow');

    model.next((n) => sseResponse(repeatingAssistantEvents('cut', n), { dropAfterEvents: 3 }));
    expectFailedTurn(await turnMessages(mcp, id, 'dropped mid-stream'), 'stream disconnected before completion: Transport error: network error: error decoding response body');
    await healthy('drop');

    model.next(() => dropConnection());
    expectFailedTurn(await turnMessages(mcp, id, 'dropped before answering'), /^stream disconnected before completion: /);
    await healthy('drop before answer');

    model.next((n) => sseResponse([evCreated(`r${n}`), evMessageAdded(`m${n}`), evOutputTextDelta(`m${n}`, 'partial')]));
    expectFailedTurn(await turnMessages(mcp, id, 'cut short'), 'stream disconnected before completion: stream closed before response.completed');
    await healthy('cut short');

    model.next(() => httpResponse(500, { error: { message: 'boom' } }));
    expectFailedTurn(await turnMessages(mcp, id, 'http 500'), 'We’re currently experiencing high demand, which may cause temporary errors.', 'internalServerError');
    await healthy('500');

    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(crashSigns(mcp.stderr(), { allowErrorLogs: true })).toEqual([]);
    const file = expectReadable(thread['path']);
    expect(file.completed).toHaveLength(8);
    expect(file.tornTailAt).toBeNull();
  });
});

describe('the client goes away', () => {
  /** A model that streams a long answer slowly (so the client can leave mid-turn). */
  async function slowModel(): Promise<string> {
    const deltas = Array.from({ length: 400 }, (_, i) => evOutputTextDelta('m1', `d${i} `));
    const mock = await createMockResponsesServer((_req, n) => sseResponse([evCreated(`r${n}`), evMessageAdded('m1'), ...deltas, evCompleted(`r${n}`)], { delayBetweenEventsMs: 10 }));
    onTestFinished(() => mock.close());
    return mock.uri;
  }

  test('stdout closed by the client mid-turn (EPIPE): the server exits 0 without a crash trace; the rollout is whole', async () => {
    const home = await tempHome();
    await createConfigToml(home, await slowModel());
    const child = spawnChild(process.execPath, [serverEntry(), 'app-server'], {
      env: { ...process.env, CODEX_HOME: home },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    onTestFinished(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let out = '';
    let rolloutPath = '';
    const closedOutput = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const started = /"id":2,"result":\{"thread":\{"id":"([^"]+)".*?"path":"([^"]+)"/.exec(out);
        if (started && !rolloutPath) {
          rolloutPath = started[2]!;
          child.stdin.write(`${JSON.stringify({ id: 3, method: 'turn/start', params: { threadId: started[1], input: textInput('talk slowly') } })}\n`);
        }
        if (out.includes('item/agentMessage/delta')) {
          child.stdout.destroy();
          resolve();
        }
      });
    });
    child.stdin.write(`${JSON.stringify({ id: 1, method: 'initialize', params: { clientInfo: { name: 'epipe', title: null, version: '1' } } })}\n`);
    child.stdin.write(`${JSON.stringify({ id: 2, method: 'thread/start', params: {} })}\n`);
    await closedOutput;
    // The client keeps stdin open: losing stdout alone must end the server.
    const exit = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running after 10 s'), 10_000))]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(crashSigns(stderr, { allowErrorLogs: true })).toEqual([]);
    const file = expectReadable(rolloutPath);
    expect(file.tornTailAt).toBeNull();
    expect(file.check.lines.at(-1)!['payload']['type']).toBe('turn_aborted');
  });

  test('requests still running at EOF are answered before the exit (and the DB is not closed under them)', async () => {
    const home = await tempHome();
    await createConfigToml(home, 'http://127.0.0.1:9');
    // Big rollouts: a filesystem listing that matches none of them reads them all (global scope, not queued).
    const filler = JSON.stringify({ timestamp: '2025-01-01T00:00:00.000Z', type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'y'.repeat(400) }] } });
    for (let i = 0; i < 20; i += 1) {
      const ts = `2025-01-01T00-00-${String(i).padStart(2, '0')}`;
      const id = await createFakeRollout(home, ts, `2025-01-01T00:00:${String(i).padStart(2, '0')}Z`, `big thread ${i}`, 'mock_provider');
      appendFileSync(path.join(home, 'sessions/2025/01/01', `rollout-${ts}-${id}.jsonl`), `${filler}\n`.repeat(5_000));
    }
    const mcp = await spawn(home);
    const burst = [
      { id: 'slow', method: 'thread/list', params: { searchTerm: 'matches nothing' } },
      { id: 'archived', method: 'thread/list', params: { archived: true } },
      { id: 'fast', method: 'model/list', params: {} },
    ];
    await mcp.sendRaw(burst.map((m) => JSON.stringify(m)).join('\n') + '\n');
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    const answered = mcp
      .allStdoutLines()
      .map((l) => JSON.parse(l) as Json)
      .filter((m) => typeof m['id'] === 'string')
      .map((m) => `${m['id']}:${m['error'] ? 'error' : 'ok'}`);
    expect(answered.sort()).toEqual(['archived:ok', 'fast:ok', 'slow:ok']);
    expect(crashSigns(mcp.stderr())).toEqual([]);
  });

  test('stdin closed mid-turn: the lines written so far are flushed, the turn is recorded as interrupted, the rollout is valid', async () => {
    const home = await tempHome();
    await createConfigToml(home, await slowModel());
    const mcp = await spawn(home);
    const thread = (await ok(mcp, 'thread/start', {}))['thread'];
    await ok(mcp, 'turn/start', { threadId: thread['id'], input: textInput('hang up on me') });
    await mcp.readStreamUntilNotificationMessage('item/agentMessage/delta');
    await mcp.closeStdin();
    expect(await mcp.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    expect(crashSigns(mcp.stderr())).toEqual([]);
    const file = expectReadable(thread['path']);
    expect(file.tornTailAt).toBeNull();
    const types = file.check.lines.map((l) => (l['type'] === 'event_msg' ? l['payload']['type'] : l['type']));
    expect(types[0]).toBe('session_meta');
    expect(types).toContain('item_completed');
    expect(types.at(-1)).toBe('turn_aborted');

    const next = await spawn(home);
    const read = await ok(next, 'thread/read', { threadId: thread['id'], includeTurns: true });
    expect(read['thread']['turns'].map((t: Json) => t['status'])).toEqual(['interrupted']);
    await ok(next, 'thread/resume', { threadId: thread['id'], excludeTurns: true });
    expect((await runTurn(next, thread['id'], 'picking up again', 30_000))['status']).toBe('completed');
  });
});
