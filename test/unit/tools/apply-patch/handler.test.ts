/**
 * The apply_patch handler through a fake ToolContext: what the client sees (items, approval requests), what the
 * model reads, what the rollout gets, for each path through the tool.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ApprovalCancelledError, createApplyPatchHandler, execOutputText, formatWallTime } from '../../../../src/tools/apply-patch/handler.js';
import { applyPatchToolSpec } from '../../../../src/tools/apply-patch/spec.js';
import { TurnDiffs } from '../../../../src/tools/apply-patch/turn-diff-tracker.js';
import type { ToolCall } from '../../../../src/tools/tool.js';
import { tempHomeForTest } from '../../../support/temp-home.js';
import { fakeContext, sandboxOf, type FakeContext } from './fake-context.js';

function workspace(): { cwd: string; outside: string } {
  const root = tempHomeForTest('cas-apply-');
  const cwd = path.join(root, 'work');
  mkdirSync(cwd);
  // A repository at the cwd pins the turn diff's paths to it, whatever lies above the temp dir (a stray /tmp/.git).
  mkdirSync(path.join(cwd, '.git'));
  writeFileSync(path.join(cwd, 'upd.txt'), 'one\ntwo\n');
  return { cwd, outside: path.join(root, 'outside.txt') };
}

const custom = (input: string, callId = 'call_1'): ToolCall => ({ type: 'custom_tool_call', name: 'apply_patch', callId, input });

function setup(cx: FakeContext) {
  const turnDiffs = new TurnDiffs();
  const handler = createApplyPatchHandler({ turnDiffs, emitTurnDiff: (threadId, turnId, diff) => cx.events.push({ kind: 'turn/diff/updated', diff: `${threadId}/${turnId}: ${diff}` }) });
  return { handler, turnDiffs };
}

const kinds = (cx: FakeContext): string[] => cx.events.map((e) => e.kind);

describe('apply_patch handler', () => {
  test('a patch inside the workspace: started, completed, recorded, turn diff, exec-style output', async () => {
    const { cwd } = workspace();
    const cx = fakeContext({ cwd });
    const { handler, turnDiffs } = setup(cx);
    const result = await handler.handle(custom('*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch'), cx);
    expect(result.output).toMatch(/^Exit code: 0\nWall time: [0-9.]+ seconds\nOutput:\nSuccess\. Updated the following files:\nA a\.txt\n$/);
    expect(kinds(cx)).toEqual(['item/started', 'item/completed', 'record', 'turn/diff/updated']);
    const [started, completed, record] = cx.events;
    const change = { path: `${cwd}/a.txt`, kind: { type: 'add' }, diff: 'hi\n' };
    expect(started).toEqual({ kind: 'item/started', item: { type: 'fileChange', id: 'call_1', changes: [change], status: 'inProgress', startedAtMs: 1_000_001, completedAtMs: null } });
    expect(completed).toMatchObject({ kind: 'item/completed', item: { type: 'fileChange', id: 'call_1', changes: [change], status: 'completed', startedAtMs: 1_000_001 } });
    expect(record).toMatchObject({
      kind: 'record',
      payloads: [{ type: 'item_completed', thread_id: 'thread-1', turn_id: 'turn-1', item: { type: 'FileChange', id: 'call_1', changes: { [`${cwd}/a.txt`]: { type: 'add', content: 'hi\n' } }, status: 'completed', stdout: 'Success. Updated the following files:\nA a.txt\n', stderr: '' }, started_at_ms: 1_000_001 }],
    });
    const diff = 'diff --git a/a.txt b/a.txt\nnew file mode 100644\nindex 0000000000000000000000000000000000000000..45b983be36b73c0788dc9cbcb76cbb80fc7bb057\n--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+hi\n';
    expect(cx.events[3]).toEqual({ kind: 'turn/diff/updated', diff: `thread-1/turn-1: ${diff}` });
    expect(turnDiffs.diffOf('turn-1')).toBe(diff);
    expect(readFileSync(path.join(cwd, 'a.txt'), 'utf8')).toBe('hi\n');
  });

  test('verification failures and refusals: only an output, no item, nothing written', async () => {
    const { cwd, outside } = workspace();
    const cx = fakeContext({ cwd, approvalPolicy: 'never' });
    const { handler } = setup(cx);
    expect((await handler.handle(custom('bad patch'), cx)).output).toBe("apply_patch verification failed: invalid patch: The first line of the patch must be '*** Begin Patch'");
    expect((await handler.handle(custom('*** Begin Patch\n*** End Patch'), cx)).output).toBe('patch rejected: empty patch');
    expect((await handler.handle(custom(`*** Begin Patch\n*** Add File: ${outside}\n+x\n*** End Patch`), cx)).output).toBe(
      'patch rejected: writing outside of the project; rejected by user approval settings',
    );
    expect((await handler.handle(custom('*** Begin Patch\n*** Add File: .git/hooks/x\n+x\n*** End Patch'), cx)).output).toBe(
      'patch rejected: writing outside of the project; rejected by user approval settings',
    );
    const readOnly = fakeContext({ cwd, approvalPolicy: 'never', sandbox: sandboxOf('read-only') });
    expect((await handler.handle(custom('*** Begin Patch\n*** Add File: a.txt\n+x\n*** End Patch'), readOnly)).output).toBe(
      'patch rejected: writing is blocked by read-only sandbox; rejected by user approval settings',
    );
    expect([...cx.events, ...readOnly.events]).toEqual([]);
    expect(existsSync(outside) || existsSync(path.join(cwd, '.git', 'hooks')) || existsSync(path.join(cwd, 'a.txt'))).toBe(false);
  });

  test('on-request outside the workspace, accepted: asked after item/started, then written outside', async () => {
    const { cwd, outside } = workspace();
    const cx = fakeContext({ cwd, approvalPolicy: 'on-request', decisions: ['accept'] });
    const { handler } = setup(cx);
    const result = await handler.handle(custom(`*** Begin Patch\n*** Add File: ${outside}\n+x\n*** End Patch`), cx);
    expect(kinds(cx)).toEqual(['item/started', 'approve', 'item/completed', 'record', 'turn/diff/updated']);
    expect(cx.events[1]).toEqual({
      kind: 'approve',
      request: {
        method: 'item/fileChange/requestApproval',
        params: { threadId: 'thread-1', turnId: 'turn-1', itemId: 'call_1', startedAtMs: 1_000_002, reason: null, grantRoot: null },
        sessionKey: `apply_patch:${outside}`,
      },
    });
    expect(result.output).toMatch(new RegExp(`^Exit code: 0\\nWall time: [0-9.]+ seconds\\nOutput:\\nSuccess\\. Updated the following files:\\nA ${outside}\\n$`));
    expect(readFileSync(outside, 'utf8')).toBe('x\n');
    // Shown absolute in the turn diff, as the reference does (`a//abs/path`).
    expect(cx.events[4]).toMatchObject({ diff: expect.stringContaining(`diff --git a/${outside} b/${outside}\n`) });
  });

  test('declined: item declined, the model reads the rejection, nothing written', async () => {
    const { cwd } = workspace();
    const cx = fakeContext({ cwd, approvalPolicy: 'on-request', sandbox: sandboxOf('read-only'), decisions: ['decline'] });
    const { handler, turnDiffs } = setup(cx);
    const result = await handler.handle(custom('*** Begin Patch\n*** Update File: upd.txt\n@@\n-one\n+ONE\n*** End Patch'), cx);
    expect(result.output).toBe('patch rejected by user');
    expect(kinds(cx)).toEqual(['item/started', 'approve', 'item/completed', 'record']);
    expect(cx.events[2]).toMatchObject({ item: { status: 'declined' } });
    expect(cx.events[3]).toMatchObject({ payloads: [{ item: { status: 'declined', stdout: '', stderr: 'patch rejected by user' } }] });
    expect(readFileSync(path.join(cwd, 'upd.txt'), 'utf8')).toBe('one\ntwo\n');
    expect(turnDiffs.diffOf('turn-1')).toBeNull();
  });

  test('acceptForSession writes like accept (the runner remembers the key)', async () => {
    const { cwd } = workspace();
    const cx = fakeContext({ cwd, approvalPolicy: 'on-request', sandbox: sandboxOf('read-only'), decisions: ['acceptForSession'] });
    const { handler } = setup(cx);
    await handler.handle(custom('*** Begin Patch\n*** Update File: upd.txt\n@@\n-one\n+ONE\n*** End Patch'), cx);
    expect(cx.events[1]).toMatchObject({ request: { sessionKey: `apply_patch:${cwd}/upd.txt` } });
    expect(readFileSync(path.join(cwd, 'upd.txt'), 'utf8')).toBe('ONE\ntwo\n');
  });

  test('acceptForSession: a later patch on approved paths only is not asked about; a new path is', async () => {
    const { cwd } = workspace();
    const cx = fakeContext({ cwd, approvalPolicy: 'on-request', sandbox: sandboxOf('read-only'), decisions: ['acceptForSession', 'accept'] });
    const { handler } = setup(cx);
    await handler.handle(custom('*** Begin Patch\n*** Add File: in.txt\n+inside\n*** Update File: upd.txt\n@@\n-one\n+ONE\n*** End Patch', 'call_1'), cx);
    await handler.handle(custom('*** Begin Patch\n*** Update File: upd.txt\n@@\n-ONE\n+UNO\n*** End Patch', 'call_2'), cx);
    expect(cx.events.filter((e) => e.kind === 'approve')).toHaveLength(1);
    await handler.handle(custom('*** Begin Patch\n*** Add File: in2.txt\n+x\n*** Update File: upd.txt\n@@\n-UNO\n+ONE\n*** End Patch', 'call_3'), cx);
    expect(cx.events.filter((e) => e.kind === 'approve').map((e) => (e.kind === 'approve' ? e.request.params['itemId'] : null))).toEqual(['call_1', 'call_3']);
    expect(readFileSync(path.join(cwd, 'upd.txt'), 'utf8')).toBe('ONE\ntwo\n');
  });

  test('cancelled: the turn is to be interrupted, the item never completes, nothing written', async () => {
    const { cwd } = workspace();
    const cx = fakeContext({ cwd, approvalPolicy: 'on-request', sandbox: sandboxOf('read-only'), decisions: ['cancel'] });
    const { handler } = setup(cx);
    await expect(handler.handle(custom('*** Begin Patch\n*** Update File: upd.txt\n@@\n-one\n+ONE\n*** End Patch'), cx)).rejects.toBeInstanceOf(ApprovalCancelledError);
    expect(kinds(cx)).toEqual(['item/started', 'approve']);
    expect(readFileSync(path.join(cwd, 'upd.txt'), 'utf8')).toBe('one\ntwo\n');
  });

  test('a turn interrupted before the write: nothing is written', async () => {
    const { cwd } = workspace();
    const abort = new AbortController();
    abort.abort();
    const cx = fakeContext({ cwd, signal: abort.signal });
    const { handler } = setup(cx);
    await expect(handler.handle(custom('*** Begin Patch\n*** Add File: a.txt\n+x\n*** End Patch'), cx)).rejects.toBeInstanceOf(ApprovalCancelledError);
    expect(existsSync(path.join(cwd, 'a.txt'))).toBe(false);
  });

  test('a write that fails: item failed, exit code 1 with the error as output, no turn diff', async () => {
    const { cwd } = workspace();
    const cx = fakeContext({ cwd });
    const { handler } = setup(cx);
    const result = await handler.handle(custom('*** Begin Patch\n*** Add File: upd.txt/x\n+x\n*** End Patch'), cx);
    expect(result.output).toMatch(new RegExp(`^Exit code: 1\\nWall time: [0-9.]+ seconds\\nOutput:\\nFailed to write file ${cwd}/upd.txt/x\\n$`));
    expect(kinds(cx)).toEqual(['item/started', 'item/completed', 'record']);
    expect(cx.events[1]).toMatchObject({ item: { status: 'failed' } });
    expect(cx.events[2]).toMatchObject({ payloads: [{ item: { status: 'failed', stdout: '', stderr: `Failed to write file ${cwd}/upd.txt/x\n` } }] });
  });

  test('the function form: JSON arguments with `input`; malformed arguments are reported', async () => {
    const { cwd } = workspace();
    const cx = fakeContext({ cwd });
    const handler = createApplyPatchHandler({ turnDiffs: new TurnDiffs(), emitTurnDiff: () => {}, type: 'function' });
    expect(handler.type).toBe('function');
    const fn = (args: string): ToolCall => ({ type: 'function_call', name: 'apply_patch', callId: 'call_9', input: args });
    const ok = await handler.handle(fn(JSON.stringify({ input: '*** Begin Patch\n*** Add File: f.txt\n+fn\n*** End Patch' })), cx);
    expect(ok.output).toContain('Success. Updated the following files:\nA f.txt\n');
    expect((await handler.handle(fn('{not json'), cx)).output).toMatch(/^failed to parse function arguments: /);
    expect((await handler.handle(fn('{}'), cx)).output).toBe('failed to parse function arguments: missing field `input`');
  });

  test('a function_call to the freeform tool is answered `aborted`, as the reference does (nothing written)', async () => {
    const { cwd } = workspace();
    const cx = fakeContext({ cwd });
    const { handler } = setup(cx);
    const result = await handler.handle({ type: 'function_call', name: 'apply_patch', callId: 'call_1', input: JSON.stringify({ input: '*** Begin Patch\n*** Add File: fn.txt\n+fn\n*** End Patch\n' }) }, cx);
    expect(result.output).toBe('aborted');
    expect(cx.events).toEqual([]);
    expect(existsSync(path.join(cwd, 'fn.txt'))).toBe(false);
  });

  test('output and wall-time formats', () => {
    expect([formatWallTime(0), formatWallTime(49), formatWallTime(50), formatWallTime(1049), formatWallTime(1100), formatWallTime(2000)]).toEqual(['0', '0', '0.1', '1', '1.1', '2']);
    expect(execOutputText({ exitCode: 0, stdout: 'Success. Updated the following files:\nM a\n', stderr: '' }, 1100)).toBe(
      'Exit code: 0\nWall time: 1.1 seconds\nOutput:\nSuccess. Updated the following files:\nM a\n',
    );
  });

  test('the tool spec is the reference freeform custom tool', () => {
    const spec = applyPatchToolSpec();
    expect(spec).toMatchObject({ type: 'custom', name: 'apply_patch', description: 'The `apply_patch` tool can be used to edit files. This is a FREEFORM tool, so do not wrap the patch in JSON.', format: { type: 'grammar', syntax: 'lark' } });
    expect((spec['format'] as { definition: string }).definition).toMatch(/^start: begin_patch hunk\+ end_patch\n[\s\S]*%import common\.LF\n$/);
  });
});
