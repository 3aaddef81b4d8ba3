import type { ThreadEventSink } from '../threads/ports.js';

/** The part of a connection the notifier needs. */
export interface NotificationTarget {
  readonly initialized: boolean;
  /** Sends one notification unless this connection opted out of `method`. */
  notify(method: string, params: Record<string, unknown>): void;
}

/**
 * Thread notifications every initialized connection receives, subscribed or not. Reference behaviour (0.169.0, two
 * clients on one `--listen ws://` server, measured): a client that never touched a thread still sees its
 * `thread/started` and each `thread/status/changed`; turn and item notifications go to subscribers only.
 */
const BROADCAST_THREAD_METHODS: ReadonlySet<string> = new Set(['thread/started', 'thread/status/changed']);

/**
 * Fans thread events out to connections: a connection receives a thread's turn and item notifications only while it
 * is subscribed (it started, resumed or forked the thread); archive/unload drops every subscription.
 */
export class Notifier implements ThreadEventSink {
  private readonly connections = new Set<NotificationTarget>();
  private readonly subscribers = new Map<string, Set<NotificationTarget>>();

  add(connection: NotificationTarget): void {
    this.connections.add(connection);
  }

  remove(connection: NotificationTarget): void {
    this.connections.delete(connection);
    for (const set of this.subscribers.values()) set.delete(connection);
  }

  subscribe(threadId: string, connection: NotificationTarget): void {
    let set = this.subscribers.get(threadId);
    if (!set) this.subscribers.set(threadId, (set = new Set()));
    set.add(connection);
  }

  /** Returns whether the connection was subscribed. */
  unsubscribe(threadId: string, connection: NotificationTarget): boolean {
    return this.subscribers.get(threadId)?.delete(connection) ?? false;
  }

  thread(threadId: string, method: string, params: Record<string, unknown>): void {
    if (BROADCAST_THREAD_METHODS.has(method)) {
      this.broadcast(method, params);
      return;
    }
    for (const connection of this.subscribers.get(threadId) ?? []) connection.notify(method, params);
  }

  broadcast(method: string, params: Record<string, unknown>): void {
    for (const connection of this.connections) if (connection.initialized) connection.notify(method, params);
  }

  hasSubscribers(threadId: string): boolean {
    return (this.subscribers.get(threadId)?.size ?? 0) > 0;
  }

  unloaded(threadId: string): void {
    this.subscribers.delete(threadId);
  }
}
