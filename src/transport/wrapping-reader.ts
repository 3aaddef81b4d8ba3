import { Emitter, type DataCallback, type Disposable, type Event, type MessageReader, type PartialMessageInfo } from 'vscode-jsonrpc/node';

/**
 * A reader that wraps the one the connection would listen on: errors and partial messages are the inner
 * reader's, close is its own (`closeEmitter`, fired when the subclass decides), and disposing disposes both.
 */
export abstract class WrappingReader implements MessageReader {
  protected readonly closeEmitter = new Emitter<void>();

  protected constructor(protected readonly inner: MessageReader) {}

  get onError(): Event<Error> {
    return this.inner.onError;
  }

  get onClose(): Event<void> {
    return this.closeEmitter.event;
  }

  get onPartialMessage(): Event<PartialMessageInfo> {
    return this.inner.onPartialMessage;
  }

  abstract listen(callback: DataCallback): Disposable;

  dispose(): void {
    this.inner.dispose();
    this.closeEmitter.dispose();
  }
}
