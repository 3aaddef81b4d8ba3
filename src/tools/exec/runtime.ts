/** What the exec tools of one thread share: injected dependencies and the thread's session store. */
import type { SyntheticMounts } from '../sandbox/synthetic-mounts.js';
import type { ToolContext, ToolResult } from '../tool.js';
import type { OutputPolicy } from './truncate.js';
import type { Spawners } from './process.js';
import type { RunClock } from './run.js';
import type { SessionStore } from './session-store.js';

export interface ExecRuntime {
  readonly spawners: Spawners;
  /** The bubblewrap binary, or null when it is not installed (sandboxed commands then need approval). */
  readonly bwrapPath: string | null;
  readonly exists: (path: string) => boolean;
  readonly isDirectory: (path: string) => boolean;
  readonly clock: RunClock;
  /** The shell when the model names none (the reference uses the user's shell; `/bin/bash` here). */
  readonly defaultShell: string;
  /** A fresh 6-hex-digit `Chunk ID`. */
  readonly chunkId: () => string;
  readonly store: SessionStore;
  readonly synthetic: SyntheticMounts;
  /** The truncation policy of the turn's model. */
  readonly outputPolicy: (cx: ToolContext) => OutputPolicy;
}

/**
 * A tool result with one extra signal for the turn runner: `abortTurn` is set when the client answered an approval
 * with `cancel`, after which the reference ends the turn as interrupted (`turn_aborted`, status `interrupted`)
 * instead of sampling the model again. (Not in tool.ts's `ToolResult`; the runner may read it.)
 */
export interface ExecToolResult extends ToolResult {
  abortTurn?: boolean;
}

/** The tool output of a call cut by `turn/interrupt` (the reference: `Wall time: 1.6 seconds\naborted by user`). */
export function abortedText(wallTimeMs: number): string {
  return `Wall time: ${(wallTimeMs / 1000).toFixed(1)} seconds\naborted by user`;
}

/**
 * A turn interrupted during a command: like the reference, every process of the thread is killed (each item then
 * completes `failed` with exit code -1 and is recorded), and the call answers `aborted by user`.
 */
export async function abortedByUser(rt: ExecRuntime, wallTimeMs: number): Promise<ExecToolResult> {
  await killAll(rt);
  return { output: abortedText(wallTimeMs) };
}

/** Kills every session's process group and waits until their items are completed; the store is emptied. */
export async function killAll(rt: ExecRuntime): Promise<void> {
  const sessions = rt.store.all();
  for (const session of sessions) session.process?.kill();
  await Promise.all(sessions.map((s) => s.done));
  for (const session of sessions) rt.store.release(session.processId);
}
