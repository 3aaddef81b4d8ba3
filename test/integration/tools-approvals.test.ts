/**
 * Approvals as server→client requests (issue 14): escalation accepted and declined, a client that answers with an
 * error, an interrupt while the approval is pending, `acceptForSession` remembered for the thread, and apply_patch
 * add/update/delete asking for approval. Orders and texts as Codex 0.169.0 sends them to the same mock script.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { JsonRpcMessage } from '../../src/testing/index.js';
import { completedItem, execCall, finalAnswer, flow, notifications, patchCall, response, runToolTurn, toolEnv, toolOutput } from './tools-helpers.js';
import type { Json } from './helpers.js';

const escalated = (callId: string, cmd = 'echo escalated > esc.txt; echo escalated') =>
  response([execCall(callId, { cmd, sandbox_permissions: 'require_escalated', justification: 'need it' })]);

function approvalFlow(messages: JsonRpcMessage[]): string[] {
  return flow(messages).filter((m) => m !== 'thread/started' && !m.startsWith('thread/tokenUsage') && !m.startsWith('account/') && !m.includes('userMessage') && m !== 'turn/started');
}

describe('approvals', () => {
  test('an escalated command under on-request asks the client; accepted, it runs outside the sandbox', async () => {
    const env = await toolEnv([escalated('call_1'), finalAnswer()], { approvalPolicy: 'on-request', sandboxMode: 'read-only' });
    const requests: Json[] = [];
    const messages = await runToolTurn(env.mcp, env.threadId, 'go', (r) => {
      requests.push(r as Json);
      return { result: { decision: 'accept' } };
    });
    expect(approvalFlow(messages).slice(0, 7)).toEqual([
      'status:active[]',
      'status:active[waitingOnApproval]',
      'item/started:commandExecution',
      'item/commandExecution/requestApproval',
      'serverRequest/resolved',
      'status:active[]',
      'item/completed:commandExecution',
    ]);
    expect(requests[0]).toMatchObject({
      method: 'item/commandExecution/requestApproval',
      id: 0,
      params: { kind: 'command', threadId: env.threadId, itemId: 'call_1', environmentId: 'local', reason: 'need it', command: "/bin/bash -lc 'echo escalated > esc.txt; echo escalated'", cwd: env.workspace },
    });
    expect(notifications(messages, 'serverRequest/resolved')).toEqual([{ threadId: env.threadId, requestId: 0 }]);
    expect(completedItem(messages, 'commandExecution')).toMatchObject({ status: 'completed', exitCode: 0, aggregatedOutput: 'escalated\n' });
    expect(readFileSync(path.join(env.workspace, 'esc.txt'), 'utf8')).toBe('escalated\n');
  });

  test('declined: the item is declined, the command never runs, and the model is told it was rejected', async () => {
    const env = await toolEnv([escalated('call_1'), finalAnswer()], { approvalPolicy: 'on-request', sandboxMode: 'read-only' });
    const messages = await runToolTurn(env.mcp, env.threadId, 'go', () => ({ result: { decision: 'decline' } }));
    expect(approvalFlow(messages).slice(1, 7)).toEqual([
      'status:active[waitingOnApproval]',
      'item/started:commandExecution',
      'item/commandExecution/requestApproval',
      'serverRequest/resolved',
      'item/completed:commandExecution',
      'status:active[]',
    ]);
    expect(completedItem(messages, 'commandExecution')['status']).toBe('declined');
    expect(toolOutput(env, 2, 'call_1')).toBe('exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }');
    expect(existsSync(path.join(env.workspace, 'esc.txt'))).toBe(false);
    expect(notifications(messages, 'turn/completed')[0]!['turn']['status']).toBe('completed');
  });

  test('a client answering the approval with an error is not obeyed: nothing runs and the turn goes on', async () => {
    const env = await toolEnv([escalated('call_1'), finalAnswer()], { approvalPolicy: 'on-request', sandboxMode: 'read-only' });
    const messages = await runToolTurn(env.mcp, env.threadId, 'go', () => ({ error: { code: -32000, message: 'nope' } }));
    expect(notifications(messages, 'serverRequest/resolved')).toEqual([{ threadId: env.threadId, requestId: 0 }]);
    expect(existsSync(path.join(env.workspace, 'esc.txt'))).toBe(false);
    expect(notifications(messages, 'turn/completed')[0]!['turn']['status']).toBe('completed');
    expect(toolOutput(env, 2, 'call_1')).toMatch(/^exec_command failed: CreateProcess/);
  });

  test('turn/interrupt while the approval is pending ends the turn; the request is resolved after turn/completed', async () => {
    const env = await toolEnv([escalated('call_1'), finalAnswer()], { approvalPolicy: 'on-request', sandboxMode: 'read-only' });
    const messages = await runToolTurn(
      env.mcp,
      env.threadId,
      'go',
      () => null,
      async (m) => {
        if ('method' in m && m.method === 'item/commandExecution/requestApproval') await env.mcp.sendTurnInterruptRequest({ threadId: env.threadId, turnId: (m.params as Json)['turnId'] });
      },
    );
    expect(notifications(messages, 'turn/completed')[0]!['turn']['status']).toBe('interrupted');
    const resolved = await env.mcp.readStreamUntilNotificationMessage<Json>('serverRequest/resolved');
    expect(resolved.params).toEqual({ threadId: env.threadId, requestId: 0 });
    expect(notifications(messages, 'item/completed').some((p) => p['item']['type'] === 'commandExecution')).toBe(false);
    expect(existsSync(path.join(env.workspace, 'esc.txt'))).toBe(false);
  });

  test('a client that goes away while an approval is pending does not hang the server: it exits and nothing ran', async () => {
    const env = await toolEnv([escalated('call_1'), finalAnswer()], { approvalPolicy: 'on-request', sandboxMode: 'read-only' });
    await env.mcp.sendTurnStartRequest({ threadId: env.threadId, input: [{ type: 'text', text: 'go', text_elements: [] }] });
    await env.mcp.readStreamUntilServerRequest('item/commandExecution/requestApproval');
    await env.mcp.closeStdin();
    expect((await env.mcp.waitForExit()).code).toBe(0);
    expect(existsSync(path.join(env.workspace, 'esc.txt'))).toBe(false);
  });

  test('acceptForSession is remembered for the thread: the same command is not asked again', async () => {
    const env = await toolEnv([escalated('call_1', 'echo once'), finalAnswer(), escalated('call_2', 'echo once'), finalAnswer()], { approvalPolicy: 'on-request', sandboxMode: 'read-only' });
    let asked = 0;
    const answer = () => {
      asked += 1;
      return { result: { decision: 'acceptForSession' } };
    };
    await runToolTurn(env.mcp, env.threadId, 'first', answer);
    const second = await runToolTurn(env.mcp, env.threadId, 'second', answer);
    expect(asked).toBe(1);
    expect(completedItem(second, 'commandExecution')).toMatchObject({ status: 'completed', aggregatedOutput: 'once\n' });
  });
});

describe('apply_patch', () => {
  test('add, update and delete with approval: fileChange item, the files written, and the turn diff', async () => {
    const patch = ['*** Begin Patch', '*** Add File: new.txt', '+new line', '*** Update File: hello.txt', '@@', ' hello', '-world', '+there', '*** Delete File: gone.txt', '*** End Patch'].join('\n');
    const env = await toolEnv([response([patchCall('call_p', patch)]), finalAnswer()], { approvalPolicy: 'on-request', sandboxMode: 'read-only' });
    writeFileSync(path.join(env.workspace, 'gone.txt'), 'bye\n');
    const requests: Json[] = [];
    const messages = await runToolTurn(env.mcp, env.threadId, 'edit', (r) => {
      requests.push(r as Json);
      return { result: { decision: 'accept' } };
    });
    expect(approvalFlow(messages).slice(1, 9)).toEqual([
      'item/started:fileChange',
      'status:active[waitingOnApproval]',
      'item/fileChange/requestApproval',
      'serverRequest/resolved',
      'status:active[]',
      'item/completed:fileChange',
      'turn/diff/updated',
      'turn/diff/updated',
    ]);
    expect(requests[0]!['params']).toMatchObject({ threadId: env.threadId, itemId: 'call_p', reason: null, grantRoot: null });
    const item = completedItem(messages, 'fileChange');
    expect(item['status']).toBe('completed');
    expect((item['changes'] as Json[]).map((c) => [path.basename(String(c['path'])), c['kind']['type']])).toEqual([
      ['gone.txt', 'delete'],
      ['hello.txt', 'update'],
      ['new.txt', 'add'],
    ]);
    expect(readFileSync(path.join(env.workspace, 'new.txt'), 'utf8')).toBe('new line\n');
    expect(readFileSync(path.join(env.workspace, 'hello.txt'), 'utf8')).toBe('hello\nthere\n');
    expect(existsSync(path.join(env.workspace, 'gone.txt'))).toBe(false);
    const diff = String(notifications(messages, 'turn/diff/updated')[0]!['diff']);
    // Paths are relative to the git repository holding the workspace, else to the workspace (a stray /tmp/.git counts).
    expect(diff).toMatch(/diff --git a\/(\S*\/)?hello\.txt b\/(\S*\/)?hello\.txt/);
    expect(diff).toContain('+there');
    expect(toolOutput(env, 2, 'call_p')).toMatch(/^Exit code: 0\nWall time: [\d.]+ seconds\nOutput:\nSuccess. Updated the following files:\nA new.txt\nM hello.txt\nD gone.txt\n$/);
  });

  test('a patch that does not apply is reported to the model and the turn goes on', async () => {
    const patch = ['*** Begin Patch', '*** Update File: hello.txt', '@@', '-not there', '+x', '*** End Patch'].join('\n');
    const env = await toolEnv([response([patchCall('call_p', patch)]), finalAnswer()]);
    const messages = await runToolTurn(env.mcp, env.threadId, 'edit');
    expect(notifications(messages, 'turn/completed')[0]!['turn']['status']).toBe('completed');
    expect(toolOutput(env, 2, 'call_p')).toMatch(/^apply_patch verification failed: /);
  });
});
