/** Default bound on one incoming line (bytes before the `\n`): 16 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** Callbacks and limits of a {@link LineSplitter}. */
export interface LineSplitterOptions {
  /**
   * Largest line kept, counted in bytes before the `\n` (a trailing `\r` counts). A longer line is
   * discarded while it streams in and reported through `onOversized`.
   */
  maxLineBytes: number;
  /** Drop one trailing `\r` from each line (CRLF input). Default true. */
  stripCarriageReturn?: boolean;
  /** One complete line, without its terminator; raw bytes, not decoded. May be a view of the input chunk: copy it to keep it past the call. */
  onLine(line: Buffer): void;
  /** A line longer than `maxLineBytes` was discarded; `bytes` is its full length. */
  onOversized(bytes: number): void;
  /**
   * Asked before each line is split out (so after every delivered or oversized line): true stops the splitter
   * there. The rest of the chunk is held, unsplit, until {@link LineSplitter.resume}; chunks pushed meanwhile
   * queue behind it.
   * Absent: the splitter never stops.
   */
  shouldStop?: () => boolean;
}

/**
 * Splits a byte stream into `\n`-terminated lines.
 *
 * Guarantees: lines come out whole and in order however the input is chunked; bytes are never
 * decoded here, so a multi-byte UTF-8 character split across chunks is reassembled intact; at most
 * `maxLineBytes` bytes of an unfinished line are ever held (an oversized line is dropped as it
 * arrives, not buffered); retained pieces are copied so a small tail never pins a large chunk.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;
  private discardedBytes = 0;
  /** Unsplit input held while stopped, oldest first. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private stopped = false;
  private endRequested = false;

  constructor(private readonly options: LineSplitterOptions) {}

  /** Bytes of the unfinished line currently held (never more than `maxLineBytes`). */
  get bufferedBytes(): number {
    return this.size;
  }

  /** True while stopped by `shouldStop` (input is held until `resume()`). */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Bytes of input held unsplit while stopped. */
  get heldInputBytes(): number {
    return this.heldBytes;
  }

  /**
   * Feeds one chunk; calls `onLine`/`onOversized` synchronously for every line it completes, until
   * `shouldStop` says stop (then the rest is held, see {@link LineSplitterOptions.shouldStop}).
   */
  push(chunk: Buffer): void {
    if (this.stopped) {
      if (chunk.length > 0) {
        this.held.push(chunk);
        this.heldBytes += chunk.length;
      }
      return;
    }
    this.split(chunk);
  }

  /**
   * Continues after a stop: splits the held input (it may stop again), then delivers the end of input if
   * `end()` came while stopped. Returns true when nothing is held any more.
   */
  resume(): boolean {
    if (!this.stopped) return true;
    this.stopped = false;
    while (this.held.length > 0 && !this.stopped) {
      const chunk = this.held.shift()!;
      this.heldBytes -= chunk.length;
      this.split(chunk);
    }
    if (this.stopped) return false;
    if (this.endRequested) {
      this.endRequested = false;
      this.end();
    }
    return true;
  }

  private split(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      if (this.options.shouldStop?.() === true) {
        this.stop(chunk.subarray(start));
        return;
      }
      const newline = chunk.indexOf(LF, start);
      if (newline === -1) {
        this.append(chunk.subarray(start), true);
        return;
      }
      if (this.size === 0 && !this.discarding && newline - start <= this.options.maxLineBytes) {
        // Fast path: the whole line sits in this chunk; hand out a view without copying.
        this.emit(chunk.subarray(start, newline));
      } else {
        this.append(chunk.subarray(start, newline), false);
        this.finishLine();
      }
      start = newline + 1;
    }
  }

  /**
   * End of input: a final line without `\n` is still delivered (or reported if oversized). While stopped,
   * this waits for `resume()` to deliver the held input first.
   */
  end(): void {
    if (this.stopped) {
      this.endRequested = true;
      return;
    }
    if (this.discarding || this.size > 0) this.finishLine();
  }

  private stop(rest: Buffer): void {
    this.stopped = true;
    if (rest.length > 0) {
      this.held.unshift(rest);
      this.heldBytes += rest.length;
    }
  }

  private append(piece: Buffer, retain: boolean): void {
    if (piece.length === 0) return;
    if (this.discarding) {
      this.discardedBytes += piece.length;
      return;
    }
    if (this.size + piece.length > this.options.maxLineBytes) {
      this.discarding = true;
      this.discardedBytes = this.size + piece.length;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(retain ? Buffer.from(piece) : piece);
    this.size += piece.length;
  }

  private finishLine(): void {
    if (this.discarding) {
      const bytes = this.discardedBytes;
      this.discarding = false;
      this.discardedBytes = 0;
      this.options.onOversized(bytes);
      return;
    }
    const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.emit(line);
  }

  private emit(line: Buffer): void {
    const strip = this.options.stripCarriageReturn ?? true;
    const body = strip && line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line;
    this.options.onLine(body);
  }
}
