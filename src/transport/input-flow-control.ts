import {
  Message as Messages,
  type DataCallback,
  type Disposable,
  type Message,
  type MessageReader,
  type MessageStrategy,
} from 'vscode-jsonrpc/node';
import type { InputGate } from './ndjson-reader.js';
import { WrappingReader } from './wrapping-reader.js';

/** Requests read and not yet answered above which input stops being read. */
export const MAX_PENDING_REQUESTS = 128;
/** Output bytes not yet handed to the OS above which input stops being read: 1 MiB. */
export const MAX_UNWRITTEN_OUTPUT_BYTES = 1024 * 1024;
/** Bytes of the lines of pending messages above which input stops being read: 8 MiB (lines may be 16 MiB long). */
export const MAX_PENDING_INPUT_BYTES = 8 * 1024 * 1024;

/** A reader that can stop between two lines and start again (see `NdjsonMessageReader`). */
export interface PausableInput {
  setInputGate(gate: InputGate | null): void;
  resumeInput(): void;
  /** Bytes of every line delivered so far; lets pending messages be weighed by their size. */
  readonly deliveredLineBytes?: number;
}

/** A writer that reports the output it still holds (see `NdjsonMessageWriter`). */
export interface BackloggedOutput {
  readonly backlogBytes: number;
  setBacklogListener(listener: (() => void) | null): void;
}

/** Bounds of an {@link InputFlowControl}. */
export interface FlowLimits {
  maxPendingRequests: number;
  maxUnwrittenBytes: number;
  /** Bound on the bytes of pending messages' lines (only with a reader that reports `deliveredLineBytes`). */
  maxPendingInputBytes: number;
}

/**
 * Keeps one connection's memory bounded by what it has read but not finished, whatever the client sends and
 * however slowly it reads: a `MessageReader` decorator that counts every message it hands on until
 * vscode-jsonrpc has dealt with it (a request: until its answer was handed to the OS), and closes the input
 * gate while more than `maxPendingRequests` messages are pending, their lines weigh more than
 * `maxPendingInputBytes` (a message with megabyte strings costs megabytes) or more than `maxUnwrittenBytes` of
 * output wait to be written. The reader then stops between two lines and stops reading its stream, so the client's
 * writes block in the OS pipe; the gate reopens below both bounds.
 *
 * Guarantees: nothing read is dropped or reordered (the reader holds what it has split off); a reader or writer
 * without these capabilities is passed through unchanged (never paused); `$/cancelRequest` is never counted, so
 * a cancel consumed by vscode-jsonrpc without queueing cannot keep the gate closed. Non-requests are counted
 * in arrival order and released when they, or anything that arrived after them, leave vscode-jsonrpc's queue
 * (its queue is first-in first-out; a response replaced by a later one with the same id leaves with it).
 *
 * Must be given to vscode-jsonrpc both as the reader (directly or wrapped) and as `messageStrategy`.
 */
export class InputFlowControl extends WrappingReader implements MessageStrategy {
  private seq = 0;
  private readonly seqOf = new WeakMap<object, number>();
  /** Requests counted and not answered yet. */
  private readonly inFlight = new WeakSet<object>();
  /** Sequence numbers of counted non-requests not yet released, oldest first (from `waitingHead`). */
  private waiting: number[] = [];
  private waitingBytes: number[] = [];
  private waitingHead = 0;
  private pendingBytes = 0;
  private lastDeliveredBytes = 0;
  private readonly requestBytes = new WeakMap<object, number>();
  private requests = 0;
  private paused = false;
  private readonly limits: FlowLimits;

  constructor(
    inner: MessageReader,
    private readonly output: MessageWriterLike,
    limits: Partial<FlowLimits> = {},
  ) {
    super(inner);
    this.limits = {
      maxPendingRequests: limits.maxPendingRequests ?? MAX_PENDING_REQUESTS,
      maxUnwrittenBytes: limits.maxUnwrittenBytes ?? MAX_UNWRITTEN_OUTPUT_BYTES,
      maxPendingInputBytes: limits.maxPendingInputBytes ?? MAX_PENDING_INPUT_BYTES,
    };
    inner.onClose(() => this.closeEmitter.fire());
  }

