/**
 * Running a command inside a session: spawn (sandboxed or not), stream its output as `outputDelta`s into bounded
 * buffers, complete its item when it exits (or is killed: interrupt, close), and collect what the model sees for
 * one yield window.
 */
import { commandItem, commandItemCompletedEvent } from './items.js';
import { startProcess, type SpawnRequest, type Spawners } from './process.js';
import { MAX_OUTPUT_DELTAS, type Session } from './session-store.js';

export interface RunClock {
  nowMs(): number;
  /** Monotonic nanoseconds (durations). */
  nowNs(): bigint;
}

/** Spawns `request` for `session`; resolves false (and leaves the session without a process) when spawning failed. */
export async function spawnInSession(spawners: Spawners, clock: RunClock, session: Session, request: SpawnRequest): Promise<{ ok: true } | { ok: false; error: Error }> {
  try {
    const process = await startProcess(spawners, request, session.tty, {
      onData: (chunk) => onData(session, chunk),
      onExit: (code) => void onExit(clock, session, code),
    });
    session.process = process;
    session.startedNs = clock.nowNs();
    if (session.cx.signal.aborted) process.kill();
    else session.cx.signal.addEventListener('abort', () => process.kill(), { once: true });
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** The reference reads output 8 KiB at a time and streams at most 10 000 deltas per command (≤ 80 MiB). */
const DELTA_MAX_BYTES = 8192;

function onData(session: Session, chunk: Buffer): void {
  // Output after the exit was handled (a background grandchild still writing) no longer belongs to the item.
  if (session.exitCode !== undefined) return;
  session.transcript.push(chunk);
  session.pending.push(chunk);
  for (let at = 0; at < chunk.length && session.deltas < MAX_OUTPUT_DELTAS; at += DELTA_MAX_BYTES) {
    const delta = session.decoder.write(chunk.subarray(at, at + DELTA_MAX_BYTES));
    if (delta !== '') {
      session.deltas += 1;
      session.cx.itemEvent('item/commandExecution/outputDelta', { itemId: session.item.id, delta });
    }
  }
  for (const wake of [...session.waiters]) wake();
}

async function onExit(clock: RunClock, session: Session, code: number | null): Promise<void> {
  const exitCode = code ?? -1;
  session.onGone?.();
  session.exitCode = exitCode;
  for (const wake of [...session.waiters]) wake();
  const item = session.item;
  const durationNs = Number(clock.nowNs() - session.startedNs);
  item.status = exitCode === 0 ? 'completed' : 'failed';
  item.exitCode = exitCode;
  item.durationMs = Math.floor(durationNs / 1e6);
  item.aggregatedOutput = session.transcript.toBufferWithMarker().toString('utf8');
  item.completedAtMs = clock.nowMs();
  session.cx.itemCompleted(commandItem(item));
  try {
    await session.cx.record([commandItemCompletedEvent(item, session.cx.threadId, session.cx.turnId, durationNs)]);
  } finally {
    session.resolveDone();
  }
}

/**
 * Waits until `deadlineMs` (clock time), the command's exit, or `signal`, then returns the output that arrived
 * since the last collection. After an exit it also waits for the item to be completed.
 */
export interface Collected {
  /** Head and tail of the output (1 MiB at most) with the omission marker when the middle was dropped. */
  text: string;
  omittedBytes: number;
  /** Bytes the command printed in the window, dropped ones included. */
  originalBytes: number;
}

export async function collect(session: Session, waitMs: number, signal: AbortSignal): Promise<Collected> {
  if (session.exitCode === undefined && !signal.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, Math.max(0, waitMs));
      const wake = (): void => {
        if (session.exitCode !== undefined) finish();
      };
      function finish(): void {
        clearTimeout(timer);
        session.waiters.delete(wake);
        signal.removeEventListener('abort', finish);
        resolve();
      }
      session.waiters.add(wake);
      signal.addEventListener('abort', finish, { once: true });
    });
  }
  if (session.exitCode !== undefined) await session.done;
  const retained = session.pending.retainedBytes;
  const { bytes, omittedBytes } = session.pending.drainWithMarker();
  return { text: bytes.toString('utf8'), omittedBytes, originalBytes: retained + omittedBytes };
}
