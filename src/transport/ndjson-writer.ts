import type { Writable } from 'node:stream';
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-jsonrpc';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import { encodeMessage } from './wire-format.js';

/** Construction options of {@link NdjsonMessageWriter}. */
export interface NdjsonWriterOptions {
  /** Stamps `emittedAtMs` on notifications. */
  clock: Clock;
  /** Where stream failures are logged (stderr in production). */
  logger?: Logger;
  /** Also `end()` the underlying stream when the writer is ended. Default false (stdout stays open). */
  endStreamOnEnd?: boolean;
}

/**
 * vscode-jsonrpc `MessageWriter` producing newline-delimited JSON in the reference envelope and key
 * order (see `encodeMessage`, SPEC §1).
 *
 * Guarantees: one line per message, in the order `write` was called; when the stream signals
 * back-pressure no further line is handed to it until `'drain'`; `write` resolves once its line has
 * been handed to the OS. A stream failure (EPIPE, `'error'`, destroyed stream) is reported once
 * through `onError` (only stream failures are), after which pending and later writes resolve without
 * writing: the writer never throws, never rejects because of the stream, and never leaves an
 * unhandled error. `write` rejects only when the message itself cannot be encoded (logged, not sent,
 * no `onError`). Writes after `end()` are dropped.
 */
export class NdjsonMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private chain: Promise<void> = Promise.resolve();
  private lastSettled: Promise<void> = Promise.resolve();
  private readonly pending = new Set<() => void>();
  private failure: Error | null = null;
  private ended = false;
  private errorCount = 0;
  private unwritten = 0;
  private backlogListener: (() => void) | null = null;
  private readonly onStreamError = (error: Error): void => this.fail(error);
  private readonly onStreamClose = (): void => {
    if (!this.failure && !this.ended) this.fail(new Error('output stream closed'));
    this.fireClose();
  };

  constructor(
    private readonly writable: Writable,
    private readonly options: NdjsonWriterOptions,
  ) {
    super();
    writable.on('error', this.onStreamError);
    writable.on('close', this.onStreamClose);
  }

  /** The stream failure that stopped output, or null while output works. */
  get failed(): Error | null {
    return this.failure;
  }

  /**
   * Bytes of lines accepted by `write` and not yet handed to the OS: what a client that reads slowly (or never)
   * makes this process hold. Zero once output has failed and pending writes were settled.
   */
  get backlogBytes(): number {
    return this.unwritten;
  }

  /** Called (synchronously) each time a line leaves the backlog; null removes it. One listener at a time. */
  setBacklogListener(listener: (() => void) | null): void {
    this.backlogListener = listener;
  }

  write(msg: Message): Promise<void> {
    let line: string;
    try {
      line = `${encodeMessage(msg, () => this.options.clock.nowMs())}\n`;
    } catch (error) {
      // A message JSON cannot encode is the caller's bug, not an output failure: reject this write
      // only, and keep `onError` for the stream (owners treat it as "stdout is gone").
      this.options.logger?.error({ err: error }, 'outgoing message could not be encoded; not sent');
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (this.ended) return Promise.resolve();
    const bytes = Buffer.byteLength(line);
    this.unwritten += bytes;
    const settled = new Promise<void>((resolve) => {
      let open = true;
      const leave = (): void => {
        if (!open) return;
        open = false;
        this.unwritten -= bytes;
        resolve();
        this.backlogListener?.();
      };
      this.chain = this.chain.then(() => this.writeLine(line, leave));
    });
    this.lastSettled = settled;
    return settled;
  }

  /** Resolves when every line written so far has been handed to the OS (or output has failed). */
  flush(): Promise<void> {
    return this.chain.then(() => this.lastSettled);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.options.endStreamOnEnd) {
      void this.flush().then(() => {
        if (!this.failure) this.writable.end();
      });
    }
  }

  override dispose(): void {
    super.dispose();
    this.writable.off('error', this.onStreamError);
    this.writable.off('close', this.onStreamClose);
  }

  /** Hands one line to the stream; returns once the stream may take the next one. */
  private async writeLine(line: string, settle: () => void): Promise<void> {
    if (this.failure) {
      settle();
      return;
    }
    const done = (): void => {
      this.pending.delete(done);
      settle();
    };
    this.pending.add(done);
    let accepted: boolean;
    try {
      accepted = this.writable.write(line, () => done());
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!accepted && !this.failure) await this.drained();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        this.writable.off('drain', finish);
        this.writable.off('error', finish);
        this.writable.off('close', finish);
        resolve();
      };
      this.writable.on('drain', finish);
      this.writable.on('error', finish);
      this.writable.on('close', finish);
    });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.errorCount += 1;
    this.options.logger?.error({ err: error }, 'writing to the output stream failed; further output is dropped');
    this.fireError(error, undefined, this.errorCount);
    for (const settle of [...this.pending]) settle();
  }
}