  /** Messages handed on and not finished (requests in flight plus queued non-requests). */
  get pending(): number {
    return this.requests + (this.waiting.length - this.waitingHead);
  }

  /** Bytes of the lines of the pending messages. */
  get pendingInputBytes(): number {
    return this.pendingBytes;
  }

  /** True while the gate is closed. */
  get gateClosed(): boolean {
    return !this.isOpen();
  }

  listen(callback: DataCallback): Disposable {
    const input = pausable(this.inner);
    const output = backlogged(this.output);
    if (input) {
      input.setInputGate({
        open: () => {
          if (this.isOpen()) return true;
          this.paused = true;
          return false;
        },
      });
      output?.setBacklogListener(() => this.maybeResume());
    }
    const listening = this.inner.listen((message) => {
      this.count(message);
      callback(message);
    });
    return {
      dispose: () => {
        listening.dispose();
        input?.setInputGate(null);
        output?.setBacklogListener(null);
      },
    };
  }

  /** vscode-jsonrpc's hook around every message it takes off its queue. */
  handleMessage(message: Message, next: (message: Message) => void): void {
    this.dequeued(message);
    let result: unknown;
    try {
      result = next(message);
    } catch (error) {
      this.finished(message);
      throw error;
    }
    if (result instanceof Promise) void result.finally(() => this.finished(message)).catch(() => {});
    else this.finished(message);
  }

  private isOpen(): boolean {
    const backlog = backlogged(this.output)?.backlogBytes ?? 0;
    return this.pending < this.limits.maxPendingRequests && backlog < this.limits.maxUnwrittenBytes && this.pendingBytes < this.limits.maxPendingInputBytes;
  }

  private count(message: Message): void {
    const delivered = pausable(this.inner)?.deliveredLineBytes ?? 0;
    const bytes = delivered - this.lastDeliveredBytes;
    this.lastDeliveredBytes = delivered;
    if ((message as { method?: unknown }).method === '$/cancelRequest') return;
    this.seq += 1;
    this.seqOf.set(message, this.seq);
    this.pendingBytes += bytes;
    if (Messages.isRequest(message)) {
      this.requests += 1;
      this.inFlight.add(message);
      this.requestBytes.set(message, bytes);
    } else {
      this.waiting.push(this.seq);
      this.waitingBytes.push(bytes);
    }
  }

  /** Taken off vscode-jsonrpc's queue: everything that arrived before it has left the queue too. */
  private dequeued(message: Message): void {
    const seq = this.seqOf.get(message);
    if (seq === undefined) return;
    this.seqOf.delete(message);
    while (this.waitingHead < this.waiting.length && this.waiting[this.waitingHead]! <= seq) {
      this.pendingBytes -= this.waitingBytes[this.waitingHead]!;
      this.waitingHead += 1;
    }
    if (this.waitingHead === this.waiting.length) {
      this.waiting = [];
      this.waitingBytes = [];
      this.waitingHead = 0;
    } else if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingBytes = this.waitingBytes.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }

  private finished(message: Message): void {
    if (this.inFlight.delete(message)) {
      this.requests -= 1;
      this.pendingBytes -= this.requestBytes.get(message) ?? 0;
      this.requestBytes.delete(message);
    }
    this.maybeResume();
  }

  private maybeResume(): void {
    if (!this.paused || !this.isOpen()) return;
    this.paused = false;
    pausable(this.inner)?.resumeInput();
  }
}

/** Whatever the connection writes through (only its backlog is read). */
type MessageWriterLike = object;

function pausable(reader: MessageReader): PausableInput | null {
  const r = reader as Partial<PausableInput>;
  return typeof r.setInputGate === 'function' && typeof r.resumeInput === 'function' ? (r as PausableInput) : null;
}

function backlogged(writer: MessageWriterLike): BackloggedOutput | null {
  const w = writer as Partial<BackloggedOutput>;
  return typeof w.backlogBytes === 'number' && typeof w.setBacklogListener === 'function' ? (w as BackloggedOutput) : null;
}
