import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { TextDecoder } from 'node:util';
import { LineSplitter } from '../transport/line-splitter.js';
import type { JsonRpcMessage, RequestId } from './jsonrpc.js';
import type { MessageChecker } from './schema-checker.js';
import { MessageInbox } from './message-inbox.js';
import { defaultServerBin, isNodeScript } from './server-bin.js';

export const DEFAULT_READ_TIMEOUT_MS = 10_000;
export const CLOSE_GRACE_MS = 5_000;
const RECENT_LINES = 20;
const STDERR_TAIL_CHARS = 4_000;
const STDERR_KEEP_CHARS = 8 * 1024 * 1024;

/** How to start the server under test. */
export interface McpProcessOptions {
  /** CODEX_HOME for the server. */
  codexHome: string;
  /** Extra environment; a value of `undefined` removes the variable. Applied after CODEX_HOME. */
  env?: Record<string, string | undefined>;
  /** Start from an empty environment instead of this process's (PATH and HOME are still kept). */
  cleanEnv?: boolean;
  /** Arguments after the entry; default `['app-server']`. */
  args?: string[];
  /** Server entry: a `.js`/`.mjs`/`.cjs` file run with this Node, or an executable. Default `dist/cli.cjs` of this package
   *  (override with env `MCP_PROCESS_SERVER_BIN`). */
  serverBin?: string;
  /** Working directory of the server (the default thread cwd). */
  cwd?: string;
  /** Default timeout of every read; default 10 s. */
  readTimeoutMs?: number;
  /**
   * Opt-in: judges every message received (responses by the method of their request, notifications, server
   * requests), e.g. `await loadSchemaChecker(bundle)`. Problems are kept in `schemaProblems()`.
   */
  messageChecker?: MessageChecker;
}

/** A stdout line that is not a JSON object: stdout must carry only protocol lines. */
export interface ProtocolViolation {
  line: string;
  reason: 'invalid-utf8' | 'not-json' | 'not-an-object';
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Per-call read options. */
export interface ReadOptions {
  timeoutMs?: number;
}

/**
 * The server child process and its stdio: raw sending, buffered reading, lifecycle. Typed request
 * helpers live in `McpProcess`. Every wait is bounded; failures explain themselves with the last
 * stdout lines and the server's stderr.
 */
export class McpProcessCore {
  protected readonly inbox: MessageInbox;
  protected readonly readTimeoutMs: number;
  private readonly stdoutLines: string[] = [];
  private readonly violations: ProtocolViolation[] = [];
  private stderrText = '';
  private exitStatus: ExitStatus | null = null;
  private readonly exited: Promise<ExitStatus>;
  private stdinError: Error | null = null;
  private readonly stderrWakers = new Set<() => void>();
  private readonly checker: MessageChecker | undefined;
  /** Method of every request sent, by id: how a response is matched to the schema of its result. */
  private readonly sentMethods = new Map<RequestId, string>();
  private readonly checkProblems: string[] = [];
  /** The last lines written to the server's stdin, for failure messages. */
  private readonly sentLines: string[] = [];

