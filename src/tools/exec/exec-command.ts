/**
 * The `exec_command` tool: decode the arguments, settle approval (escalation under `on-request`, or bubblewrap
 * missing), spawn `<shell> -lc <cmd>` under the sandbox in a new session, wait up to the yield time, and answer with
 * the output (the command keeps running as a session when it has not exited by then).
 */
import path from 'node:path';
import { bwrapPlan } from '../sandbox/bwrap.js';
import { BWRAP_MISSING_WARNING_SUMMARY } from '../sandbox/availability.js';
import type { ToolCall, ToolContext, ToolResult } from '../tool.js';
import { decodeArgs, type FieldSpec } from './args.js';
import { parseCommandActions } from './command-actions.js';
import { commandEnv } from './env.js';
import { clamp, createProcessRejected, DEFAULT_EXEC_YIELD_MS, formatChunk, MAX_YIELD_MS, MIN_YIELD_MS } from './format.js';
import { askApproval, escalationRefused, mayAskToEscalate } from './escalation.js';
import { commandItem, commandItemCompletedEvent, type CommandItemState } from './items.js';
import { abortedByUser, abortedText, type ExecRuntime, type ExecToolResult } from './runtime.js';
import { collect, spawnInSession } from './run.js';
import { joinCommand } from './shell-quote.js';
import { APPROVAL_REQUEST_FAILED } from '../approval.js';

const FIELDS: Record<string, FieldSpec> = {
  cmd: { kind: 'string', required: true },
  workdir: { kind: 'string' },
  shell: { kind: 'string' },
  login: { kind: 'bool' },
  tty: { kind: 'bool' },
  yield_time_ms: { kind: 'u64' },
  max_output_tokens: { kind: 'usize' },
  sandbox_permissions: { kind: { oneOf: ['use_default', 'require_escalated', 'with_additional_permissions'] } },
  justification: { kind: 'string' },
  prefix_rule: { kind: 'strings' },
};

export const JUSTIFICATION_WITHOUT_PERMISSIONS =
  '`justification` requires an explicit `sandbox_permissions`; use `sandbox_permissions: "require_escalated"` for unsandboxed execution, or omit `justification`.';

