import { Emitter, type DataCallback, type Disposable, type Event, type MessageReader, type PartialMessageInfo } from 'vscode-jsonrpc/node';

/**
 * Wraps a reader so that end of input is reported to the connection only after every request that arrived
 * has reached its handler. vscode-jsonrpc drops queued messages when its reader closes; a client that
 * writes its last requests and closes stdin at once must still get every answer (SPEC §1 shutdown).
 */
export class DrainOnCloseReader implements MessageReader {
  private delivered = 0;
  private dispatched = 0;
  private ended = false;
  private readonly closeEmitter = new Emitter<void>();

  constructor(private readonly inner: MessageReader) {
    inner.onClose(() => {
      this.ended = true;
      this.maybeClose();
    });
  }

  get onError(): Event<Error> {
    return this.inner.onError;
  }

  get onClose(): Event<void> {
    return this.closeEmitter.event;
  }

  get onPartialMessage(): Event<PartialMessageInfo> {
    return this.inner.onPartialMessage;
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((message) => {
      const m = message as { method?: unknown; id?: unknown };
      if (typeof m.method === 'string' && (typeof m.id === 'string' || typeof m.id === 'number')) this.delivered += 1;
      callback(message);
    });
  }

  /** Called by the connection when a request reaches its handler. */
  requestDispatched(): void {
    this.dispatched += 1;
    this.maybeClose();
  }

  dispose(): void {
    this.inner.dispose();
    this.closeEmitter.dispose();
  }

  private maybeClose(): void {
    if (this.ended && this.dispatched >= this.delivered) {
      this.ended = false;
      // Let the handler that was just dispatched start its work before the connection closes.
      setImmediate(() => this.closeEmitter.fire());
    }
  }
}
