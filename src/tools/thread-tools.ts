/**
 * The tools of one loaded thread, as the server runs them: `exec_command` and `write_stdin` (command sessions,
 * confined by bubblewrap) and `apply_patch` with the turn's diff tracker. main.ts makes one per thread through
 * ThreadManager's `createToolset`.
 */
import path from 'node:path';
import { createApplyPatchHandler, interceptExecPatch, TurnDiffs, type ApplyPatchHandler } from './apply-patch/index.js';
import { createExecTools, FALLBACK_OUTPUT_POLICY } from './exec/index.js';
import type { Spawners } from './exec/process.js';
import type { OutputPolicy } from './exec/truncate.js';
import type { ToolHandler, Toolset } from './tool.js';
import { toolsetOf } from './toolset.js';

export interface ThreadToolsOptions {
  /** `findBwrap(...)` of the process: null when bubblewrap is missing (commands then need the client's approval). */
  bwrapPath: string | null;
  /** node-pty's `spawn`, when it loaded. */
  spawnPty?: Spawners['spawnPty'];
  /** Sends `turn/diff/updated` {threadId, turnId, diff} to the thread's subscribers. */
  emitTurnDiff(threadId: string, turnId: string, diff: string): void;
  /** Whether the bundled catalogue knows the model (its metadata gives the output truncation policy). */
  knownModel(slug: string): boolean;
}

/** models.json's `truncation_policy` of the catalogue's models (the others get the reference's fallback, bytes). */
const KNOWN_MODEL_OUTPUT_POLICY: OutputPolicy = { mode: 'tokens', limit: 10_000 };

export function createThreadTools(options: ThreadToolsOptions): Toolset {
  const exec = createExecTools({
    bwrapPath: options.bwrapPath,
    ...(options.spawnPty ? { spawnPty: options.spawnPty } : {}),
    outputPolicy: (cx) => (options.knownModel(cx.model) ? KNOWN_MODEL_OUTPUT_POLICY : FALLBACK_OUTPUT_POLICY),
  });
  const diffs = new TurnDiffs();
  const applyPatch = createApplyPatchHandler({ turnDiffs: diffs, emitTurnDiff: options.emitTurnDiff });
  return toolsetOf([
    { ...exec, handlers: exec.handlers.map((h) => (h.name === 'exec_command' ? patchAwareExec(h, applyPatch) : h)) },
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

/**
 * `exec_command` as 0.169 runs it: a command that is `apply_patch <<'EOF' … EOF` is applied as a patch through the
 * apply_patch flow (see apply-patch/exec-intercept.ts), anything else goes to the command tool.
 */
function patchAwareExec(execCommand: ToolHandler, applyPatch: ApplyPatchHandler): ToolHandler {
  return {
    name: execCommand.name,
    type: execCommand.type,
    async handle(call, cx) {
      const args = commandArgs(call.input);
      if (args) {
        const cwd = args.workdir === undefined ? cx.cwd : path.resolve(cx.cwd, args.workdir);
        const intercepted = await interceptExecPatch(applyPatch, args.cmd, call.callId, cx, cwd);
        if (intercepted) return intercepted;
      }
      return execCommand.handle(call, cx);
    },
  };
}

/** `cmd` and `workdir` of well-formed arguments; anything else is left to exec_command's own checks. */
function commandArgs(input: string): { cmd: string; workdir?: string } | null {
  try {
    const args = JSON.parse(input) as unknown;
    if (typeof args !== 'object' || args === null) return null;
    const { cmd, workdir } = args as { cmd?: unknown; workdir?: unknown };
    if (typeof cmd !== 'string') return null;
    return typeof workdir === 'string' ? { cmd, workdir } : { cmd };
  } catch {
    return null;
  }
}
