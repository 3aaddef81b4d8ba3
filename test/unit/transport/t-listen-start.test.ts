/** `startListener` (issue 16/17) over real sockets: the ws:// banner and the control socket's files, and the loopback test. */
import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { isLoopbackHost, startListener } from '../../../src/transport/listen.js';
import { ControlSocketError, controlSocketPaths } from '../../../src/transport/unix-socket.js';
import type { AcceptedConnection } from '../../../src/transport/websocket-listener.js';
import { captureLogger } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function scratch(): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 't-listen-')));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const exists = (file: string) => {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
};

function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  cleanups.push(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function start(spec: Parameters<typeof startListener>[0], maxQueuedSendBytes?: number) {
  const { logger, lines } = captureLogger();
  const accepted: AcceptedConnection[] = [];
  const running = await startListener(spec, { clock: { nowMs: () => 5 }, logger, maxQueuedSendBytes, onConnection: (c) => accepted.push(c) });
  cleanups.push(() => running.close());
  return { running, accepted, lines };
}

describe('isLoopbackHost: Rust IpAddr::is_loopback', () => {
  test.for([
    ['127.100.200.255', true],
    ['0000:0000:0000:0000:0000:0000:0000:0001', true],
    ['0:0:0:0:0:0:0:0001', true],
    ['127.0.0', false],
    ['127.0.0.1.5', false],
    ['1127.0.0.1', false],
    ['x::1', false],
    ['::1x', false],
    ['0:0:0:0:0:0:0:2', false],
    ['00000:0:0:0:0:0:0:1', false],
    ['0:0:0:0:0:0:0:00001', false],
    ['0:0:0:0:0:0:1', false],
    ['::ffff:127.0.0.1', false],
  ] as const)('%s → %s', ([host, expected]) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('startListener: ws://', () => {
  test('binds, prints the banner with the bound port, and hands clients over with the options given', async () => {
    const { running, accepted } = await start({ kind: 'ws', host: '127.0.0.1', port: 0, authorize: (h) => (h === 'Bearer k' ? null : 'no') }, 8);
    const port = Number(/listening on: ws:\/\/127\.0\.0\.1:(\d+)\n/.exec(running.banner ?? '')?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(running.banner).toContain(`  readyz: http://127.0.0.1:${port}/readyz\n`);
    // The authorizer is the spec's.
    await expect(open(`ws://127.0.0.1:${port}/`)).rejects.toThrow(/401/);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { authorization: 'Bearer k' } });
    cleanups.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    expect(running.connectionCount).toBe(1);
    expect(accepted.map((c) => c.label)).toEqual([expect.stringMatching(/^ws#1 127\.0\.0\.1:\d+$/)]);
    // The send bound is the one given: 8 bytes cannot hold any message.
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    await accepted[0]!.writer.write({ jsonrpc: '2.0', id: 1, result: null } as never);
    expect(await closed).toBe(1006);
    running.removeSocketFile();
  });

  test('stopAccepting refuses new clients; close ends the others with 1001', async () => {
    const { running } = await start({ kind: 'ws', host: '127.0.0.1', port: 0, authorize: null });
    const port = Number(/ws:\/\/127\.0\.0\.1:(\d+)/.exec(running.banner!)![1]);
    const ws = await open(`ws://127.0.0.1:${port}/`);
    running.stopAccepting();
    await expect(open(`ws://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const code = new Promise<number>((r) => ws.once('close', (c) => r(c)));
    await running.close();
    expect(await code).toBe(1001);
    expect(running.connectionCount).toBe(0);
  });

  test('a taken port rejects with the OS error', async () => {
    const { running } = await start({ kind: 'ws', host: '127.0.0.1', port: 0, authorize: null });
    const port = Number(/ws:\/\/127\.0\.0\.1:(\d+)/.exec(running.banner!)![1]);
    const { logger } = captureLogger();
    await expect(startListener({ kind: 'ws', host: '127.0.0.1', port, authorize: null }, { clock: { nowMs: () => 0 }, logger, onConnection: () => {} })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('startListener: unix://', () => {
  test('binds the physical socket, publishes the alias, logs it, and removes both on close', async () => {
    const dir = scratch();
    const paths = controlSocketPaths(path.join(dir, 'home', 'ctl.sock'), { tmpRoot: path.join(dir, 'tmp'), uid: 4242 });
    mkdirSync(path.dirname(paths.alias), { recursive: true });
    const { running, accepted, lines } = await start({ kind: 'unix', paths });
    expect(running.banner).toBeNull();
    expect(readlinkSync(paths.alias)).toBe(paths.physical);
    expect(lstatSync(paths.physical).isSocket()).toBe(true);
    expect(lstatSync(paths.physical).mode & 0o777).toBe(0o600);
    expect(lines().filter((l) => l.msg === 'app-server control socket listening')).toEqual([expect.objectContaining({ level: 30, socketPath: paths.alias })]);

    const ws = await open(`ws+unix://${paths.alias}:/`);
    expect(accepted.map((c) => c.label)).toEqual(['unix#1']);
    expect(running.connectionCount).toBe(1);
    const code = new Promise<number>((r) => ws.once('close', (c) => r(c)));
    await running.close();
    expect(await code).toBe(1001);
    expect(exists(paths.alias)).toBe(false);
    expect(exists(paths.physical)).toBe(false);
  });

  test('removeSocketFile removes the files at once, only once: a later server at the same path is left alone', async () => {
    const dir = scratch();
    const paths = controlSocketPaths(path.join(dir, 'ctl.sock'), { tmpRoot: path.join(dir, 'tmp'), uid: 1 });
    const first = await start({ kind: 'unix', paths });
    first.running.removeSocketFile();
    expect(exists(paths.alias)).toBe(false);
    expect(exists(paths.physical)).toBe(false);
    first.running.stopAccepting();
    // A second server now owns the same paths; the first one's close must not remove them.
    const second = await start({ kind: 'unix', paths });
    first.running.removeSocketFile();
    await first.running.close();
    expect(readlinkSync(paths.alias)).toBe(paths.physical);
    await open(`ws+unix://${paths.alias}:/`);
    expect(second.accepted).toHaveLength(1);
  });

  test('an alias that appeared meanwhile: the listener is closed and the error is the reference text', async () => {
    const dir = scratch();
    const paths = controlSocketPaths(path.join(dir, 'ctl.sock'), { tmpRoot: path.join(dir, 'tmp'), uid: 1 });
    writeFileSync(paths.alias, 'someone else');
    const { logger, lines } = captureLogger();
    const failure = await startListener({ kind: 'unix', paths }, { clock: { nowMs: () => 0 }, logger, onConnection: () => {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ControlSocketError);
    expect((failure as Error).message).toBe(`app-server control socket is already in use at ${paths.alias}`);
    // Nothing listens any more on the physical socket, and nothing was announced.
    await expect(open(`ws+unix://${paths.physical}:/`)).rejects.toMatchObject({ code: expect.stringMatching(/ECONNREFUSED|ENOENT/) });
    expect(lines().filter((l) => l.msg === 'app-server control socket listening')).toEqual([]);
  });
});
