/**
 * SPEC §1–§2 handshake over real stdio against the built server (dist/cli.cjs).
 * Each test gets its own temp CODEX_HOME and server process.
 */
import { describe, expect, onTestFinished, test } from 'vitest';
import { createConfigToml } from '../../src/testing/config-toml.js';
import { McpProcess, type InitializeResult } from '../../src/testing/mcp-process.js';
import type { McpProcessOptions } from '../../src/testing/mcp-process-core.js';
import { makeTempHome } from '../../src/testing/temp-home.js';

/** Nothing listens there: the handshake never talks to the model. */
const UNUSED_MODEL_URI = 'http://127.0.0.1:9';

async function startServer(options: Partial<McpProcessOptions> = {}) {
  const home = await makeTempHome();
  await createConfigToml(home.path, UNUSED_MODEL_URI);
  const server = await McpProcess.start({ codexHome: home.path, ...options });
  onTestFinished(async () => {
    await server.close();
    await home.cleanup();
  });
  return { server, home };
}

const CLIENT = { name: 'codex_app_server_ts_tests', title: null, version: '0.0.1' };

describe('initialize', () => {
  test('answers with userAgent, codexHome, platformFamily, platformOs in that order', async () => {
    const { server, home } = await startServer();
    const id = await server.sendRequest('initialize', { clientInfo: CLIENT });
    const response = await server.readStreamUntilResponseMessage<InitializeResult>(id);
    expect(Object.keys(response)).toEqual(['id', 'result']);
    expect(Object.keys(response.result)).toEqual(['userAgent', 'codexHome', 'platformFamily', 'platformOs']);
    expect(response).toEqual({
      id,
      result: {
        userAgent: expect.stringMatching(
          /^codex_app_server_ts_tests\/\d+\.\d+\.\d+\S* \([^;()]+ \d+\.\d+\.\d+; [^;()]+\) \S+ \(codex_app_server_ts_tests; 0\.0\.1\)$/,
        ),
        codexHome: home.path,
        platformFamily: 'unix',
        platformOs: 'linux',
      },
    });
  });

  test('userAgent names the terminal from TERM, or "unknown" without terminal variables', async () => {
    const withTerm = await startServer({ cleanEnv: true, env: { TERM: 'xterm' } });
    const a = await withTerm.server.initialize();
    expect(a.userAgent).toMatch(/\) xterm \(codex_app_server_ts_tests; 0\.0\.1\)$/);

    const noTerm = await startServer({ cleanEnv: true });
    const b = await noTerm.server.initialize({ name: 'my_client', title: 'Mine', version: '1.2.3' });
    expect(b.userAgent).toMatch(/^my_client\/\S+ \(.+\) unknown \(my_client; 1\.2\.3\)$/);
  });

  test('a request before initialize gets "Not initialized"', async () => {
    const { server } = await startServer();
    const id = await server.sendThreadStartRequest({});
    expect(await server.readStreamUntilErrorMessage(id)).toEqual({ error: { code: -32600, message: 'Not initialized' }, id });
    // The connection is still usable: initialize now works.
    await expect(server.initialize()).resolves.toMatchObject({ platformFamily: 'unix' });
  });

  test('a second initialize gets "Already initialized"', async () => {
    const { server } = await startServer();
    await server.initialize();
    const id = await server.sendRequest('initialize', { clientInfo: CLIENT });
    expect(await server.readStreamUntilErrorMessage(id)).toEqual({
      error: { code: -32600, message: 'Already initialized' },
      id,
    });
  });

  test('initialize {} is rejected and leaves the connection uninitialised', async () => {
    const { server } = await startServer();
    const bad = await server.sendRequest('initialize', {});
    expect(await server.readStreamUntilErrorMessage(bad)).toEqual({
      error: { code: -32600, message: 'Invalid request: missing field `clientInfo`' },
      id: bad,
    });
    const early = await server.sendThreadListRequest({});
    expect((await server.readStreamUntilErrorMessage(early)).error.message).toBe('Not initialized');
    await expect(server.initialize()).resolves.toMatchObject({ platformOs: 'linux' });
  });

  test('requests between the initialize response and "initialized" are served', async () => {
    const { server } = await startServer();
    const init = await server.sendRequest('initialize', { clientInfo: CLIENT });
    await server.readStreamUntilResponseMessage(init);
    const list = await server.sendThreadLoadedListRequest({});
    expect(await server.readStreamUntilResponseMessage(list)).toMatchObject({ id: list, result: { data: [] } });
  });

  test('"initialized" and other notifications get no answer', async () => {
    const { server } = await startServer();
    await server.initialize(); // sends "initialized"
    await server.sendNotification('initialized');
    await server.sendRaw('{"method":"foo/notify"}\n{"id":12345,"result":{}}\n');
    const id = await server.sendThreadLoadedListRequest({});
    await server.readStreamUntilResponseMessage(id);
    // Let the server finish everything it would ever write before looking at stdout as a whole.
    await server.closeStdin();
    await server.waitForExit();
    const answers = server
      .allStdoutLines()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((m) => !('method' in m));
    expect(answers.map((m) => m.id)).toEqual([0, id]); // initialize and the list, nothing else
  });
});

