/**
 * exec_command under the sandbox and the approval policies, through a fake ToolContext: what the model sees, the
 * items, and the approval requests, as the reference 0.169 produced them with the same scripts.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { spawn as ptySpawn } from 'node-pty';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { ApprovalDecision } from '../../../../src/tools/approval.js';
import { createExecTools, findBwrap, type ExecTools } from '../../../../src/tools/exec/index.js';
import type { ApprovalPolicy, ToolContext } from '../../../../src/tools/tool.js';
import { execCall, fakeContext, outputOf, READ_ONLY, tempDir, WORKSPACE } from './fake-context.js';

const BWRAP = findBwrap(process.env['PATH'], (f) => existsSync(f));

let tools: ExecTools | null = null;
afterEach(async () => {
  await tools?.close();
  tools = null;
});

async function exec(cx: ToolContext, args: unknown, bwrapPath: string | null = BWRAP, name = 'exec_command'): Promise<{ output: string; abortTurn?: boolean }> {
  tools ??= createExecTools({ bwrapPath, spawnPty: ptySpawn });
  return tools.handlers.find((h) => h.name === name)!.handle(execCall(args, name), cx);
}

/** Host pids whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(marker)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids.filter((pid) => pid !== process.pid);
}

describe('commands under the sandbox', () => {
  test('read-only: a write fails inside the sandbox and the model sees "Read-only file system"', async () => {
    const cwd = tempDir();
    const { cx, rec } = fakeContext({ cwd, sandbox: READ_ONLY });
    const { output } = await exec(cx, { cmd: 'echo x > f.txt', login: false });
    expect(output).toContain('Process exited with code 1\n');
    expect(outputOf(output)).toBe('/bin/bash: line 1: f.txt: Read-only file system\n');
    expect(existsSync(path.join(cwd, 'f.txt'))).toBe(false);
    expect(rec.events.at(-1)!.payload).toMatchObject({ status: 'failed', exitCode: 1 });
  });

  test('workspace-write: the cwd is writable, .git is not', async () => {
    const cwd = tempDir();
    mkdirSync(path.join(cwd, '.git'));
    const { cx } = fakeContext({ cwd, sandbox: WORKSPACE });
    const { output } = await exec(cx, { cmd: 'echo y > inside.txt; echo z > .git/f; echo $CODEX_SANDBOX_NETWORK_DISABLED', login: false });
    expect(outputOf(output)).toBe('/bin/bash: line 1: .git/f: Read-only file system\n1\n');
    expect(readFileSync(path.join(cwd, 'inside.txt'), 'utf8')).toBe('y\n');
  });

  test('workspace-write: a missing .codex cannot be created, and no trace of its mount point is left', async () => {
    const cwd = tempDir();
    const { cx } = fakeContext({ cwd, sandbox: WORKSPACE });
    const { output } = await exec(cx, { cmd: 'mkdir -p .codex/x; echo bad > .codex/config.toml; ls -A', login: false });
    expect(outputOf(output)).toContain('.codex/config.toml: Read-only file system');
    expect(readdirSync(cwd)).toEqual([]);
  });

  test('a sandboxed tty session is fed by write_stdin', async () => {
    const { cx } = fakeContext({ cwd: tempDir(), sandbox: READ_ONLY });
    const first = await exec(cx, { cmd: 'read x; echo "got $x"', login: false, tty: true, yield_time_ms: 250 });
    const id = Number(/session ID (\d+)/.exec(first.output)![1]);
    const second = await exec(cx, { session_id: id, chars: 'hi\n', yield_time_ms: 30_000 }, BWRAP, 'write_stdin');
    expect(second.output).toContain('Process exited with code 0');
    expect(outputOf(second.output)).toContain('got hi\r\n');
  });

  test('killing a sandboxed session kills everything inside the sandbox', async () => {
    const marker = `sleep 98765${process.pid % 10}`;
    const { cx } = fakeContext({ cwd: tempDir(), sandbox: READ_ONLY });
    const first = await exec(cx, { cmd: `(${marker}; true) & ${marker}; true`, login: false, yield_time_ms: 250 });
    expect(first.output).toContain('Process running with session ID');
    await expect.poll(() => processesWith(marker).length, { timeout: 10_000 }).toBeGreaterThan(1);
    await tools!.close();
    await expect.poll(() => processesWith(marker), { timeout: 10_000 }).toEqual([]);
  });

  test('no bubblewrap and a policy that cannot ask: refused, never run unconfined', async () => {
    const cwd = tempDir();
    const { cx, rec } = fakeContext({ cwd, sandbox: WORKSPACE, approvalPolicy: 'never' });
    const { output } = await exec(cx, { cmd: 'echo y > inside.txt', login: false }, null);
    expect(output).toBe('exec_command failed: CreateProcess { message: "Rejected(\\"sandbox unavailable: bubblewrap (bwrap) is not installed\\")" }');
    expect(existsSync(path.join(cwd, 'inside.txt'))).toBe(false);
    expect(rec.events.at(-1)!.payload).toMatchObject({ status: 'failed', exitCode: -1 });
  });

  test('no bubblewrap under on-request: runs unconfined only once the client accepts', async () => {
    const cwd = tempDir();
    const { cx, rec } = fakeContext({ cwd, sandbox: WORKSPACE, approvalPolicy: 'on-request', decision: 'accept' });
    const { output } = await exec(cx, { cmd: 'echo ok', login: false }, null);
    expect(outputOf(output)).toBe('ok\n');
    expect(rec.approvals).toHaveLength(1);
    expect(rec.approvals[0]!.params['reason']).toMatch(/^Codex could not find bubblewrap on PATH/);
  });
});

describe('escalation (sandbox_permissions: require_escalated)', () => {
  const escalated = { cmd: 'echo esc', login: false, sandbox_permissions: 'require_escalated', justification: 'Need to write outside' };

  test.each<[ApprovalPolicy, string]>([
    ['never', 'approval policy is Never; reject command — you cannot ask for escalated permissions if the approval policy is Never'],
    [
      { granular: { sandbox_approval: false, rules: true, skill_approval: true, request_permissions: true, mcp_elicitations: true } },
      'approval policy is Granular(GranularApprovalConfig { sandbox_approval: false, rules: true, skill_approval: true, request_permissions: true, mcp_elicitations: true }); reject command — you cannot ask for escalated permissions if the approval policy is Granular(GranularApprovalConfig { sandbox_approval: false, rules: true, skill_approval: true, request_permissions: true, mcp_elicitations: true })',
    ],
  ])('under %j it is refused without asking', async (approvalPolicy, text) => {
    const { cx, rec } = fakeContext({ cwd: tempDir(), sandbox: WORKSPACE, approvalPolicy });
    expect((await exec(cx, escalated)).output).toBe(text);
    expect(rec.approvals).toEqual([]);
    expect(rec.events).toEqual([]);
  });

  test('on-request + accept: asks with the reference params, then runs outside the sandbox', async () => {
    const cwd = tempDir();
    const outside = path.join(tempDir(), 'escaped.txt');
    const { cx, rec } = fakeContext({ cwd, sandbox: { ...READ_ONLY }, approvalPolicy: 'on-request', decision: 'accept' });
    const { output } = await exec(cx, { ...escalated, cmd: `echo esc > ${outside}; cat ${outside}` });
    expect(outputOf(output)).toBe('esc\n');
    expect(readFileSync(outside, 'utf8')).toBe('esc\n');
    const request = rec.approvals[0]!;
    expect(request.method).toBe('item/commandExecution/requestApproval');
    const argv = ['/bin/bash', '-c', `echo esc > ${outside}; cat ${outside}`];
    expect(request.params).toEqual({
      kind: 'command', threadId: 'thread-1', turnId: 'turn-1', itemId: expect.any(String), startedAtMs: expect.any(Number), environmentId: 'local',
      reason: 'Need to write outside', command: `/bin/bash -c 'echo esc > ${outside}; cat ${outside}'`, cwd,
      commandActions: [{ type: 'unknown', command: `echo esc > ${outside}; cat ${outside}` }],
      proposedExecpolicyAmendment: argv,
      availableDecisions: ['accept', { acceptWithExecpolicyAmendment: { execpolicy_amendment: argv } }, 'cancel'],
    });
    expect(request.sessionKey).toBe(JSON.stringify(argv));
    // Started before asking (no process yet, source agent); completed with the process.
    expect(rec.events[0]!.payload).toMatchObject({ status: 'inProgress', processId: null, source: 'agent' });
    expect(rec.events.at(-1)!.payload).toMatchObject({ status: 'completed', source: 'unifiedExecStartup', processId: expect.stringMatching(/^\d+$/) });
  });

  test('a plain command proposes its words as the amendment; prefix_rule wins', async () => {
    const { cx, rec } = fakeContext({ cwd: tempDir(), sandbox: WORKSPACE, approvalPolicy: 'on-request', decision: 'accept' });
    await exec(cx, { ...escalated, cmd: 'echo two' });
    await exec(cx, { ...escalated, cmd: 'echo three', prefix_rule: ['echo'] });
    expect(rec.approvals.map((a) => a.params['proposedExecpolicyAmendment'])).toEqual([['echo', 'two'], ['echo']]);
  });

  test.each<[ApprovalDecision, boolean]>([
    ['decline', false],
    ['cancel', true],
  ])('on-request + %s: the item is declined and the model gets the rejection', async (decision, abortTurn) => {
    const cwd = tempDir();
    const { cx, rec } = fakeContext({ cwd, sandbox: WORKSPACE, approvalPolicy: 'on-request', decision });
    const result = await exec(cx, { ...escalated, cmd: 'echo two > two.txt' });
    expect(result.output).toBe('exec_command failed: CreateProcess { message: "Rejected(\\"rejected by user\\")" }');
    expect(result.abortTurn === true).toBe(abortTurn);
    expect(existsSync(path.join(cwd, 'two.txt'))).toBe(false);
    expect(rec.events.map((e) => [e.kind, e.payload['status']])).toEqual([['started', 'inProgress'], ['completed', 'declined']]);
    expect(rec.events[1]!.payload).toMatchObject({ processId: null, source: 'agent', exitCode: null, aggregatedOutput: null, durationMs: null });
    expect(rec.records).toEqual([]);
  });

  test('on-failure asks too (as 0.169 does)', async () => {
    const { cx, rec } = fakeContext({ cwd: tempDir(), sandbox: WORKSPACE, approvalPolicy: 'on-failure', decision: 'accept' });
    expect(outputOf((await exec(cx, escalated)).output)).toBe('esc\n');
    expect(rec.approvals).toHaveLength(1);
  });

  test('use_default with a justification runs in the sandbox without asking', async () => {
    const { cx, rec } = fakeContext({ cwd: tempDir(), sandbox: WORKSPACE, approvalPolicy: 'on-request' });
    expect(outputOf((await exec(cx, { ...escalated, sandbox_permissions: 'use_default' })).output)).toBe('esc\n');
    expect(rec.approvals).toEqual([]);
  });

  test('granular with sandbox_approval asks; without it refuses', async () => {
    const granular = (sandbox_approval: boolean): ApprovalPolicy => ({ granular: { sandbox_approval, rules: true, skill_approval: true, request_permissions: true, mcp_elicitations: true } });
    const asked = fakeContext({ cwd: tempDir(), sandbox: WORKSPACE, approvalPolicy: granular(true), decision: 'accept' });
    expect(outputOf((await exec(asked.cx, escalated)).output)).toBe('esc\n');
    const refused = fakeContext({ cwd: tempDir(), sandbox: WORKSPACE, approvalPolicy: granular(false) });
    expect((await exec(refused.cx, escalated)).output).toMatch(/^approval policy is Granular\(.*\); reject command/);
  });
});

describe('an interrupted turn runs nothing', () => {
  test('a call made after the interrupt answers "aborted by user" without items', async () => {
    const controller = new AbortController();
    controller.abort();
    const cwd = tempDir();
    const { cx, rec } = fakeContext({ cwd, signal: controller.signal });
    expect((await exec(cx, { cmd: 'echo x > x.txt', login: false })).output).toBe('Wall time: 0.0 seconds\naborted by user');
    expect(existsSync(path.join(cwd, 'x.txt'))).toBe(false);
    expect(rec.events).toEqual([]);
  });

  test('an approval answered after the interrupt does not start the command', async () => {
    const controller = new AbortController();
    const cwd = tempDir();
    const { cx } = fakeContext({ cwd, sandbox: WORKSPACE, approvalPolicy: 'on-request', signal: controller.signal });
    const approving: ToolContext = { ...cx, approve: async () => { controller.abort(); return 'accept'; } };
    const result = await exec(approving, { cmd: 'echo x > x.txt', login: false, sandbox_permissions: 'require_escalated', justification: 'j' });
    expect(result.output).toBe('Wall time: 0.0 seconds\naborted by user');
    expect(existsSync(path.join(cwd, 'x.txt'))).toBe(false);
  });
});
