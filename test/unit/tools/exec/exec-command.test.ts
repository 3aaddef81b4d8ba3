/**
 * exec_command / write_stdin on real processes (full-access sandbox here; the sandbox has its own tests). No timing
 * assertions: long-running commands wait on a fifo or on input the test controls.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn as ptySpawn } from 'node-pty';
import { afterEach, describe, expect, test } from 'vitest';
import { createExecTools, type ExecTools } from '../../../../src/tools/exec/index.js';
import type { ToolContext } from '../../../../src/tools/tool.js';
import { execCall, fakeContext, outputOf, sessionIdOf, tempDir } from './fake-context.js';

let tools: ExecTools | null = null;
function makeTools(): ExecTools {
  tools = createExecTools({ bwrapPath: null, spawnPty: ptySpawn });
  return tools;
}
afterEach(async () => {
  await tools?.close();
  tools = null;
});

async function run(cx: ToolContext, name: string, args: unknown): Promise<string> {
  const handler = tools!.handlers.find((h) => h.name === name)!;
  return (await handler.handle(execCall(args, name), cx)).output;
}

describe('exec_command', () => {
  test('a harmless command: items, deltas, the reference output layout and its rollout line', async () => {
    makeTools();
    const cwd = tempDir();
    const { cx, rec } = fakeContext({ cwd });
    const out = await run(cx, 'exec_command', { cmd: 'echo hi', login: false });
    expect(out).toMatch(/^Chunk ID: [0-9a-f]{6}\nWall time: \d+\.\d{4} seconds\nProcess exited with code 0\nOriginal token count: 1\nOutput:\nhi\n$/);
    const started = rec.events[0]!;
    expect(started.kind).toBe('started');
    expect(started.payload).toMatchObject({
      type: 'commandExecution', command: "/bin/bash -c 'echo hi'", cwd, source: 'unifiedExecStartup', status: 'inProgress',
      commandActions: [{ type: 'unknown', command: 'echo hi' }], aggregatedOutput: null, exitCode: null, durationMs: null,
    });
    expect(started.payload['processId']).toMatch(/^\d{4,5}$/);
    const deltas = rec.events.filter((e) => e.method === 'item/commandExecution/outputDelta').map((e) => e.payload['delta']).join('');
    expect(deltas).toBe('hi\n');
    const completed = rec.events.at(-1)!;
    expect(completed.payload).toMatchObject({ status: 'completed', exitCode: 0, aggregatedOutput: 'hi\n' });
    expect(typeof completed.payload['durationMs']).toBe('number');
    expect(rec.records).toHaveLength(1);
    expect(rec.records[0]).toMatchObject({
      type: 'item_completed', thread_id: 'thread-1', turn_id: 'turn-1',
      item: { type: 'CommandExecution', command: ['/bin/bash', '-c', 'echo hi'], cwd: `file://${cwd}`, parsed_cmd: [{ type: 'unknown', cmd: 'echo hi' }], source: 'unified_exec_startup', status: 'completed', aggregated_output: 'hi\n', exit_code: 0 },
    });
  });

  test('a non-zero exit fails the item and is reported', async () => {
    makeTools();
    const { cx, rec } = fakeContext({ cwd: tempDir() });
    const out = await run(cx, 'exec_command', { cmd: 'echo oops >&2; exit 3', login: false });
    expect(out).toContain('Process exited with code 3\n');
    expect(outputOf(out)).toBe('oops\n');
    expect(rec.events.at(-1)!.payload).toMatchObject({ status: 'failed', exitCode: 3 });
  });

  test('the environment carries the reference additions and the workdir is resolved against the cwd', async () => {
    makeTools();
    const cwd = tempDir();
    execFileSync('mkdir', [path.join(cwd, 'sub')]);
    const { cx } = fakeContext({ cwd, env: { PATH: process.env['PATH'], MY_TOKEN: 'kept' } });
    const out = await run(cx, 'exec_command', { cmd: 'pwd; echo $NO_COLOR $TERM $PAGER $CODEX_CI $MY_TOKEN $CODEX_THREAD_ID', workdir: 'sub', login: false });
    expect(outputOf(out)).toBe(`${path.join(cwd, 'sub')}\n1 dumb cat 1 kept thread-1\n`);
  });

  test('a missing workdir fails with the reference text', async () => {
    makeTools();
    const { cx, rec } = fakeContext({ cwd: tempDir() });
    const out = await run(cx, 'exec_command', { cmd: 'pwd', workdir: '/nonexistent-dir-xyz' });
    expect(out).toBe('exec_command failed: CreateProcess { message: "Rejected(\\"Failed to create unified exec process: No such file or directory (os error 2)\\")" }');
    expect(rec.events.map((e) => e.kind)).toEqual(['started', 'completed']);
    expect(rec.events[1]!.payload).toMatchObject({ status: 'failed', exitCode: -1, processId: null });
  });

  test('a long-running command becomes a session that write_stdin polls until it exits', async () => {
    makeTools();
    const cwd = tempDir();
    const fifo = path.join(cwd, 'gate');
    execFileSync('mkfifo', [fifo]);
    const { cx, rec } = fakeContext({ cwd });
    const first = await run(cx, 'exec_command', { cmd: `echo before; read line < ${fifo}; echo "got $line"`, login: false, yield_time_ms: 250 });
    const id = sessionIdOf(first);
    expect(outputOf(first)).toBe('before\n');
    expect(rec.events.filter((e) => e.kind === 'completed')).toHaveLength(0);
    writeFileSync(fifo, 'go\n');
    const second = await run(cx, 'write_stdin', { session_id: id, yield_time_ms: 30_000 });
    expect(second).toContain('Process exited with code 0\n');
    expect(outputOf(second)).toBe('got go\n');
    expect(rec.events.at(-1)!.payload).toMatchObject({ status: 'completed', aggregatedOutput: 'before\ngot go\n' });
    expect(await run(cx, 'write_stdin', { session_id: id })).toBe(`write_stdin failed: Unknown process id ${id}`);
  });

  test('tty=true runs on a pseudo-terminal that write_stdin feeds', async () => {
    makeTools();
    const { cx, rec } = fakeContext({ cwd: tempDir() });
    const first = await run(cx, 'exec_command', { cmd: 'tty >/dev/null && echo is-a-tty; read x; echo "you said $x"', login: false, tty: true, yield_time_ms: 250 });
    const id = sessionIdOf(first);
    const answer = await run(cx, 'write_stdin', { session_id: id, chars: 'hello\n', yield_time_ms: 30_000 });
    expect(answer).toContain('Process exited with code 0');
    expect(rec.events.find((e) => e.method === 'item/commandExecution/terminalInteraction')!.payload).toEqual({ itemId: expect.any(String), processId: String(id), stdin: 'hello\n' });
    const all = rec.events.at(-1)!.payload['aggregatedOutput'] as string;
    expect(all).toContain('is-a-tty\r\n');
    expect(all).toContain('you said hello\r\n');
  });

  test('write_stdin to a pipe session is refused with the reference text', async () => {
    makeTools();
    const cwd = tempDir();
    const fifo = path.join(cwd, 'gate');
    execFileSync('mkfifo', [fifo]);
    const { cx } = fakeContext({ cwd });
    const id = sessionIdOf(await run(cx, 'exec_command', { cmd: `read l < ${fifo}`, login: false, yield_time_ms: 250 }));
    expect(await run(cx, 'write_stdin', { session_id: id, chars: 'x' })).toBe('write_stdin failed: stdin is closed for this session; rerun exec_command with tty=true to keep stdin open');
    writeFileSync(fifo, 'x\n');
  });

  test('max_output_tokens truncates as the reference does', async () => {
    makeTools();
    const { cx } = fakeContext({ cwd: tempDir() });
    const out = await run(cx, 'exec_command', { cmd: 'seq 1 30000', login: false, max_output_tokens: 50 });
    expect(out).toContain('Original token count: 42224\nOutput:\nWarning: truncated output (original token count: 42224)\nTotal output lines: 30000\n\n1\n2\n');
    expect(out).toContain('…42174 tokens truncated…');
  });

  test('3 MB of output: the reference text for an output whose middle the 1 MiB buffer dropped', async () => {
    makeTools();
    const { cx, rec } = fakeContext({ cwd: tempDir() });
    const out = await run(cx, 'exec_command', { cmd: 'seq 1 500000', login: false, yield_time_ms: 30_000 });
    // Captured from the reference 0.169 (mock model, so the byte policy).
    expect(out).toContain('Original token count: 847224\nOutput:\nWarning: truncated output (original token count: 847224)\n... 2340319 bytes omitted ...\n\n1\n2\n3\n');
    expect(out).toContain('…1038607 chars truncated…');
    const aggregated = rec.events.at(-1)!.payload['aggregatedOutput'] as string;
    expect(aggregated.length).toBe(1048607);
    expect(aggregated).toContain('\n... 2340319 bytes omitted ...\n');
  });

  test('100 MB of output keeps the buffers at their 1 MiB caps', async () => {
    makeTools();
    const { cx, rec } = fakeContext({ cwd: tempDir() });
    const out = await run(cx, 'exec_command', { cmd: 'head -c 100000000 /dev/zero | tr "\\0" a', login: false, yield_time_ms: 30_000, max_output_tokens: 10 });
    expect(out).toContain('Process exited with code 0');
    // The model sees the 1 MiB the buffer kept (head and tail around the omission marker), counted as the original.
    expect(out).toContain('Original token count: 25000000\nOutput:\nWarning: truncated output (original token count: 25000000)\n... 98951424 bytes omitted ...\n\n');
    const aggregated = rec.events.at(-1)!.payload['aggregatedOutput'] as string;
    expect(aggregated.length).toBe(1024 * 1024 + '\n... 98951424 bytes omitted ...\n'.length);
    const deltas = rec.events.filter((e) => e.method === 'item/commandExecution/outputDelta');
    expect(deltas.length).toBeLessThanOrEqual(10_000);
    expect(JSON.stringify(rec.records[0]).length).toBeLessThan(70_000);
  }, 120_000);

  test('an interrupt kills the process group (grandchildren included) and every other session, fails their items, answers "aborted by user"', async () => {
    makeTools();
    const cwd = tempDir();
    const pidFile = path.join(cwd, 'grandchild.pid');
    const earlier = fakeContext({ cwd });
    sessionIdOf(await run(earlier.cx, 'exec_command', { cmd: 'sleep 1000', login: false, yield_time_ms: 250 }));
    const controller = new AbortController();
    const { cx, rec } = fakeContext({ cwd, signal: controller.signal });
    const pending = run(cx, 'exec_command', { cmd: `(sleep 1000 & echo $! > ${pidFile}; wait) ; echo never`, login: false, yield_time_ms: 30_000 });
    // Abort once the grandchild exists.
    await new Promise<void>((resolve) => {
      const poll = (): void => {
        if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '') resolve();
        else setTimeout(poll, 20);
      };
      poll();
    });
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    controller.abort();
    expect(await pending).toMatch(/^Wall time: \d+\.\d seconds\naborted by user$/);
    expect(rec.events.at(-1)!.payload).toMatchObject({ status: 'failed', exitCode: -1 });
    expect(rec.records.at(-1)).toMatchObject({ item: { status: 'failed', exit_code: -1 } });
    expect(earlier.rec.events.at(-1)!.payload).toMatchObject({ status: 'failed', exitCode: -1 });
    await expect.poll(() => isAlive(grandchild), { timeout: 10_000 }).toBe(false);
  });

  test('close() kills every running session', async () => {
    const t = makeTools();
    const { cx, rec } = fakeContext({ cwd: tempDir() });
    const out = await run(cx, 'exec_command', { cmd: 'sleep 1000', login: false, yield_time_ms: 250 });
    sessionIdOf(out);
    await t.close();
    expect(rec.events.at(-1)!.payload).toMatchObject({ status: 'failed', exitCode: -1 });
  });
});

describe('malformed arguments are reported to the model', () => {
  test.each([
    ['exec_command', 'not json', 'failed to parse function arguments: expected ident at line 1 column 2'],
    ['exec_command', '{"workdir":"x"}', 'failed to parse function arguments: missing field `cmd` at line 1 column 15'],
    ['write_stdin', '{"chars":"x"}', 'failed to parse function arguments: missing field `session_id` at line 1 column 13'],
    ['write_stdin', '{"session_id":1}', 'write_stdin failed: Unknown process id 1'],
    ['exec_command', '{"cmd":"echo hi","justification":"why"}', '`justification` requires an explicit `sandbox_permissions`; use `sandbox_permissions: "require_escalated"` for unsandboxed execution, or omit `justification`.'],
  ])('%s %s', async (name, input, text) => {
    makeTools();
    const { cx, rec } = fakeContext({ cwd: tempDir() });
    expect(await run(cx, name, input)).toBe(text);
    expect(rec.events).toEqual([]);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2]!.startsWith('Z');
  } catch {
    return false;
  }
}

describe('spawn failures', () => {
  test('a shell that does not exist fails the item with the reference wording', async () => {
    makeTools();
    const { cx, rec } = fakeContext({ cwd: tempDir(), env: { PATH: '/nonexistent-path' } });
    const out = await run(cx, 'exec_command', { cmd: 'true', shell: '/nonexistent/shell' });
    expect(out).toBe('exec_command failed: CreateProcess { message: "Rejected(\\"Failed to create unified exec process: No such file or directory (os error 2)\\")" }');
    expect(rec.events.map((e) => [e.kind, e.payload['status']])).toEqual([['started', 'inProgress'], ['completed', 'failed']]);
  });
});
