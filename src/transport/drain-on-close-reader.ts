import { WrappingReader } from './wrapping-reader.js';
import { type DataCallback, type Disposable, type Message, type MessageReader } from 'vscode-jsonrpc/node';

/**
 * Wraps the reader the connection listens on, to keep vscode-jsonrpc's incoming queue from losing what a
 * client sent:
 *
 * - End of input is reported to the connection only after every request that arrived has reached its
 *   handler. vscode-jsonrpc drops queued messages when its reader closes; a client that writes its last
 *   requests and closes stdin at once must still get every answer (SPEC §1 shutdown).
 * - vscode-jsonrpc queues requests in a map keyed by `req-<id>`: a request arriving while another with the
 *   same id (or `1` next to `"1"`) is still queued replaces it, and the first is never answered. Such a
 *   request, and everything after it, is held back until the earlier one has been dispatched, so every
 *   request gets exactly one answer, in arrival order.
 * - A `$/cancelRequest` whose `params.id` is not a string or number makes vscode-jsonrpc throw; it cannot
 *   cancel anything, so it is dropped like any other notification the server does not know.
 */
export class DrainOnCloseReader extends WrappingReader {
  private delivered = 0;
  private dispatched = 0;
  private ended = false;
  private callback: DataCallback | null = null;
  /** Queue keys of requests handed to the connection and not dispatched yet, oldest first (from `queuedHead`). */
  private queued: string[] = [];
  private queuedHead = 0;
  private readonly queuedKeys = new Set<string>();
  /** Messages held back behind a request whose id is still queued (from `heldHead`). */
  private held: Message[] = [];
  private heldHead = 0;

  constructor(inner: MessageReader) {
    super(inner);
    inner.onClose(() => {
      this.ended = true;
      this.maybeClose();
    });
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    return this.inner.listen((message) => {
      if (isUnusableCancel(message)) return;
      this.held.push(message);
      this.release();
    });
  }

  /** Called by the connection when a request reaches its handler (vscode-jsonrpc dispatches in queue order). */
  requestDispatched(): void {
    this.dispatched += 1;
    const key = this.queued[this.queuedHead];
    if (key !== undefined) {
      this.queuedHead += 1;
      this.queuedKeys.delete(key);
      if (this.queuedHead > 1024 && this.queuedHead * 2 > this.queued.length) {
        this.queued = this.queued.slice(this.queuedHead);
        this.queuedHead = 0;
      }
    }
    this.release();
    this.maybeClose();
  }

  /** Hands held messages to the connection, in order, up to the first whose request id is still queued. */
  private release(): void {
    while (this.heldHead < this.held.length) {
      const message = this.held[this.heldHead]!;
      const key = requestQueueKey(message);
      if (key !== null && this.queuedKeys.has(key)) break;
      this.heldHead += 1;
      if (key !== null) {
        this.queued.push(key);
        this.queuedKeys.add(key);
        this.delivered += 1;
      }
      this.callback?.(message);
    }
    if (this.heldHead === this.held.length) {
      this.held = [];
      this.heldHead = 0;
    }
  }

  private maybeClose(): void {
    if (this.ended && this.heldHead === this.held.length && this.dispatched >= this.delivered) {
      this.ended = false;
      // Let the handler that was just dispatched start its work before the connection closes.
      setImmediate(() => this.closeEmitter.fire());
    }
  }
}

/** vscode-jsonrpc's queue key of a request (`'req-' + id.toString()`), or null for anything else. */
function requestQueueKey(message: Message): string | null {
  const m = message as { method?: unknown; id?: unknown };
  if (typeof m.method !== 'string' || (typeof m.id !== 'string' && typeof m.id !== 'number')) return null;
  return `req-${String(m.id)}`;
}

function isUnusableCancel(message: Message): boolean {
  const m = message as { method?: unknown; id?: unknown; params?: unknown };
  if (m.method !== '$/cancelRequest' || m.id !== undefined) return false;
  const params = m.params as { id?: unknown } | null | undefined;
  return typeof params !== 'object' || params === null || (typeof params.id !== 'string' && typeof params.id !== 'number');
}
