/**
 * One spawned command: pipes (stdin closed, stdout+stderr merged) or a pseudo-terminal (node-pty, 80x24, as the
 * reference's PTY), in its own process group so that a kill reaches everything it started. Spawning is injected
 * (`Spawners`) so tests and the server choose the real `child_process` / `node-pty`.
 */
import type { ChildProcess } from 'node:child_process';

/** What a process reports: raw output chunks, then its exit (code, or null when killed by a signal). */
export interface ProcessEvents {
  onData(chunk: Buffer): void;
  onExit(code: number | null): void;
}

export interface SpawnRequest {
  file: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
}

/** A started process. `kill()` SIGKILLs its whole process group and is idempotent. */
export interface CommandProcess {
  readonly pid: number;
  readonly tty: boolean;
  /** Writes to the terminal (tty only). */
  write(data: string): void;
  kill(): void;
}

/** Minimal view of node-pty's `IPty` (what we use). */
export interface PtyLike {
  readonly pid: number;
  onData(listener: (data: string) => void): unknown;
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): unknown;
  write(data: string): void;
  kill(signal?: string): void;
}

export interface Spawners {
  /** `child_process.spawn` (called with `detached: true`, stdin ignored, stdout/stderr piped). */
  spawnPipe(file: string, args: readonly string[], options: { cwd: string; env: Record<string, string>; detached: true; stdio: ['ignore', 'pipe', 'pipe'] }): ChildProcess;
  /** node-pty's `spawn`. */
  spawnPty(file: string, args: string[], options: { name: string; cols: number; rows: number; cwd: string; env: Record<string, string> }): PtyLike;
  /** `process.kill` (negative pid: a process group). */
  kill(pid: number, signal: NodeJS.Signals): void;
}

/** Starts `request`; rejects with the spawn error (e.g. ENOENT) before any event is delivered. */
export function startProcess(spawners: Spawners, request: SpawnRequest, tty: boolean, events: ProcessEvents): Promise<CommandProcess> {
  return tty ? startPty(spawners, request, events) : startPipes(spawners, request, events);
}

function groupKiller(spawners: Spawners, pid: number): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    for (const target of [-pid, pid]) {
      try {
        spawners.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
}

function startPipes(spawners: Spawners, request: SpawnRequest, events: ProcessEvents): Promise<CommandProcess> {
  return new Promise((resolve, reject) => {
    const child = spawners.spawnPipe(request.file, request.args, { cwd: request.cwd, env: request.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let started = false;
    // Later errors (after the spawn) must not become unhandled 'error' events.
    child.on('error', (error) => {
      if (!started) reject(error);
    });
    child.once('spawn', () => {
      started = true;
      const pid = child.pid ?? -1;
      const kill = groupKiller(spawners, pid);
      let open = 2;
      let exitCode: number | null | undefined;
      // The exit is reported once the process has exited and its pipes are drained (or after a short grace, when
      // a background grandchild keeps them open), so no output is lost after "exited".
      let graceTimer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        if (exitCode === undefined) return;
        if (graceTimer) clearTimeout(graceTimer);
        const code = exitCode;
        exitCode = undefined;
        open = -1;
        events.onExit(code);
      };
      for (const stream of [child.stdout, child.stderr]) {
        stream?.on('data', (chunk: Buffer) => events.onData(chunk));
        stream?.on('close', () => {
          open -= 1;
          if (open === 0) finish();
        });
      }
      child.once('exit', (code, signal) => {
        exitCode = signal ? null : code;
        if (open === 0) finish();
        else graceTimer = setTimeout(finish, POST_EXIT_CLOSE_WAIT_MS);
      });
      resolve({ pid, tty: false, write: () => undefined, kill });
    });
  });
}

/** How long output may still arrive after the process exited (the reference's post-exit close wait). */
const POST_EXIT_CLOSE_WAIT_MS = 50;

function startPty(spawners: Spawners, request: SpawnRequest, events: ProcessEvents): Promise<CommandProcess> {
  try {
    const pty = spawners.spawnPty(request.file, [...request.args], { name: 'xterm', cols: 80, rows: 24, cwd: request.cwd, env: request.env });
    const kill = groupKiller(spawners, pty.pid);
    pty.onData((data) => events.onData(Buffer.from(data, 'utf8')));
    pty.onExit(({ exitCode, signal }) => events.onExit(signal ? null : exitCode));
    return Promise.resolve({ pid: pty.pid, tty: true, write: (data) => pty.write(data), kill });
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
