/**
 * The built server started with `--listen ws://…` or `--listen unix://…`, for the transport tests: it is ready when
 * its banner (ws) or its "control socket listening" log line (unix) is on stderr. Stopped when the test ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { onTestFinished } from 'vitest';
import { DIST_CLI } from './paths.js';

export interface ListeningServer {
  child: ChildProcess;
  /** `ws://127.0.0.1:PORT` for a ws listener (from the banner), else null. */
  url: string | null;
  /** Everything written on stderr so far. */
  stderr(): string;
  /** Resolves once `text` has appeared on stderr; rejects if the server exits first. */
  waitForStderr(text: string | RegExp): Promise<void>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

export function spawnServer(home: string, args: string[], env: Record<string, string> = {}): ListeningServer {
  const child = spawn(process.execPath, [DIST_CLI, 'app-server', ...args], {
    env: { ...process.env, CODEX_HOME: home, LOG_LEVEL: 'info', RUST_LOG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const w of [...watchers]) w();
  });
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    for (const w of [...watchers]) w();
    resolve(code);
  }));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGTERM first: the server removes its control socket files (a SIGKILL would leave them in /tmp).
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  });
  const server: ListeningServer = {
    child,
    url: null,
    stderr: () => stderr,
    exited,
    waitForStderr: (text) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          const found = typeof text === 'string' ? stderr.includes(text) : text.test(stderr);
          if (found) {
            watchers.delete(check);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            watchers.delete(check);
            reject(new Error(`server exited (${child.exitCode ?? child.signalCode}) before printing ${String(text)}; stderr:\n${stderr}`));
          }
        };
        watchers.add(check);
        check();
      }),
  };
  return server;
}

/** Starts `--listen ws://127.0.0.1:0` (plus `args`) and waits for its banner. */
export async function startWsServer(home: string, args: string[] = [], env: Record<string, string> = {}): Promise<ListeningServer & { url: string }> {
  const server = spawnServer(home, ['--listen', 'ws://127.0.0.1:0', ...args], env);
  await server.waitForStderr(/healthz: http:\/\/[^\n]*\n {2}note: [^\n]*\n/);
  const url = /listening on: (ws:\/\/\S+)/.exec(server.stderr())![1]!;
  return Object.assign(server, { url });
}

/** Starts `--listen unix://PATH` (or the default path when `socketPath` is '') and waits until it accepts. */
export async function startUnixServer(home: string, socketPath: string, env: Record<string, string> = {}): Promise<ListeningServer> {
  const server = spawnServer(home, ['--listen', `unix://${socketPath}`], env);
  await server.waitForStderr('app-server control socket listening');
  return server;
}
