/**
 * SPEC §1 framing over real stdio against the built server (dist/cli.cjs): bad input is dropped
 * without an answer, requests may arrive in pieces, stdout carries only protocol lines, shutdown on
 * EOF/SIGTERM. Each test gets its own temp CODEX_HOME and server process.
 */
import { describe, expect, onTestFinished, test } from 'vitest';
import { createConfigToml } from '../../src/testing/config-toml.js';
import { McpProcess } from '../../src/testing/mcp-process.js';
import { makeTempHome } from '../../src/testing/temp-home.js';

const UNUSED_MODEL_URI = 'http://127.0.0.1:9';

async function startServer() {
  const home = await makeTempHome();
  await createConfigToml(home.path, UNUSED_MODEL_URI);
  const server = await McpProcess.start({ codexHome: home.path });
  onTestFinished(async () => {
    await server.close();
    await home.cleanup();
  });
  return { server, home };
}

/** Lets the pipe deliver one write before the next, so the server really sees separate reads. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Every stdout line as an object; fails on anything that is not a JSON object. */
function stdoutMessages(server: McpProcess): Record<string, unknown>[] {
  expect(server.protocolViolations()).toEqual([]);
  return server.allStdoutLines().map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('bad input', () => {
  test('malformed, non-object and oversized lines get no answer and the connection stays usable', async () => {
    const { server } = await startServer();
    await server.initialize();
    await server.sendRaw('this is not json\n');
    await server.sendRaw('[1,2,3]\n42\n"x"\nnull\n{"id":50,"method":"thread/list","params":{}\n');
    // 17 MiB, over the 16 MiB line bound, and not JSON either: whatever the bound, no answer.
    const huge = Buffer.alloc(17 * 1024 * 1024, 0x61);
    await server.sendRaw(Buffer.concat([Buffer.from('{"id":51,"method":"thread/list","params":{"searchTerm":"'), huge, Buffer.from('\n')]));
    const id = await server.sendThreadLoadedListRequest({});
    expect(await server.readStreamUntilResponseMessage(id, { timeoutMs: 20_000 })).toMatchObject({ id, result: { data: [] } });

    await server.closeStdin();
    expect(await server.waitForExit({ timeoutMs: 20_000 })).toEqual({ code: 0, signal: null });
    const answers = stdoutMessages(server).filter((m) => !('method' in m));
    expect(answers.map((m) => m.id)).toEqual([0, id]);
  });

  test('a request split across several writes (inside a UTF-8 character too) is answered once', async () => {
    const { server } = await startServer();
    await server.initialize();
    const bytes = Buffer.from('{"id":"split","method":"thread/list","params":{"searchTerm":"café 😀"}}\n', 'utf8');
    const emoji = bytes.indexOf(Buffer.from('😀', 'utf8'));
    const cuts = [5, 20, bytes.indexOf(Buffer.from('é', 'utf8')) + 1, emoji + 1, emoji + 3, bytes.length - 1];
    let at = 0;
    for (const cut of cuts) {
      await server.sendRaw(bytes.subarray(at, cut));
      await pause();
      at = cut;
    }
    await server.sendRaw(bytes.subarray(at));
    expect(await server.readStreamUntilResponseMessage('split')).toMatchObject({ id: 'split', result: { data: [] } });
  });

  test('CRLF line endings and blank lines are accepted', async () => {
    const { server } = await startServer();
    await server.initialize();
    await server.sendRaw('\r\n\n{"id":"crlf","method":"thread/loaded/list","params":{}}\r\n');
    expect(await server.readStreamUntilResponseMessage('crlf')).toMatchObject({ id: 'crlf', result: { data: [] } });
  });
});

describe('output', () => {
  test('stdout carries only protocol lines; notifications carry emittedAtMs, nothing carries jsonrpc', async () => {
    const { server } = await startServer();
    const before = Date.now();
    await server.initialize();
    const start = await server.sendThreadStartRequest({});
    await server.readStreamUntilResponseMessage(start);
    const started = await server.readStreamUntilNotificationMessage('thread/started');
    const after = Date.now();
    expect(Object.keys(started)).toEqual(['method', 'params', 'emittedAtMs']);
    expect(started.emittedAtMs).toBeGreaterThanOrEqual(before);
    expect(started.emittedAtMs).toBeLessThanOrEqual(after);
    await server.sendRaw('garbage\n');
    const missing = await server.sendThreadReadRequest({ threadId: 'not-a-uuid' });
    await server.readStreamUntilErrorMessage(missing);

    await server.closeStdin();
    await server.waitForExit();
    const lines = server.allStdoutLines();
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const messages = stdoutMessages(server);
    for (const message of messages) {
      expect(message).not.toHaveProperty('jsonrpc');
      if ('method' in message && !('id' in message)) {
        expect(typeof message.emittedAtMs).toBe('number');
        expect(Object.keys(message).at(-1)).toBe('emittedAtMs');
      } else {
        expect(message).not.toHaveProperty('emittedAtMs');
      }
      if ('result' in message) expect(Object.keys(message)).toEqual(['id', 'result']);
      if ('error' in message) {
        expect(Object.keys(message)).toEqual(['error', 'id']);
        expect(Object.keys(message.error as object)).toEqual(['code', 'message']);
      }
    }
  });
});

describe('shutdown', () => {
  test('stdin EOF ends the server with exit code 0', async () => {
    const { server } = await startServer();
    await server.initialize();
    await server.closeStdin();
    expect(await server.waitForExit()).toEqual({ code: 0, signal: null });
  });

  test('EOF before initialize also exits 0', async () => {
    const { server } = await startServer();
    await server.closeStdin();
    expect(await server.waitForExit()).toEqual({ code: 0, signal: null });
    expect(server.protocolViolations()).toEqual([]);
  });

  test('SIGTERM is treated like EOF: exit code 0', async () => {
    const { server } = await startServer();
    await server.initialize();
    server.kill('SIGTERM');
    expect(await server.waitForExit()).toEqual({ code: 0, signal: null });
  });
});