export async function handleExecCommand(rt: ExecRuntime, call: ToolCall, cx: ToolContext): Promise<ExecToolResult> {
  if (cx.signal.aborted) return { output: abortedText(0) };
  const decoded = decodeArgs(call.input, FIELDS);
  if (!decoded.ok) return { output: `failed to parse function arguments: ${decoded.error}` };
  const args = decoded.value as {
    cmd: string; workdir?: string; shell?: string; login?: boolean; tty?: boolean; yield_time_ms?: number;
    max_output_tokens?: number; sandbox_permissions?: string; justification?: string; prefix_rule?: string[];
  };
  if (args.justification !== undefined && args.sandbox_permissions === undefined) return { output: JUSTIFICATION_WITHOUT_PERMISSIONS };

  // `with_additional_permissions` leaves the sandbox too: refused or asked like `require_escalated` (as the reference refuses it).
  const escalate = args.sandbox_permissions === 'require_escalated' || args.sandbox_permissions === 'with_additional_permissions';
  const fullAccess = cx.sandbox.mode === 'danger-full-access';
  if (escalate && !fullAccess && !mayAskToEscalate(cx.approvalPolicy)) return { output: escalationRefused(cx.approvalPolicy) };

  const cwd = path.resolve(cx.cwd, args.workdir ?? '.');
  const shell = args.shell === undefined ? rt.defaultShell : resolveShell(args.shell, cx.env['PATH'], rt.exists);
  const argv = [shell, args.login === false ? '-c' : '-lc', args.cmd];
  const processId = rt.store.allocateId();
  const item: CommandItemState = {
    id: call.callId,
    argv,
    command: joinCommand(argv),
    cwd,
    processId: null,
    source: 'agent',
    status: 'inProgress',
    actions: parseCommandActions(args.cmd, cwd),
    aggregatedOutput: null,
    exitCode: null,
    durationMs: null,
    startedAtMs: cx.nowMs(),
    completedAtMs: null,
  };

  // Unsandboxed only with the client's approval (escalation, or no bubblewrap to confine it), or under full access.
  let sandboxed = !fullAccess && !escalate;
  const askReason = !fullAccess && escalate ? (args.justification ?? null) : sandboxed && rt.bwrapPath === null ? BWRAP_MISSING_WARNING_SUMMARY : undefined;
  if (askReason !== undefined) {
    if (sandboxed && !mayAskToEscalate(cx.approvalPolicy)) {
      rt.store.release(processId);
      return failBeforeSpawn(cx, item, createProcessRejected('sandbox unavailable: bubblewrap (bwrap) is not installed'));
    }
    // The context announces the item once the thread shows waitingOnApproval (the reference's order).
    const decision = await askApproval(cx, item, askReason, args.prefix_rule);
    if (decision === 'decline' || decision === 'cancel' || decision === 'failed') {
      rt.store.release(processId);
      // Reference behaviour: a failed approval request leaves the item `failed`, a refusal `declined`.
      item.status = decision === 'failed' ? 'failed' : 'declined';
      item.completedAtMs = cx.nowMs();
      cx.itemCompleted(commandItem(item));
      const result: ExecToolResult = { output: createProcessRejected(decision === 'failed' ? APPROVAL_REQUEST_FAILED : 'rejected by user') };
      if (decision === 'cancel') result.abortTurn = true;
      return result;
    }
    sandboxed = false;
  }
  if (cx.signal.aborted) {
    rt.store.release(processId);
    return { output: abortedText(0) };
  }

  item.source = 'unifiedExecStartup';
  if (!rt.isDirectory(cwd)) {
    rt.store.release(processId);
    return failBeforeSpawn(cx, item, createProcessRejected('Failed to create unified exec process: No such file or directory (os error 2)'), askReason === undefined);
  }
  item.processId = processId;
  if (askReason === undefined) cx.itemStarted(commandItem(item));

  const env = commandEnv({ serverEnv: cx.env, threadId: cx.threadId, callId: call.callId, networkDisabled: sandboxed && !cx.sandbox.networkAccess });
  const tty = args.tty === true;
  const plan = sandboxed
    ? bwrapPlan({ bwrapPath: rt.bwrapPath!, policy: cx.sandbox, cwd, tmpdir: env['TMPDIR'], alsoReadOnly: [cx.codexHome], exists: rt.exists, command: argv })
    : null;
  const spawnArgv = plan?.argv ?? argv;
  const synthetic = plan?.syntheticTargets ?? [];
  const session = rt.store.create(processId, cx, item, tty, rt.clock.nowNs());
  rt.synthetic.acquire(synthetic);
  session.onGone = () => rt.synthetic.release(synthetic);
  const spawned = await spawnInSession(rt.spawners, rt.clock, session, { file: spawnArgv[0]!, args: spawnArgv.slice(1), cwd, env });
  if (!spawned.ok) {
    rt.synthetic.release(synthetic);
    rt.store.release(processId);
    item.processId = null;
    return failBeforeSpawn(cx, item, createProcessRejected(`Failed to create unified exec process: ${rustIoError(spawned.error)}`), false);
  }
  rt.store.store(session);

  const yieldMs = clamp(args.yield_time_ms ?? DEFAULT_EXEC_YIELD_MS, MIN_YIELD_MS, MAX_YIELD_MS);
  const started = rt.clock.nowMs();
  const collected = await collect(session, yieldMs, cx.signal);
  const wallTimeMs = rt.clock.nowMs() - started;
  if (cx.signal.aborted) return abortedByUser(rt, wallTimeMs);
  const exited = session.exitCode !== undefined;
  if (exited) rt.store.release(processId);
  return {
    output: formatChunk({
      chunkId: rt.chunkId(),
      wallTimeMs,
      exitCode: exited ? session.exitCode! : null,
      sessionId: exited ? null : processId,
      output: collected,
      maxOutputTokens: args.max_output_tokens,
      modelPolicy: rt.outputPolicy(cx),
    }),
  };
}

/**
 * A shell the model names is looked up by its name on PATH, as the reference does (`/bin/sh` ran as `/usr/bin/sh`
 * on Debian, whose PATH lists /usr/bin first); the given path when nothing is found.
 */
export function resolveShell(shell: string, pathEnv: string | undefined, exists: (p: string) => boolean): string {
  const name = path.basename(shell);
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (dir && exists(path.join(dir, name))) return path.join(dir, name);
  }
  return shell;
}

/** Rust's `io::Error` Display for the spawn errors a command meets (`No such file or directory (os error 2)`). */
function rustIoError(error: Error): string {
  const known: Record<string, string> = {
    ENOENT: 'No such file or directory (os error 2)',
    EACCES: 'Permission denied (os error 13)',
    ENOTDIR: 'Not a directory (os error 20)',
    E2BIG: 'Argument list too long (os error 7)',
  };
  const code = (error as NodeJS.ErrnoException).code;
  return (code && known[code]) ?? error.message;
}

/** The command could not start: its item fails (exit code -1) and the model gets `text`. */
async function failBeforeSpawn(cx: ToolContext, item: CommandItemState, text: string, emitStarted = true): Promise<ToolResult> {
  if (emitStarted) cx.itemStarted(commandItem(item));
  item.status = 'failed';
  item.exitCode = -1;
  item.aggregatedOutput = '';
  item.durationMs = 0;
  item.completedAtMs = cx.nowMs();
  cx.itemCompleted(commandItem(item));
  await cx.record([commandItemCompletedEvent(item, cx.threadId, cx.turnId, 0)]);
  return { output: text };
}
