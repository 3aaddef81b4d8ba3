/**
 * `--listen unix://[PATH]` (issue 16) with real clients over the socket: the reference's layout (the path is a
 * symlink to a 0600 socket in a private `codex-daemon-<uid>` directory), the same WebSocket framing as `ws://`, stale
 * sockets replaced, a live one refused, the file removed on exit, and a stalled client cut off without blocking others.
 */
import { lstatSync, mkdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { WsClient } from '../../src/testing/index.js';
import { referenceSchemaChecker } from '../support/schema-checker.js';
import { spawnServer, startUnixServer } from '../support/listening-server.js';
import { setupEnv } from './helpers.js';

/** Start-up refusals are compared whole: no log lines besides them. */
const QUIET = { LOG_LEVEL: 'warn' };

async function client(socketPath: string): Promise<WsClient> {
  const c = await WsClient.connect({ socketPath }, { messageChecker: await referenceSchemaChecker() });
  onTestFinished(async () => {
    await c.close();
    expect(c.schemaProblems()).toEqual([]);
  });
  return c;
}

const exists = (file: string): boolean => {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
};

describe('unix:// listener', () => {
  test('unix:// listens at $CODEX_HOME/app-server-control/app-server-control.sock, owner-only; SIGTERM removes it and exits 0', async () => {
    const { home } = await setupEnv();
    const server = await startUnixServer(home, '');
    const alias = path.join(home, 'app-server-control', 'app-server-control.sock');
    expect(lstatSync(alias).isSymbolicLink()).toBe(true);
    const physical = readlinkSync(alias);
    expect(path.basename(path.dirname(physical))).toBe(`codex-daemon-${process.getuid!()}`);
    expect(statSync(physical).isSocket()).toBe(true);
    expect(statSync(physical).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(physical)).mode & 0o777).toBe(0o700);
    expect(statSync(path.dirname(alias)).mode & 0o777).toBe(0o700);
    // No banner: the reference announces a unix listener nowhere on stderr.
    expect(server.stderr()).not.toContain('codex app-server (WebSockets)');

    const c = await client(alias);
    const init = await c.initialize('unix_client');
    expect(init.codexHome).toBe(home);
    const threadId: string = (await c.call('thread/start', {})).thread.id;
    await c.call('turn/start', { threadId, input: [{ type: 'text', text: 'hi' }] });
    expect((await c.notification('turn/completed')).params).toMatchObject({ threadId, turn: { status: 'completed' } });

    server.child.kill('SIGTERM');
    expect(await c.closed).toBe(1001);
    expect(await server.exited).toBe(0);
    expect(exists(alias)).toBe(false);
    expect(exists(physical)).toBe(false);
  });

  test('a live socket is refused ("already in use"); a stale one from a killed server is replaced', async () => {
    const { home } = await setupEnv();
    const socketPath = path.join(home, 'custom.sock');
    const first = await startUnixServer(home, socketPath);
    const a = await client(socketPath);
    await a.initialize('first_client');

    const second = spawnServer(home, ['--listen', `unix://${socketPath}`], QUIET);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toBe(`Error: app-server control socket is already in use at ${socketPath}\n`);
    // The first server is untouched.
    expect(await a.call('thread/loaded/list', {})).toEqual({ data: [], nextCursor: null });

    first.child.kill('SIGKILL');
    await a.closed;
    await first.exited;
    expect(lstatSync(socketPath).isSymbolicLink()).toBe(true); // left behind by the crash

    await startUnixServer(home, socketPath);
    const b = await client(socketPath);
    expect((await b.initialize('after_crash')).codexHome).toBe(home);
  });

  test('a path that exists and is not a socket is refused', async () => {
    const { home } = await setupEnv();
    mkdirSync(path.join(home, 'app-server-control'), { recursive: true });
    const alias = path.join(home, 'app-server-control', 'app-server-control.sock');
    writeFileSync(alias, 'not a socket');
    const server = spawnServer(home, ['--listen', 'unix://'], QUIET);
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toBe(`Error: app-server control socket path exists and is not a socket: ${alias}\n`);
  });

  test('a stalled client (not reading its socket) does not block another and is disconnected over its send bound', async () => {
    const { home } = await setupEnv();
    const socketPath = path.join(home, 's.sock');
    const server = await startUnixServer(home, socketPath, { CODEX_APP_SERVER_MAX_QUEUED_SEND_BYTES: String(1024 * 1024) });
    const stalled = await WsClient.connect({ socketPath });
    onTestFinished(async () => void (await stalled.close()));
    await stalled.initialize('stalled');
    stalled.stopReading();
    // ~14 KB per answer, 400 answers: far past the kernel's socket buffers plus the 1 MiB bound.
    for (let i = 0; i < 400; i++) stalled.request('model/list', { includeHidden: true });

    const other = await client(socketPath);
    await other.initialize('other');
    const threadId: string = (await other.call('thread/start', {})).thread.id;
    await other.call('turn/start', { threadId, input: [{ type: 'text', text: 'still served' }] });
    expect((await other.notification('turn/completed')).params).toMatchObject({ turn: { status: 'completed' } });

    await server.waitForStderr('disconnecting slow connection after outbound queue filled');
    stalled.resumeReading();
    expect(await stalled.closed).toBe(1006);
    // The server goes on serving.
    expect(await other.call('thread/loaded/list', {})).toEqual({ data: [threadId], nextCursor: null });
  });
});
