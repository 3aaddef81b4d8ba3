/**
 * exec_command over real stdio (issue 14): a harmless command under `never`, a streaming command, a write the
 * read-only sandbox denies, an interrupt while a command runs, and what the model is sent each time, in the
 * reference's words (observed with Codex 0.169.0 and the same mock script).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { completedItem, execCall, finalAnswer, flow, notifications, response, runToolTurn, toolEnv, toolOutput } from './tools-helpers.js';
import { setupEnv, spawnServer, type Json } from './helpers.js';

describe('exec_command', () => {
  test('a harmless command under `never` runs in the workspace, streams its item, and the model reads its output', async () => {
    const env = await toolEnv([response([execCall('call_1', { cmd: 'echo hi; ls', yield_time_ms: 5000 })]), finalAnswer()]);
    const messages = await runToolTurn(env.mcp, env.threadId, 'list');
    expect(flow(messages).filter((m) => m.startsWith('item/') || m.startsWith('turn/'))).toEqual([
      'turn/started',
      'item/started:userMessage',
      'item/completed:userMessage',
      'item/started:commandExecution',
      'item/completed:commandExecution',
      'item/started:agentMessage',
      'item/completed:agentMessage',
      'turn/completed',
    ]);
    const started = notifications(messages, 'item/started').find((p) => p['item']['type'] === 'commandExecution')!['item'];
    expect(started).toMatchObject({ id: 'call_1', command: "/bin/bash -lc 'echo hi; ls'", cwd: env.workspace, source: 'unifiedExecStartup', status: 'inProgress', commandActions: [{ type: 'listFiles', command: 'ls', path: null }] });
    expect(completedItem(messages, 'commandExecution')).toMatchObject({ status: 'completed', exitCode: 0, aggregatedOutput: 'hi\nhello.txt\n' });
    const output = toolOutput(env, 2, 'call_1');
    expect(output).toMatch(/^Chunk ID: [0-9a-f]{6}\nWall time: \d+\.\d{4} seconds\nProcess exited with code 0\nOriginal token count: 4\nOutput:\nhi\nhello.txt\n$/);
    // The second request carries the whole exchange: the call (with the id the reference gives it), then its output.
    const input = (env.mock.responsesRequests()[1]!.body as Json)['input'] as Json[];
    const call = input.find((i) => i['type'] === 'function_call')!;
    expect(call).toMatchObject({ name: 'exec_command', call_id: 'call_1' });
    expect(String(call['id'])).toMatch(/^fc_/);
    // The tools offered to gpt-5.5, as the reference offers them.
    const tools = ((env.mock.responsesRequests()[0]!.body as Json)['tools'] as Json[]).map((t) => `${t['type']}:${t['name']}`);
    expect(tools).toEqual(['function:exec_command', 'function:write_stdin', 'custom:apply_patch']);
    expect(completedItem(messages, 'agentMessage')['text']).toBe('done');
  });

  test('a command printing over time streams outputDelta notifications that add up to its output', async () => {
    const env = await toolEnv([response([execCall('call_1', { cmd: 'for i in 1 2 3; do echo line$i; sleep 0.2; done', yield_time_ms: 10000 })]), finalAnswer()]);
    const messages = await runToolTurn(env.mcp, env.threadId, 'stream');
    const deltas = notifications(messages, 'item/commandExecution/outputDelta');
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.every((d) => d['itemId'] === 'call_1' && d['threadId'] === env.threadId)).toBe(true);
    const streamed = deltas.map((d) => Buffer.from(String(d['delta']), 'base64').toString('utf8')).join('');
    expect(streamed.includes('line1') || deltas.map((d) => String(d['delta'])).join('').includes('line1')).toBe(true);
    expect(completedItem(messages, 'commandExecution')['aggregatedOutput']).toBe('line1\nline2\nline3\n');
  });

  test('a command still running when its yield elapses stays alive as a session the model polls with write_stdin', async () => {
    const env = await toolEnv([]);
    await env.mock.close();
    const { createMockResponsesServer } = await import('../../src/testing/index.js');
    const mock = await createMockResponsesServer((request, n) => {
      if (n === 1) return response([execCall('call_1', { cmd: 'echo first; sleep 1; echo second', yield_time_ms: 250 })]);
      if (n === 2) {
        const output = String(((request.body as Json)['input'] as Json[]).at(-1)!['output']);
        const session = /Process running with session ID (\d+)/.exec(output)?.[1];
        return response([{ type: 'response.output_item.done', item: { type: 'function_call', call_id: 'call_2', name: 'write_stdin', arguments: JSON.stringify({ session_id: Number(session), chars: '', yield_time_ms: 5000 }) } }]);
      }
      return finalAnswer();
    });
    const { createConfigToml } = await import('../../src/testing/index.js');
    await createConfigToml(env.home, mock.uri, { model: 'gpt-5.5', approvalPolicy: 'never', sandboxMode: 'workspace-write' });
    const { spawnServer, startThread } = await import('./helpers.js');
    const mcp = await spawnServer(env.home, { env: { HOME: env.home }, readTimeoutMs: 20_000 });
    const thread = await startThread(mcp, { model: 'gpt-5.5', cwd: env.workspace });
    const messages = await runToolTurn(mcp, thread['id'], 'poll');
    const first = String(((mock.responsesRequests()[1]!.body as Json)['input'] as Json[]).at(-1)!['output']);
    expect(first).toMatch(/Process running with session ID \d+\nOriginal token count: \d+\nOutput:\nfirst\n$/);
    const polled = String(((mock.responsesRequests()[2]!.body as Json)['input'] as Json[]).at(-1)!['output']);
    expect(polled).toContain('Process exited with code 0');
    expect(polled).toContain('second');
    // Reference behaviour (observed): an empty poll is no terminal interaction; the item completes once the process exits.
    expect(notifications(messages, 'item/commandExecution/terminalInteraction')).toEqual([]);
    expect(completedItem(messages, 'commandExecution')).toMatchObject({ id: 'call_1', status: 'completed', exitCode: 0 });
    await mock.close();
  });

  test('a write the read-only sandbox denies fails inside the sandbox and the model sees "Read-only file system"', async () => {
    const env = await toolEnv([response([execCall('call_1', { cmd: 'echo x > made.txt' })]), finalAnswer()], { sandboxMode: 'read-only' });
    const messages = await runToolTurn(env.mcp, env.threadId, 'write');
    const item = completedItem(messages, 'commandExecution');
    expect(item).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(String(item['aggregatedOutput'])).toContain('made.txt: Read-only file system');
    expect(toolOutput(env, 2, 'call_1')).toContain('Process exited with code 1');
    expect(existsSync(path.join(env.workspace, 'made.txt'))).toBe(false);
  });

  test('workspace-write: a command cannot write into CODEX_HOME (inside the writable /tmp) nor into .git of the workspace', async () => {
    const env = await toolEnv([]);
    mkdirSync(path.join(env.workspace, '.git'));
    await env.mcp.close();
    const { createMockResponsesServer, createConfigToml } = await import('../../src/testing/index.js');
    const mock = await createMockResponsesServer([
      response([execCall('call_1', { cmd: `echo x > ${env.home}/evil.txt; echo y > .git/evil; echo z > ok.txt` })]),
      finalAnswer(),
    ]);
    await createConfigToml(env.home, mock.uri, { model: 'gpt-5.5', approvalPolicy: 'never', sandboxMode: 'workspace-write' });
    const { spawnServer, startThread } = await import('./helpers.js');
    const mcp = await spawnServer(env.home, { env: { HOME: env.home } });
    const thread = await startThread(mcp, { model: 'gpt-5.5', cwd: env.workspace });
    const messages = await runToolTurn(mcp, thread['id'], 'write');
    const output = String(completedItem(messages, 'commandExecution')['aggregatedOutput']);
    expect(output).toContain('evil.txt: Read-only file system');
    expect(output).toContain('.git/evil: Read-only file system');
    expect(existsSync(path.join(env.home, 'evil.txt'))).toBe(false);
    expect(existsSync(path.join(env.workspace, '.git', 'evil'))).toBe(false);
    expect(readFileSync(path.join(env.workspace, 'ok.txt'), 'utf8')).toBe('z\n');
    await mock.close();
  });

  test("turn/start's sandboxPolicy and approvalPolicy override the thread's for that turn and after", async () => {
    const env = await toolEnv([response([execCall('call_1', { cmd: 'echo x > made.txt' })]), finalAnswer()], { sandboxMode: 'read-only', approvalPolicy: 'on-request' });
    await env.mcp.sendTurnStartRequest({
      threadId: env.threadId,
      input: [{ type: 'text', text: 'write', text_elements: [] }],
      approvalPolicy: 'never',
      sandboxPolicy: { type: 'workspaceWrite', writableRoots: [], networkAccess: false, excludeTmpdirEnvVar: false, excludeSlashTmp: false },
    });
    await env.mcp.readStreamUntilNotificationMessage('turn/completed');
    expect(readFileSync(path.join(env.workspace, 'made.txt'), 'utf8')).toBe('x\n');
    expect(toolOutput(env, 2, 'call_1')).toContain('Process exited with code 0');
  });

  test('turn/interrupt during a command ends the turn, kills the command, and the model later reads "aborted by user"', async () => {
    const env = await toolEnv([
      response([execCall('call_1', { cmd: 'echo started; sleep 30; echo never > late.txt', yield_time_ms: 30000 })]),
      finalAnswer('after'),
    ]);
    let interrupted = false;
    const messages = await runToolTurn(env.mcp, env.threadId, 'sleep', undefined, async (m) => {
      if (!interrupted && 'method' in m && m.method === 'item/started' && (m.params as Json)['item']['type'] === 'commandExecution') {
        interrupted = true;
        await env.mcp.sendTurnInterruptRequest({ threadId: env.threadId, turnId: (m.params as Json)['turnId'] });
      }
    });
    const done = notifications(messages, 'turn/completed')[0]!;
    expect(done['turn']['status']).toBe('interrupted');
    // The next turn's request carries the call, its "aborted by user" output and the interrupt note.
    await runToolTurn(env.mcp, env.threadId, 'again');
    const output = toolOutput(env, 2, 'call_1');
    expect(output).toMatch(/^Wall time: \d+(\.\d)? seconds\naborted by user$/);
    const input = (env.mock.responsesRequests()[1]!.body as Json)['input'] as Json[];
    expect(JSON.stringify(input)).toContain('The user interrupted the previous turn on purpose.');
    expect(existsSync(path.join(env.workspace, 'late.txt'))).toBe(false);
  });

  test('without bubblewrap: configWarning before the thread/start answer, and a sandboxed command never runs unconfined', async () => {
    const env = await setupEnv([response([execCall('call_1', { cmd: 'echo hi > out.txt' })]), finalAnswer()], { model: 'gpt-5.5', approvalPolicy: 'never', sandboxMode: 'workspace-write' });
    const workspace = path.join(env.home, 'workspace');
    mkdirSync(workspace);
    // A PATH without bubblewrap (commands run /bin/bash by absolute path).
    const mcp = await spawnServer(env.home, { env: { HOME: env.home, PATH: '/nonexistent' } });
    const id = await mcp.sendThreadStartRequest({ cwd: workspace });
    const warning = await mcp.readStreamUntilNotificationMessage<Json>('configWarning');
    expect(String(warning.params['summary'])).toMatch(/^Codex could not find bubblewrap on PATH\. Install bubblewrap with your OS package manager\./);
    const threadId = String((await mcp.readStreamUntilResponseMessage<Json>(id)).result['thread']['id']);
    const messages = await runToolTurn(mcp, threadId, 'write');
    expect(completedItem(messages, 'commandExecution')['status']).toBe('failed');
    expect(toolOutput(env, 2, 'call_1')).toMatch(/^exec_command failed: CreateProcess/);
    expect(existsSync(path.join(workspace, 'out.txt'))).toBe(false);
  });

  test('a call to a tool not offered, and malformed arguments, are answered in the reference words and the turn goes on', async () => {
    const env = await toolEnv([
      response([{ type: 'response.output_item.done', item: { type: 'function_call', call_id: 'call_a', name: 'update_plan', arguments: '{}' } }, { type: 'response.output_item.done', item: { type: 'function_call', call_id: 'call_b', name: 'exec_command', arguments: '{not json' } }]),
      finalAnswer(),
    ]);
    const messages = await runToolTurn(env.mcp, env.threadId, 'bad');
    expect(notifications(messages, 'turn/completed')[0]!['turn']['status']).toBe('completed');
    expect(toolOutput(env, 2, 'call_a')).toBe('unsupported call: update_plan');
    // Reference: `… key must be a string at line 1 column 2` (serde_json's wording; ours names the first error it finds).
    expect(toolOutput(env, 2, 'call_b')).toMatch(/^failed to parse function arguments: /);
  });

  test('a resumed thread shows its command items rebuilt from the rollout (thread/resume and thread/read)', async () => {
    const env = await toolEnv([response([execCall('call_1', { cmd: 'echo hi' })]), finalAnswer()]);
    await runToolTurn(env.mcp, env.threadId, 'run');
    const rollout = readFileSync(String((await readThread(env))['path']), 'utf8');
    expect(rollout).toContain('"type":"CommandExecution"');
    await env.mcp.close();
    const { spawnServer } = await import('./helpers.js');
    const next = await spawnServer(env.home, { env: { HOME: env.home } });
    const id = await next.sendThreadResumeRequest({ threadId: env.threadId });
    const resumed = (await next.readStreamUntilResponseMessage<Json>(id)).result;
    const items = (resumed['thread']['turns'] as Json[]).flatMap((t) => t['items'] as Json[]);
    expect(items.map((i) => i['type'])).toEqual(['userMessage', 'commandExecution', 'agentMessage']);
    expect(items[1]).toMatchObject({ id: 'call_1', command: "/bin/bash -lc 'echo hi'", status: 'completed', exitCode: 0, aggregatedOutput: 'hi\n', cwd: env.workspace });
  });
});

async function readThread(env: { mcp: import('../../src/testing/index.js').McpProcess; threadId: string }): Promise<Json> {
  const id = await env.mcp.sendThreadReadRequest({ threadId: env.threadId, includeTurns: true });
  return (await env.mcp.readStreamUntilResponseMessage<Json>(id)).result['thread'];
}
