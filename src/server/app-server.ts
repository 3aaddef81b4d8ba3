import type { MessageReader, MessageWriter } from 'vscode-jsonrpc/node';
import { KeyedQueue } from '../support/keyed-queue.js';
import { ClientConnection } from './connection.js';
import type { RequestContext } from './context.js';

/** What every request handler shares: the request context without its connection. */
export type AppServerDeps = Omit<RequestContext, 'connection'>;

/** The JSON-RPC front of the ThreadManager: accepts connections and routes their requests. */
export class AppServer {
  private readonly queue = new KeyedQueue();
  private readonly connections = new Set<ClientConnection>();

  constructor(private readonly deps: AppServerDeps) {}

  /** Serves one client; the returned promise resolves when its input has ended and its last request is handled. */
  serve(reader: MessageReader, writer: MessageWriter): Promise<ClientConnection> {
    const connection = new ClientConnection(reader, writer, { ...this.deps, queue: this.queue });
    this.connections.add(connection);
    this.deps.notifier.add(connection);
    const closed = new Promise<ClientConnection>((resolve) =>
      connection.onClose(() => {
        // Requests that arrived just before EOF may still be running: forgetting the connection now would let
        // `drain()` (and the shutdown after it) skip them, closing the DB under them and dropping their answers.
        // The answer of the last one is written a few microtasks after its handler returns: one macrotask more.
        void connection.settled().then(() =>
          setImmediate(() => {
            this.connections.delete(connection);
            this.deps.notifier.remove(connection);
            resolve(connection);
          }),
        );
      }),
    );
    connection.listen();
    return closed;
  }

  /** Waits for every request in flight, then for queued per-thread work. */
  async drain(): Promise<void> {
    await Promise.all([...this.connections].map((c) => c.settled()));
    await this.queue.drain();
  }
}