  protected constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    options: McpProcessOptions,
  ) {
    this.readTimeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
    this.checker = options.messageChecker;
    this.inbox = new MessageInbox(() => this.diagnostics());
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const splitter = new LineSplitter({
      maxLineBytes: Number.POSITIVE_INFINITY,
      stripCarriageReturn: false,
      onLine: (bytes) => this.onStdoutLine(bytes, decoder),
      onOversized: () => {},
    });
    child.stdout.on('data', (chunk: Buffer) => splitter.push(chunk));
    child.stdout.on('end', () => {
      splitter.end();
      this.inbox.close('server stdout closed');
    });
    const echo = process.env.MCP_PROCESS_ECHO_STDERR === '1';
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString('utf8');
      if (this.stderrText.length > STDERR_KEEP_CHARS) this.stderrText = this.stderrText.slice(-STDERR_KEEP_CHARS);
      if (echo) process.stderr.write(chunk);
      for (const wake of [...this.stderrWakers]) wake();
    });
    child.stdin.on('error', (error) => {
      this.stdinError ??= error;
    });
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.exitStatus = { code, signal };
        this.inbox.close(`server exited (code ${code}, signal ${signal})`);
        resolve(this.exitStatus);
      });
    });
  }

  /** Spawns the server; resolves once the process is running. */
  protected static async spawnChild(options: McpProcessOptions): Promise<ChildProcessWithoutNullStreams> {
    const bin = options.serverBin ?? process.env.MCP_PROCESS_SERVER_BIN ?? defaultServerBin();
    if (!existsSync(bin)) throw new Error(`server entry ${bin} not found (run \`npm run build\` first)`);
    const base: NodeJS.ProcessEnv = options.cleanEnv
      ? { PATH: process.env.PATH, HOME: process.env.HOME }
      : { ...process.env };
    // The harness's own echo switch must not leak into the server.
    delete base.MCP_PROCESS_ECHO_STDERR;
    const env: NodeJS.ProcessEnv = { ...base, CODEX_HOME: options.codexHome };
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    const args = options.args ?? ['app-server'];
    const [command, argv] = isNodeScript(bin) ? [process.execPath, [bin, ...args]] : [bin, args];
    const child = spawn(command, argv, { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return child;
  }

  /** Process id of the server. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Writes bytes to the server's stdin exactly as given (no newline added). */
  async sendRaw(data: string | Buffer): Promise<void> {
    this.rememberRequests(data);
    for (const line of data.toString().split('\n')) if (line !== '') this.sentLines.push(line);
    if (this.sentLines.length > RECENT_LINES) this.sentLines.splice(0, this.sentLines.length - RECENT_LINES);
    if (this.stdinError) throw new Error(`server stdin failed: ${this.stdinError.message}\n${this.diagnostics()}`);
    await new Promise<void>((resolve, reject) => {
      this.child.stdin.write(data, (error) => {
        if (error) reject(new Error(`writing to server stdin failed: ${error.message}\n${this.diagnostics()}`));
        else resolve();
      });
    });
  }

  /** Writes one JSON message followed by `\n`. */
  async sendJson(message: unknown): Promise<void> {
    await this.sendRaw(`${JSON.stringify(message)}\n`);
  }

  /** Next unread message from stdout (does not look at messages earlier searches read past). */
  readNextMessage(opts: ReadOptions = {}): Promise<JsonRpcMessage> {
    return this.inbox.takeNext('the next message', opts.timeoutMs ?? this.readTimeoutMs);
  }

  /** Forgets messages earlier searches read past (not those still unread), like `clear_message_buffer`. */
  clearMessageBuffer(): void {
    this.inbox.clearSkipped();
  }

  /** All server stderr so far (the last 8 MiB). */
  stderr(): string {
    return this.stderrText;
  }

  /**
   * Waits until stderr contains `match` (stderr and stdout are separate pipes: a log line may arrive
   * after the response it accompanies). Returns the stderr text; rejects after the timeout.
   */
  async waitForStderr(match: string | RegExp, opts: ReadOptions = {}): Promise<string> {
    const timeoutMs = opts.timeoutMs ?? this.readTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    const found = () => (typeof match === 'string' ? this.stderrText.includes(match) : match.test(this.stderrText));
    while (!found()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.exitStatus !== null) {
        throw new Error(`stderr never matched ${String(match)} within ${timeoutMs} ms\n${this.diagnostics()}`);
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.stderrWakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, remaining);
        this.stderrWakers.add(done);
      });
    }
    return this.stderrText;
  }

  /** Every stdout line so far, raw (undecodable bytes replaced), to prove stdout carries only protocol. */
  allStdoutLines(): readonly string[] {
    return [...this.stdoutLines];
  }

  /** What the message checker found so far, in arrival order (empty without a checker). */
  schemaProblems(): readonly string[] {
    return [...this.checkProblems];
  }

  /** Every problem with what the server wrote: stdout lines that are not protocol, then schema problems. */
  protocolProblems(): string[] {
    return [
      ...this.violations.map((v) => `stdout line is not protocol (${v.reason}): ${truncate(v.line, 500)}`),
      ...this.checkProblems,
    ];
  }

  /** stdout lines that were not a JSON object. */
  protocolViolations(): readonly ProtocolViolation[] {
    return [...this.violations];
  }

  /** Ends the server's stdin (EOF). */
  async closeStdin(): Promise<void> {
    if (this.child.stdin.writableEnded) return;
    await new Promise<void>((resolve) => this.child.stdin.end(resolve));
  }

  /** Resolves when the process has exited and its stdio closed; rejects after `timeoutMs`. */
  async waitForExit(opts: ReadOptions = {}): Promise<ExitStatus> {
    const timeoutMs = opts.timeoutMs ?? this.readTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`server did not exit within ${timeoutMs} ms\n${this.diagnostics()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal to the server (default SIGTERM). */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.exitStatus === null) this.child.kill(signal);
  }

  /** Ends stdin, waits up to 5 s for a clean exit, then SIGKILLs. Never throws. */
  async close(): Promise<ExitStatus> {
    if (this.exitStatus) return this.exitStatus;
    this.child.stdin.end();
    const timer = setTimeout(() => this.kill('SIGKILL'), CLOSE_GRACE_MS);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Protocol problems, the last lines both ways and the stderr tail, for failure messages. */
  diagnostics(): string {
    const recent = this.stdoutLines.slice(-RECENT_LINES).map((l) => `  ${truncate(l, 2_000)}`);
    const sent = this.sentLines.map((l) => `  ${truncate(l, 2_000)}`);
    const tail = this.stderrText.slice(-STDERR_TAIL_CHARS);
    const problems = this.protocolProblems();
    return [
      ...(problems.length > 0 ? ['protocol problems so far:', ...problems.slice(0, 10).map((p) => `  ${p}`)] : []),
      `last ${sent.length} line(s) sent to the server:`,
      ...(sent.length > 0 ? sent : ['  (none)']),
      `last ${recent.length} stdout line(s):`,
      ...(recent.length > 0 ? recent : ['  (none)']),
      'server stderr (tail):',
      tail.trim() === '' ? '  (empty)' : tail.trimEnd().replace(/^/gm, '  '),
    ].join('\n');
  }

  private onStdoutLine(bytes: Buffer, decoder: TextDecoder): void {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      const raw = bytes.toString('utf8');
      this.stdoutLines.push(raw);
      this.violations.push({ line: raw, reason: 'invalid-utf8' });
      return;
    }
    this.stdoutLines.push(text);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.violations.push({ line: text, reason: 'not-json' });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.violations.push({ line: text, reason: 'not-an-object' });
      return;
    }
    const message = value as JsonRpcMessage;
    if (this.checker) {
      const id = (message as { id?: unknown }).id;
      const method = typeof id === 'number' || typeof id === 'string' ? this.sentMethods.get(id) : undefined;
      for (const problem of this.checker.check(message, method)) this.checkProblems.push(`${problem} (in ${truncate(text, 300)})`);
    }
    this.inbox.push(message);
  }

  /** Notes the method of every request in what is about to be written (any line, typed or raw). */
  private rememberRequests(data: string | Buffer): void {
    if (!this.checker) return;
    for (const line of data.toString().split('\n')) {
      if (!line.trim()) continue;
      try {
        const m = JSON.parse(line) as unknown;
        if (typeof m !== 'object' || m === null) continue;
        const { id, method } = m as { id?: unknown; method?: unknown };
        if ((typeof id === 'number' || typeof id === 'string') && typeof method === 'string') this.sentMethods.set(id, method);
      } catch {
        // Not JSON (a transport test): nothing to remember.
      }
    }
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}
