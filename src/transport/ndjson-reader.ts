import type { Readable } from 'node:stream';
import { AbstractMessageReader, type DataCallback, type Disposable, type Message, type MessageReader } from 'vscode-jsonrpc';
import type { Logger } from '../support/logger.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-splitter.js';

/**
 * Deepest nesting of arrays/objects a line may have. Reference behaviour: serde_json stops at 128 levels
 * (`remaining_depth: 128`), so the reference drops a deeper line as not JSON. Bounding it here also keeps a
 * small line from parsing into a huge object graph (a 1 MB line of `[` is a million arrays).
 */
export const MAX_NESTING_DEPTH = 127;

/** Why an incoming line was dropped without reaching the connection. */
export type DropReason = 'oversized' | 'invalid-utf8' | 'invalid-json' | 'not-object';

/** Running totals of dropped lines since the reader was created. */
export interface DropTotals {
  /** Lines longer than `maxLineBytes`. */
  oversized: number;
  /** Lines that were not UTF-8, not JSON, or JSON but not an object. */
  malformed: number;
}

/** One dropped line, as reported to `onDrop`. */
export interface DropEvent {
  reason: DropReason;
  /** Length of the dropped line in bytes (without its terminator). */
  bytes: number;
  totals: DropTotals;
}

/** Construction options of {@link NdjsonMessageReader}. */
export interface NdjsonReaderOptions {
  /** Where dropped lines are reported (stderr in production; never stdout). */
  logger: Logger;
  /** Bound on one line in bytes; default {@link DEFAULT_MAX_LINE_BYTES}. */
  maxLineBytes?: number;
  /** Told about every dropped line, so the owner may react (the reference answers nothing). */
  onDrop?: (event: DropEvent) => void;
}

/**
 * Decides whether a {@link NdjsonMessageReader} may hand out its next message. While `open()` is false the
 * reader stops between two lines, holds the rest of what it has read, and stops reading its stream (so the
 * client's writes block in the OS pipe) until its owner calls `resumeInput()`.
 */
export interface InputGate {
  open(): boolean;
}

/**
 * vscode-jsonrpc `MessageReader` over newline-delimited JSON (SPEC §1).
 *
 * Guarantees: every line that is a JSON object reaches the callback, in order, as soon as its `\n`
 * arrives (a final unterminated line is delivered at end of input); `\r\n` is accepted; blank lines
 * are skipped; a line that is not UTF-8, not JSON, or not an object (`[1,2,3]`, `42`, `null`) is
 * dropped and logged and the stream stays usable; a line over `maxLineBytes` is discarded as it
 * streams in, so memory stays bounded. End of input (or the stream closing) fires `onClose` once;
 * a stream error fires `onError`. It never writes anything and never answers a dropped line.
 */
export class NdjsonMessageReader extends AbstractMessageReader implements MessageReader {
  private readonly splitter: LineSplitter;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly totals: DropTotals = { oversized: 0, malformed: 0 };
  private callback: DataCallback | null = null;
  private closed = false;
  private gate: InputGate | null = null;
  /** Stream end or close seen while input was held: reported once the held lines are out. */
  private endHeld = false;
  private closeHeld = false;
  private deliveredBytes = 0;

  constructor(
    private readonly readable: Readable,
    private readonly options: NdjsonReaderOptions,
  ) {
    super();
    this.splitter = new LineSplitter({
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      onLine: (line) => this.handleLine(line),
      onOversized: (bytes) => this.drop('oversized', bytes),
      shouldStop: () => this.gate !== null && !this.gate.open(),
    });
  }

  /**
   * Installs (or, with null, removes) the gate consulted before every line. Without a gate the reader never
   * stops. Nothing is lost or reordered by stopping: held bytes are split later exactly as they would have been.
   */
  setInputGate(gate: InputGate | null): void {
    this.gate = gate;
    if (gate === null) this.resumeInput();
  }

  /** Bytes of all lines handed to the callback so far (what flow control weighs messages by). */
  get deliveredLineBytes(): number {
    return this.deliveredBytes;
  }

  /** True while input is held because the gate was closed. */
  get inputPaused(): boolean {
    return this.splitter.isStopped;
  }

  /**
   * Delivers held lines while the gate stays open; once nothing is held, reads the stream again (and reports
   * an end of input that arrived meanwhile). Harmless when not paused.
   */
  resumeInput(): void {
    if (!this.splitter.isStopped) return;
    if (!this.splitter.resume()) return;
    if (this.endHeld) {
      this.endHeld = false;
      this.splitter.end();
      this.close();
      return;
    }
    if (this.closeHeld) {
      this.close();
      return;
    }
    this.readable.resume();
  }

  /** Bytes of an unfinished line held right now (at most `maxLineBytes`). */
  get bufferedBytes(): number {
    return this.splitter.bufferedBytes;
  }

  /** Dropped-line counts so far. */
  get dropTotals(): Readonly<DropTotals> {
    return { ...this.totals };
  }

  listen(callback: DataCallback): Disposable {
    if (this.callback) throw new Error('NdjsonMessageReader.listen may be called only once');
    this.callback = callback;
    const onData = (chunk: Buffer | string): void => {
      this.splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
      // Stopped: leave further input in the stream and the OS pipe, where the client feels the back-pressure.
      if (this.splitter.isStopped) this.readable.pause();
    };
    const onEnd = (): void => {
      if (this.splitter.isStopped) {
        this.endHeld = true;
        return;
      }
      this.splitter.end();
      this.close();
    };
    const onClose = (): void => {
      if (this.splitter.isStopped) {
        this.closeHeld = true;
        return;
      }
      this.close();
    };
    const onError = (error: Error): void => this.fireError(error);
    this.readable.on('data', onData);
    this.readable.on('end', onEnd);
    this.readable.on('close', onClose);
    this.readable.on('error', onError);
    return {
      dispose: () => {
        this.readable.off('data', onData);
        this.readable.off('end', onEnd);
        this.readable.off('close', onClose);
        this.readable.off('error', onError);
      },
    };
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fireClose();
  }

  private handleLine(bytes: Buffer): void {
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      this.drop('invalid-utf8', bytes.length);
      return;
    }
    if (text.trim() === '') return;
    if (nestingExceeds(text, MAX_NESTING_DEPTH)) {
      this.drop('invalid-json', bytes.length);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.drop('invalid-json', bytes.length);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.drop('not-object', bytes.length);
      return;
    }
    this.deliveredBytes += bytes.length;
    try {
      this.callback?.(value as Message);
    } catch (error) {
      // A throwing consumer must not kill the stream: report it and keep reading.
      this.options.logger.error({ err: error }, 'message handler threw while processing an incoming line');
      this.fireError(error);
    }
  }

  private drop(reason: DropReason, bytes: number): void {
    if (reason === 'oversized') this.totals.oversized += 1;
    else this.totals.malformed += 1;
    this.options.logger.warn({ reason, bytes }, `dropped incoming line (${reason}, ${bytes} bytes)`);
    this.options.onDrop?.({ reason, bytes, totals: { ...this.totals } });
  }
}

/** True when the JSON text nests arrays/objects deeper than `max` (strings are skipped; invalid JSON is left to the parser). */
export function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return false;
}
