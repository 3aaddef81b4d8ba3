/**
 * Issue 18, memory bounded by design: a client that writes thousands of requests and never reads its output
 * does not make the built server read (and buffer) them all; the unread requests wait in the client's pipe.
 * Once the client reads, every request is answered exactly once, in order. Real stdio, real process.
 */
import { spawn } from 'node:child_process';
import { expect, onTestFinished, test } from 'vitest';
import { createConfigToml } from '../../src/testing/config-toml.js';
import { defaultServerBin } from '../../src/testing/server-bin.js';
import { makeTempHome } from '../../src/testing/temp-home.js';

const REQUESTS = 3000;
/** JSON allows whitespace: each request line is padded to this size so the input is large (about 10 KB answers). */
const LINE_BYTES = 2048;

test('a client that never reads stdout makes the server stop reading stdin; nothing is lost once it reads', async () => {
  const home = await makeTempHome();
  await createConfigToml(home.path, 'http://127.0.0.1:9');
  const child = spawn(process.execPath, [process.env['MCP_PROCESS_SERVER_BIN'] ?? defaultServerBin(), 'app-server'], {
    env: { ...process.env, CODEX_HOME: home.path },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  onTestFinished(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await home.cleanup();
  });
  child.stdout.pause();

  const line = (id: number, method: string, params: object): string => {
    const text = JSON.stringify({ id, method, params });
    return `${text.slice(0, -1)}${' '.repeat(Math.max(0, LINE_BYTES - text.length - 1))}}\n`;
  };
  let input = line(0, 'initialize', { clientInfo: { name: 'm-slow', title: null, version: '1' } });
  for (let id = 1; id <= REQUESTS; id += 1) input += line(id, 'model/list', {});
  const total = Buffer.byteLength(input);
  child.stdin.write(input);

  // Wait until the server stops taking input (what it has not taken stays queued on our side of the pipe).
  let last = -1;
  let still = 0;
  for (let i = 0; i < 600 && still < 30; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const queued = child.stdin.writableLength;
    expect(queued, 'the server read every request although its output was never read').toBeGreaterThan(0);
    still = queued === last ? still + 1 : 0;
    last = queued;
  }
  // The server took at most a small part of the input: the rest is still ours.
  expect(child.stdin.writableLength).toBeGreaterThan(total / 2);

  // Now read: every request gets its one answer, in order.
  const ids: unknown[] = [];
  let buffered = '';
  const done = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl = buffered.indexOf('\n');
      while (nl !== -1) {
        const message = JSON.parse(buffered.slice(0, nl)) as { id?: unknown };
        buffered = buffered.slice(nl + 1);
        if (message.id !== undefined) ids.push(message.id);
        if (ids.length === REQUESTS + 1) resolve();
        nl = buffered.indexOf('\n');
      }
    });
  });
  child.stdout.resume();
  await done;
  expect(ids).toEqual(Array.from({ length: REQUESTS + 1 }, (_, i) => i));
  child.stdin.end();
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect(code).toBe(0);
}, 120_000);
