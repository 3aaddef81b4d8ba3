import type { JsonRpcMessage } from './jsonrpc.js';

/**
 * A read that waited its whole timeout without a match (the server was alive and the stream open). Any other
 * failure — the server exited, stdout closed — is a plain Error, so "nothing arrives" checks can tell them apart.
 */
export class ReadTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadTimeoutError';
  }
}

/** What the inbox needs to explain a failed wait. */
export interface InboxDiagnostics {
  (): string;
}

/**
 * Messages read from the server's stdout, with the Rust harness's buffering semantics
 * (`McpProcess::read_stream_until_*` in codex-rs/app-server/tests/common/mcp_process.rs):
 *
 * - a search first looks through the messages earlier searches read past ("skipped"), oldest first,
 *   and removes the first match;
 * - otherwise it reads new messages in arrival order; non-matching ones are appended to "skipped",
 *   the match is consumed, and messages after the match stay unread for later calls;
 * - `takeNext` returns the next unread message (it does not look at skipped ones);
 * - `clearSkipped` forgets skipped messages only, never unread ones.
 *
 * Every wait is bounded by a deadline; on timeout (or when stdout has closed) it throws an Error
 * whose message includes the diagnostics (recent stdout lines, server stderr).
 */
export class MessageInbox {
  private readonly skipped: JsonRpcMessage[] = [];
  private readonly unread: JsonRpcMessage[] = [];
  private readonly wakers = new Set<() => void>();
  private closedReason: string | null = null;

  constructor(private readonly diagnostics: InboxDiagnostics) {}

  /** A new message arrived on stdout. */
  push(message: JsonRpcMessage): void {
    this.unread.push(message);
    this.wake();
  }

  /** stdout ended: waits that cannot be satisfied fail at once instead of timing out. */
  close(reason: string): void {
    this.closedReason ??= reason;
    this.wake();
  }

  clearSkipped(): void {
    this.skipped.length = 0;
  }

  /** Messages read past by searches and not consumed yet, oldest first. */
  skippedMessages(): readonly JsonRpcMessage[] {
    return [...this.skipped];
  }

  async takeMatching(predicate: (m: JsonRpcMessage) => boolean, what: string, timeoutMs: number): Promise<JsonRpcMessage> {
    const index = this.skipped.findIndex(predicate);
    if (index !== -1) return this.skipped.splice(index, 1)[0]!;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const next = this.unread.shift();
      if (next !== undefined) {
        if (predicate(next)) return next;
        this.skipped.push(next);
        continue;
      }
      await this.waitForArrival(deadline, what, timeoutMs);
    }
  }

  async takeNext(what: string, timeoutMs: number): Promise<JsonRpcMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const next = this.unread.shift();
      if (next !== undefined) return next;
      await this.waitForArrival(deadline, what, timeoutMs);
    }
  }

  private async waitForArrival(deadline: number, what: string, timeoutMs: number): Promise<void> {
    if (this.closedReason !== null) {
      throw new Error(`${this.closedReason} while waiting for ${what}\n${this.diagnostics()}`);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new ReadTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.diagnostics()}`);
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, remaining);
      this.wakers.add(done);
    });
  }

  private wake(): void {
    for (const waker of [...this.wakers]) waker();
  }
}
