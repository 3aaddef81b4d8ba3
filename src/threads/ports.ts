import type { ThreadIndex } from '../rollout/thread-index.js';

/**
 * What the thread layer needs from the state DB beyond the store's `ThreadIndex`. `StateDb` (src/state/)
 * satisfies it structurally; the manager receives it as `ThreadStatePort | null`.
 */
export interface ThreadStatePort extends ThreadIndex {
  readState(threadId: string): { firstUnreadTurnId: string | null; revision: string } | null;
  recordCompletedTurn(threadId: string, turnId: string, revision: string): void;
  /** The `thread_history_1.sqlite` projection, or null/absent when it cannot be used. */
  readonly history?: ThreadHistoryProjection | null;
}

/** A position in a rollout: the next byte to project and the ordinal the line there must carry. */
export interface HistoryCheckpoint {
  offset: number;
  ordinal: number;
}

/** A turn as one rollout line leaves it (`task_started`, `task_complete`, `turn_aborted`). */
export interface ProjectedTurnChange {
  turnId: string;
  rootTurnId: string | null;
  status: 'inProgress' | 'completed' | 'interrupted' | 'failed';
  /** The v2 `TurnError` JSON text, or null. */
  errorJson: string | null;
  /** Unix seconds. */
  startedAt: number | null;
  completedAt: number | null;
  durationMs: number | null;
}

/** A completed item (`item_completed`): the v2 item without `startedAtMs`/`completedAtMs`. */
export interface ProjectedItemChange {
  turnId: string;
  itemId: string;
  itemJson: string;
  /** The v2 item's `type` (`userMessage`, `agentMessage`, …). */
  itemType: string;
  startedAtMs: number | null;
  completedAtMs: number | null;
}

/** What one complete rollout line changes in the projection. */
export interface ProjectionStep {
  ordinal: number;
  startOffset: number;
  endOffset: number;
  /** The line's timestamp (unix ms): an item's creation time when it has no `started_at_ms`. */
  fallbackCreatedAtMs: number | null;
  turns: ProjectedTurnChange[];
  items: ProjectedItemChange[];
}

/**
 * The reference's paginated-history projection of rollouts (`thread_history_1.sqlite`: `thread_turns`,
 * `thread_items`, `thread_history_projection_state`). The reference answers reads of threads it has not
 * loaded from it alone, so whoever appends to a rollout keeps it current. Implemented in src/state/.
 */
export interface ThreadHistoryProjection {
  /** How far the thread's rollout is projected, or null when it never was. */
  checkpoint(threadId: string): HistoryCheckpoint | null;
  /**
   * Applies `steps` and moves the checkpoint to `to`, in one IMMEDIATE transaction. With `replace` the
   * thread's rows are dropped first (a rebuild from the start of the file). Otherwise the stored checkpoint
   * must equal `from` (no checkpoint counts as offset 0); when it does not, nothing is written and the
   * answer is false. Throws only when SQLite fails.
   */
  apply(threadId: string, update: { from: HistoryCheckpoint; to: HistoryCheckpoint; steps: ProjectionStep[]; replace: boolean }): boolean;
}

/**
 * Where the manager sends notifications. `thread` goes to the connections subscribed to that thread;
 * `broadcast` to every initialised connection. The server implements it; the manager knows no connections.
 */
export interface ThreadEventSink {
  thread(threadId: string, method: string, params: Record<string, unknown>): void;
  broadcast(method: string, params: Record<string, unknown>): void;
  /** The thread was unloaded here (archive, shutdown): drop every subscription to it. */
  unloaded(threadId: string): void;
  /** Whether any connection is subscribed to the thread (idle unloading waits for none). */
  hasSubscribers(threadId: string): boolean;
}
