/**
 * The `write_stdin` tool: feed characters to a session's terminal (tty sessions only) and/or poll it for output.
 * Empty polls wait 5–300 s (clamped, as the reference), writes 250 ms–30 s.
 */
import type { ToolCall, ToolContext } from '../tool.js';
import { decodeArgs, type FieldSpec } from './args.js';
import { clamp, DEFAULT_WRITE_YIELD_MS, formatChunk, MAX_EMPTY_POLL_MS, MAX_YIELD_MS, MIN_EMPTY_POLL_MS, MIN_YIELD_MS } from './format.js';
import { abortedByUser, killAll, abortedText, type ExecRuntime, type ExecToolResult } from './runtime.js';
import { collect } from './run.js';

const FIELDS: Record<string, FieldSpec> = {
  session_id: { kind: 'i32', required: true },
  chars: { kind: 'string' },
  yield_time_ms: { kind: 'u64' },
  max_output_tokens: { kind: 'usize' },
};

export const STDIN_CLOSED = 'write_stdin failed: stdin is closed for this session; rerun exec_command with tty=true to keep stdin open';
/** Time given to the process to react to written input before polling (the reference's 100 ms). */
const AFTER_WRITE_MS = 100;

export async function handleWriteStdin(rt: ExecRuntime, call: ToolCall, cx: ToolContext): Promise<ExecToolResult> {
  if (cx.signal.aborted) return { output: abortedText(0) };
  const decoded = decodeArgs(call.input, FIELDS);
  if (!decoded.ok) return { output: `failed to parse function arguments: ${decoded.error}` };
  const args = decoded.value as { session_id: number; chars?: string; yield_time_ms?: number; max_output_tokens?: number };
  const id = String(args.session_id);
  const session = rt.store.get(id);
  if (!session) return { output: `write_stdin failed: Unknown process id ${id}` };
  const chars = args.chars ?? '';
  if (chars !== '') {
    if (!session.tty) return { output: STDIN_CLOSED };
    cx.itemEvent('item/commandExecution/terminalInteraction', { itemId: session.item.id, processId: id, stdin: chars });
    if (session.exitCode === undefined) session.process?.write(chars);
    await new Promise((resolve) => setTimeout(resolve, AFTER_WRITE_MS));
  }
  const yieldMs = chars === ''
    ? clamp(args.yield_time_ms ?? DEFAULT_WRITE_YIELD_MS, MIN_EMPTY_POLL_MS, MAX_EMPTY_POLL_MS)
    : clamp(args.yield_time_ms ?? DEFAULT_WRITE_YIELD_MS, MIN_YIELD_MS, MAX_YIELD_MS);
  const kill = (): void => void killAll(rt);
  cx.signal.addEventListener('abort', kill, { once: true });
  const started = rt.clock.nowMs();
  try {
    const collected = await collect(session, yieldMs, cx.signal);
    const wallTimeMs = rt.clock.nowMs() - started;
    if (cx.signal.aborted) return abortedByUser(rt, wallTimeMs);
    const exited = session.exitCode !== undefined;
    if (exited) rt.store.release(id);
    return {
      output: formatChunk({
        chunkId: rt.chunkId(),
        wallTimeMs,
        exitCode: exited ? session.exitCode! : null,
        sessionId: exited ? null : id,
        output: collected,
        maxOutputTokens: args.max_output_tokens,
        modelPolicy: rt.outputPolicy(cx),
      }),
    };
  } finally {
    cx.signal.removeEventListener('abort', kill);
  }
}