describe('request validation', () => {
  test('a request without params gets "missing field `params`"', async () => {
    const { server } = await startServer();
    await server.initialize();
    await server.sendRaw('{"id":13,"method":"thread/start"}\n');
    expect(await server.readStreamUntilErrorMessage(13)).toEqual({
      error: { code: -32600, message: 'Invalid request: missing field `params`' },
      id: 13,
    });
  });

  test('an unknown method lists every accepted method', async () => {
    const { server } = await startServer();
    await server.initialize();
    const id = await server.sendRequest('foo/bar', {});
    const { error } = await server.readStreamUntilErrorMessage(id);
    expect(error.code).toBe(-32600);
    const prefix = 'Invalid request: unknown variant `foo/bar`, expected one of ';
    expect(error.message.startsWith(prefix)).toBe(true);
    const names = error.message.slice(prefix.length).split(', ');
    expect(names.every((n) => /^`[^`]+`$/.test(n))).toBe(true);
    expect(names.slice(0, 2)).toEqual(['`initialize`', '`server/diagnostics`']);
    expect(names).toHaveLength(187);
    expect(new Set(names).size).toBe(187);
    for (const method of ['thread/start', 'thread/archive', 'turn/start', 'model/list']) expect(names).toContain(`\`${method}\``);
  });

  test('string ids are echoed as strings', async () => {
    const { server } = await startServer();
    const early = await server.sendRequest('thread/loaded/list', {}, 'abc-0');
    expect(await server.readStreamUntilErrorMessage('abc-0')).toEqual({
      error: { code: -32600, message: 'Not initialized' },
      id: early,
    });
    await server.initialize();
    await server.sendRequest('thread/loaded/list', {}, 'abc-1');
    const response = await server.readStreamUntilResponseMessage('abc-1');
    expect(response.id).toBe('abc-1');
    expect(server.allStdoutLines().filter((l) => l.startsWith('{"id":"abc-1",'))).toHaveLength(1);
    // "1" and 1 are different ids.
    await server.sendRequest('thread/loaded/list', {}, '1');
    expect((await server.readStreamUntilResponseMessage('1')).id).toBe('1');
  });

  test('an incoming "jsonrpc":"2.0" is accepted and ignored', async () => {
    const { server } = await startServer();
    await server.initialize();
    await server.sendRaw('{"jsonrpc":"2.0","id":"j","method":"thread/loaded/list","params":{}}\n');
    expect(await server.readStreamUntilResponseMessage('j')).toMatchObject({ id: 'j', result: { data: [] } });
  });
});
