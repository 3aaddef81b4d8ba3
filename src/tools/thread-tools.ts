/**
 * The tools of one loaded thread, as the server runs them: `exec_command` and `write_stdin` (command sessions,
 * confined by bubblewrap) and `apply_patch` with the turn's diff tracker. main.ts makes one per thread through
 * ThreadManager's `createToolset`.
 */
import { createApplyPatchHandler } from './apply-patch/handler.js';
import { TurnDiffs } from './apply-patch/turn-diff-tracker.js';
import { createExecTools } from './exec/index.js';
import type { Spawners } from './exec/process.js';
import type { Toolset } from './tool.js';
import { toolsetOf } from './toolset.js';

export interface ThreadToolsOptions {
  /** `findBwrap(...)` of the process: null when bubblewrap is missing (commands then need the client's approval). */
  bwrapPath: string | null;
  /** node-pty's `spawn`, when it loaded. */
  spawnPty?: Spawners['spawnPty'];
  /** Sends `turn/diff/updated` {threadId, turnId, diff} to the thread's subscribers. */
  emitTurnDiff(threadId: string, turnId: string, diff: string): void;
}

export function createThreadTools(options: ThreadToolsOptions): Toolset {
  const exec = createExecTools({ bwrapPath: options.bwrapPath, ...(options.spawnPty ? { spawnPty: options.spawnPty } : {}) });
  const diffs = new TurnDiffs();
  const applyPatch = createApplyPatchHandler({ turnDiffs: diffs, emitTurnDiff: options.emitTurnDiff });
  return toolsetOf([
    exec,
    {
      handlers: [applyPatch],
      close: async () => {},
      // Reference behaviour (observed): the turn's diff is sent again once the response's calls have ended.
      afterResponse(threadId, turnId) {
        const diff = diffs.diffOf(turnId);
        if (diff !== null) options.emitTurnDiff(threadId, turnId, diff);
      },
      turnEnded: (turnId) => diffs.endTurn(turnId),
    },
  ]);
}
