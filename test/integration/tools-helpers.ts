/**
 * Shared steps of the tool tests (issue 14): a home whose model is `gpt-5.5` (offered exec_command, write_stdin and
 * apply_patch), a workspace directory for the thread, and a turn reader that answers server→client requests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  evAssistantMessage,
  evCompleted,
  evCreated,
  evFunctionCall,
  sseResponse,
  type ConfigTomlOverrides,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type McpProcess,
  type MockResponse,
  type SseEvent,
} from '../../src/testing/index.js';
import { setupEnv, spawnServer, startThread, textInput, type Env, type Json } from './helpers.js';

export interface ToolEnv extends Env {
  mcp: McpProcess;
  threadId: string;
  /** The thread's cwd (a fresh directory with `hello.txt`). */
  workspace: string;
}

/** A mock response carrying these events between `response.created` and `response.completed`. */
export function response(events: SseEvent[], id = 'resp-1'): MockResponse {
  return sseResponse([evCreated(id), ...events, evCompleted(id)]);
}

export function execCall(callId: string, args: Json): SseEvent {
  return evFunctionCall(callId, 'exec_command', JSON.stringify(args));
}

export function patchCall(callId: string, patch: string): SseEvent {
  return { type: 'response.output_item.done', item: { type: 'custom_tool_call', call_id: callId, name: 'apply_patch', input: patch } };
}

export function finalAnswer(text = 'done'): MockResponse {
  return response(evAssistantMessage('m-final', text), 'resp-final');
}

export async function toolEnv(script: MockResponse[], overrides: ConfigTomlOverrides = {}): Promise<ToolEnv> {
  const env = await setupEnv(script, { model: 'gpt-5.5', approvalPolicy: 'never', sandboxMode: 'workspace-write', ...overrides });
  const workspace = path.join(env.home, 'workspace');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(path.join(workspace, 'hello.txt'), 'hello\nworld\n');
  // HOME is the temp home: a login shell (`bash -lc`) must not run the machine user's profile scripts.
  const mcp = await spawnServer(env.home, { readTimeoutMs: 20_000, env: { HOME: env.home } });
  const thread = await startThread(mcp, { model: 'gpt-5.5', cwd: workspace });
  return { ...env, mcp, threadId: thread['id'], workspace };
}

/** How a test answers a server request: a result, an error, or nothing (`null`: leave it pending). */
export type RequestAnswer = { result: unknown } | { error: { code: number; message: string } } | null;

/**
 * Starts a turn and reads every message up to its `turn/completed`, answering server requests with `answer`
 * (and running `onMessage` for each message, e.g. to interrupt).
 */
export async function runToolTurn(
  mcp: McpProcess,
  threadId: string,
  text: string,
  answer: (request: JsonRpcRequest) => RequestAnswer = () => ({ result: { decision: 'accept' } }),
  onMessage: (m: JsonRpcMessage) => Promise<void> | void = () => {},
): Promise<JsonRpcMessage[]> {
  await mcp.sendTurnStartRequest({ threadId, input: textInput(text) });
  const messages: JsonRpcMessage[] = [];
  for (;;) {
    const m = await mcp.readNextMessage();
    messages.push(m);
    if ('method' in m && 'id' in m) {
      const a = answer(m as JsonRpcRequest);
      if (a && 'result' in a) await mcp.sendResponse(m.id, a.result);
      else if (a) await mcp.sendError(m.id, a.error);
    }
    await onMessage(m);
    if ('method' in m && m.method === 'turn/completed') return messages;
  }
}

/** `method` of each message, with the item type for item notifications (`item/started:commandExecution`). */
export function flow(messages: JsonRpcMessage[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (!('method' in m)) continue;
    const p = (m.params ?? {}) as Json;
    if (m.method === 'item/agentMessage/delta' || m.method === 'item/commandExecution/outputDelta') continue;
    if (m.method === 'item/started' || m.method === 'item/completed') out.push(`${m.method}:${p['item']['type']}`);
    else if (m.method === 'thread/status/changed') out.push(`status:${p['status']['type']}${p['status']['activeFlags'] ? `[${p['status']['activeFlags'].join(',')}]` : ''}`);
    else out.push(m.method);
  }
  return out;
}

export function notifications(messages: JsonRpcMessage[], method: string): Json[] {
  return messages.filter((m) => 'method' in m && m.method === method && !('id' in m)).map((m) => (m as { params: Json }).params);
}

export function completedItem(messages: JsonRpcMessage[], type: string): Json {
  const item = notifications(messages, 'item/completed').map((p) => p['item']).find((i) => i['type'] === type);
  if (!item) throw new Error(`no completed ${type} item`);
  return item;
}

/** The `output` the model got for `callId` in request number `n` (1-based) of the mock. */
export function toolOutput(env: Env, n: number, callId: string): string {
  const body = env.mock.responsesRequests()[n - 1]?.body as Json | undefined;
  const output = (body?.['input'] as Json[] | undefined)?.find((i) => (i['type'] === 'function_call_output' || i['type'] === 'custom_tool_call_output') && i['call_id'] === callId);
  if (!output) throw new Error(`request ${n} has no output for ${callId}`);
  return String(output['output']);
}
