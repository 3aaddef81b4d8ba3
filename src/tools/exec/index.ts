/**
 * The command tools of one thread (`exec_command`, `write_stdin`) over one session store. The turn runner builds
 * them per loaded thread with `createExecTools(deps)` and calls `close()` when the thread unloads: every process
 * still running is killed (its whole process group).
 *
 * Wiring (helper C): `bwrapPath: findBwrap(env.PATH, isExecutableFile)` once at startup (null → send
 * `configWarning` `bwrapMissingWarning()`), `spawnPty: (await import('node-pty')).spawn`, `defaultShell` from the
 * user's `SHELL` (default `/bin/bash`). A handler's result may carry `abortTurn: true` (the client answered `cancel`):
 * the reference then ends the turn as interrupted. Rebuild items for thread/read and resume with
 * `commandItemFromRollout(payload, renderCommand)` over the `item_completed` event_msg lines the tools recorded.
 */
import { rmdirSync, statSync } from 'node:fs';
import { SyntheticMounts } from '../sandbox/synthetic-mounts.js';
import type { ToolContext, ToolHandler } from '../tool.js';
import { handleExecCommand } from './exec-command.js';
import type { PtyLike, Spawners } from './process.js';
import type { RunClock } from './run.js';
import { killAll, type ExecRuntime } from './runtime.js';
import { SessionStore } from './session-store.js';
import { FALLBACK_OUTPUT_POLICY, type OutputPolicy } from './truncate.js';
import { joinCommand } from './shell-quote.js';
import { handleWriteStdin } from './write-stdin.js';
import { nodeChildProcess } from '../../support/lazy-modules.js';

export { commandItemFromRollout } from './items.js';
export { bwrapMissingWarning, findBwrap, isExecutableFile } from '../sandbox/availability.js';
export type { ExecToolResult } from './runtime.js';
export { FALLBACK_OUTPUT_POLICY, type OutputPolicy } from './truncate.js';
export { SyntheticMounts } from '../sandbox/synthetic-mounts.js';

export interface ExecToolsDeps {
  /** The bubblewrap binary (`findBwrap(...)`), or null when missing. */
  bwrapPath: string | null;
  /** node-pty's `spawn` (`import { spawn } from 'node-pty'`); tty commands fail to start without it. */
  spawnPty?: Spawners['spawnPty'];
  /** Defaults: `child_process.spawn`, `process.kill`, the real filesystem, `performance.now()`/`hrtime`, Math.random. */
  spawnPipe?: Spawners['spawnPipe'];
  kill?: Spawners['kill'];
  exists?: (path: string) => boolean;
  isDirectory?: (path: string) => boolean;
  clock?: RunClock;
  random?: () => number;
  defaultShell?: string;
  /** Removes an empty directory, silently doing nothing otherwise (default: `fs.rmdirSync`, errors ignored). */
  removeEmptyDir?: (path: string) => void;
  /**
   * The registry of bwrap's mount points for missing protected subpaths. Share one across the server's threads
   * (threads may share a cwd): a mount point is removed only when no command of any thread uses it.
   */
  syntheticMounts?: SyntheticMounts;
  /**
   * The truncation policy of the turn's model (models.json `truncation_policy`: `tokens` 10000 for the known models);
   * default the reference's fallback for models without metadata, `bytes` 10000.
   */
  outputPolicy?: (cx: ToolContext) => OutputPolicy;
}

export interface ExecTools {
  handlers: ToolHandler[];
  close(): Promise<void>;
}

const realClock: RunClock = { nowMs: () => Date.now(), nowNs: () => process.hrtime.bigint() };

function statOr<T>(p: string, pick: (s: import('node:fs').Stats) => T, fallback: T): T {
  try {
    return pick(statSync(p));
  } catch {
    return fallback;
  }
}

export function createExecTools(deps: ExecToolsDeps): ExecTools {
  const random = deps.random ?? Math.random;
  const spawnPty: Spawners['spawnPty'] =
    deps.spawnPty ??
    ((): PtyLike => {
      throw new Error('pseudo-terminals are unavailable (node-pty not loaded)');
    });
  const rt: ExecRuntime = {
    spawners: {
      spawnPipe: deps.spawnPipe ?? ((file, args, options) => nodeChildProcess().spawn(file, [...args], options)),
      spawnPty,
      kill: deps.kill ?? ((pid, signal) => process.kill(pid, signal)),
    },
    bwrapPath: deps.bwrapPath,
    exists: deps.exists ?? ((p) => statOr(p, () => true, false)),
    isDirectory: deps.isDirectory ?? ((p) => statOr(p, (s) => s.isDirectory(), false)),
    clock: deps.clock ?? realClock,
    defaultShell: deps.defaultShell ?? '/bin/bash',
    chunkId: () => Math.floor(random() * 0x1000000).toString(16).padStart(6, '0'),
    store: new SessionStore(random),
    synthetic: deps.syntheticMounts ?? new SyntheticMounts(deps.removeEmptyDir ?? removeEmptyDir),
    outputPolicy: deps.outputPolicy ?? (() => FALLBACK_OUTPUT_POLICY),
  };
  const handlers: ToolHandler[] = [
    { name: 'exec_command', type: 'function', handle: (call, cx) => handleExecCommand(rt, call, cx) },
    { name: 'write_stdin', type: 'function', handle: (call, cx) => handleWriteStdin(rt, call, cx) },
  ];
  return {
    handlers,
    close: () => killAll(rt),
  };
}

/** `fs.rmdirSync`, ignoring a directory that is not empty (something real is there now) or already gone. */
export function removeEmptyDir(p: string): void {
  try {
    rmdirSync(p);
  } catch {
    // Leave it.
  }
}

/** Renders a recorded argv as the reference does (for `commandItemFromRollout`). */
export const renderCommand = joinCommand;
