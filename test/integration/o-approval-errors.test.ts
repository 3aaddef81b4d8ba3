/**
 * A client that answers an approval request with a JSON-RPC error, or with a result that is no decision. Reference
 * behaviour (0.169.0, the same mock script sent to both servers): the action does not happen, the model reads
 * `approval request failed`; a command's item ends `failed` (its flag clears after the item), a patch's item ends
 * `declined` (its flag clears before the item); the turn completes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { JsonRpcMessage } from '../../src/testing/index.js';
import { completedItem, execCall, finalAnswer, flow, notifications, patchCall, response, runToolTurn, toolEnv, toolOutput, type RequestAnswer } from './tools-helpers.js';

const answers: [string, RequestAnswer][] = [
  ['a JSON-RPC error', { error: { code: -32000, message: 'nope' } }],
  ['an unknown decision', { result: { decision: 'bogus' } }],
];

function approvalSteps(messages: JsonRpcMessage[]): string[] {
  const steps = flow(messages);
  const from = steps.indexOf('serverRequest/resolved');
  return steps.slice(from, from + 3);
}

describe.each(answers)('an approval answered with %s', (_name, answer) => {
  test('command: item failed, nothing runs, the model reads "approval request failed"', async () => {
    const cmd = 'echo escalated > esc.txt; echo escalated';
    const env = await toolEnv([response([execCall('call_1', { cmd, sandbox_permissions: 'require_escalated', justification: 'need it' })]), finalAnswer()], { approvalPolicy: 'on-request', sandboxMode: 'read-only' });
    const messages = await runToolTurn(env.mcp, env.threadId, 'go', () => answer);
    expect(approvalSteps(messages)).toEqual(['serverRequest/resolved', 'item/completed:commandExecution', 'status:active[]']);
    expect(completedItem(messages, 'commandExecution')).toMatchObject({ status: 'failed', exitCode: null, aggregatedOutput: null });
    expect(toolOutput(env, 2, 'call_1')).toBe('exec_command failed: CreateProcess { message: "Rejected(\\"approval request failed\\")" }');
    expect(existsSync(path.join(env.workspace, 'esc.txt'))).toBe(false);
    expect(notifications(messages, 'turn/completed')[0]!['turn']['status']).toBe('completed');
  });

  test('patch: item declined after the flag clears, nothing written, the model reads "approval request failed"', async () => {
    const patch = '*** Begin Patch\n*** Add File: added.txt\n+new\n*** End Patch\n';
    const env = await toolEnv([response([patchCall('call_2', patch)]), finalAnswer()], { approvalPolicy: 'on-request', sandboxMode: 'read-only' });
    const messages = await runToolTurn(env.mcp, env.threadId, 'patch', () => answer);
    expect(approvalSteps(messages)).toEqual(['serverRequest/resolved', 'status:active[]', 'item/completed:fileChange']);
    expect(completedItem(messages, 'fileChange')['status']).toBe('declined');
    expect(toolOutput(env, 2, 'call_2')).toBe('approval request failed');
    expect(existsSync(path.join(env.workspace, 'added.txt'))).toBe(false);
    expect(notifications(messages, 'turn/completed')[0]!['turn']['status']).toBe('completed');
  });
});
