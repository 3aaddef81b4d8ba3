import { onTestFinished } from 'vitest';
import { printDiagnosticsOnFailure } from '../support/diagnostics.js';
import {
  McpProcess,
  createConfigToml,
  createFakeRollout,
  createMockResponsesServer,
  createMockResponsesServerRepeatingAssistant,
  type ConfigTomlOverrides,
  type JsonRpcMessage,
  type JsonRpcResponse,
  type MockResponse,
  type TurnStartParamsInput,
} from '../../src/testing/index.js';
import { tempHome } from '../support/temp-home.js';
import { referenceSchemaChecker } from '../support/schema-checker.js';

type Cleanup = () => Promise<unknown> | unknown;
let cleanups: Cleanup[] | null = null;

/**
 * Runs `fn` when the current test finishes, in reverse order of registration. An `onTestFinished` hook, not
 * `afterEach`: vitest runs `afterEach` before the `onTestFinished` hooks, so a home removed in `afterEach` could be
 * removed while a server a test support module stops in `onTestFinished` (e.g. `startWsServer`) still writes in it
 * (`ENOTEMPTY`). Registered at the test's first `setupEnv`, this hook runs after every later-registered one.
 */
function onCleanup(fn: Cleanup): void {
  if (cleanups === null) {
    const list: Cleanup[] = (cleanups = []);
    onTestFinished(async () => {
      cleanups = null;
      for (const c of list.reverse()) await c();
    });
  }
  cleanups.push(fn);
}

export interface Env {
  home: string;
  uri: string;
  mock: Awaited<ReturnType<typeof createMockResponsesServerRepeatingAssistant>>;
}

/** A temp home with config.toml pointing at a mock model (repeating "Done", or a script). */
export async function setupEnv(script?: MockResponse[], overrides: ConfigTomlOverrides = {}): Promise<Env> {
  const mock = script ? await createMockResponsesServer(script) : await createMockResponsesServerRepeatingAssistant('Done');
  const { home, cleanup } = tempHome();
  onCleanup(cleanup);
  onCleanup(() => mock.close());
  await createConfigToml(home, mock.uri, overrides);
  return { home, uri: mock.uri, mock };
}

/**
 * Spawns the server with the harness's schema check on. When the test ends, stdout must have held only protocol
 * lines, and every message received (responses by their request's method, notifications, server requests) must
 * validate against the reference JSON Schema.
 */
export async function spawnServer(
  home: string,
  opts: { env?: Record<string, string>; initialize?: boolean; readTimeoutMs?: number; serverBin?: string; args?: string[] } = {},
): Promise<McpProcess> {
  const mcp = await McpProcess.start({
    codexHome: home,
    env: opts.env,
    args: opts.args,
    readTimeoutMs: opts.readTimeoutMs,
    serverBin: opts.serverBin,
    messageChecker: await referenceSchemaChecker(),
  });
  printDiagnosticsOnFailure(mcp);
  onCleanup(async () => {
    await mcp.close();
    const problems = mcp.protocolProblems();
    if (problems.length > 0) throw new Error(`protocol problems:\n${[...new Set(problems)].join('\n')}`);
  });
  if (opts.initialize !== false) await mcp.initialize();
  return mcp;
}

export type Json = Record<string, any>;

export async function request(mcp: McpProcess, method: string, params: unknown): Promise<Json> {
  const id = await mcp.sendRequest(method, params);
  const resp = (await mcp.readStreamUntilResponseMessage(id)) as JsonRpcResponse<Json>;
  return resp.result;
}

export async function requestError(mcp: McpProcess, method: string, params: unknown): Promise<{ code: number; message: string }> {
  const id = await mcp.sendRequest(method, params);
  return (await mcp.readStreamUntilErrorMessage(id)).error;
}

export async function startThread(mcp: McpProcess, params: Json = {}): Promise<Json> {
  return (await request(mcp, 'thread/start', { model: 'mock-model', ...params }))['thread'];
}

/** A one-text `turn/start` input, typed as the harness's turn/start params accept it. */
export function textInput(text: string): TurnStartParamsInput['input'] {
  return [{ type: 'text', text, text_elements: [] }];
}

/** Runs a turn and returns every message from the response to `turn/completed`, inclusive. */
export async function runTurn(mcp: McpProcess, threadId: string, text: string): Promise<JsonRpcMessage[]> {
  const id = await mcp.sendTurnStartRequest({ threadId, input: textInput(text) });
  const messages: JsonRpcMessage[] = [];
  for (;;) {
    const m = await mcp.readNextMessage();
    messages.push(m);
    if ('method' in m && m.method === 'turn/completed') break;
  }
  if (!messages.some((m) => 'id' in m && m.id === id)) throw new Error('turn/start response missing');
  return messages;
}

/** Method names (or `response`) of a message list, for order assertions. */
export function shape(messages: JsonRpcMessage[]): string[] {
  return messages.map((m) => ('method' in m && m.method ? m.method : 'error' in m ? 'error-response' : 'response'));
}

/**
 * `count` fake rollouts in one hour (`month`-DD T`hour`:MM:SS, spread over days 1–28, a second apart within a day's
 * minute), each with a `thread <i>` preview and source `vscode`; their ids in creation order.
 */
export async function seedFakeRollouts(home: string, count: number, month: string, hour: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const second = String(i % 60).padStart(2, '0');
    const minute = String(Math.floor(i / 60) % 60).padStart(2, '0');
    ids.push(await createFakeRollout(home, `${month}-${day}T${hour}-${minute}-${second}`, `${month}-${day}T${hour}:${minute}:${second}Z`, `thread ${i}`, 'mock_provider', { source: 'vscode' }));
  }
  return ids;
}
