/**
 * The one set of types of the paginated-history projection port: the thread layer's `HistoryProjector`
 * computes them from rollout lines, `ThreadHistoryStore` writes them to `thread_history_1.sqlite`. They live
 * in state/ because state never imports the thread layer, while the thread layer may use state's types.
 */

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

/** One transactional move of a thread's projection from `from` to `to` (see `ThreadHistoryProjection.apply`). */
export interface ProjectionUpdate {
  from: HistoryCheckpoint;
  to: HistoryCheckpoint;
  steps: ProjectionStep[];
  replace: boolean;
}

/**
 * The reference's paginated-history projection of rollouts (`thread_history_1.sqlite`: `thread_turns`,
 * `thread_items`, `thread_history_projection_state`). The reference answers reads of threads it has not
 * loaded from it alone, so whoever appends to a rollout keeps it current. Implemented by `ThreadHistoryStore` (history-projection-store.ts); fed by the thread layer's `HistoryProjector`.
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
  apply(threadId: string, update: ProjectionUpdate): boolean;
  /** Paged reads (`history-pages.ts`); absent in test doubles that only project. */
  readonly pages?: HistoryPagesPort;
}

/** Paged reads of the projection, ordered by rollout ordinal (`HistoryPages`). */
export type HistoryPagesPort = Pick<import('./history-pages.js').HistoryPages, 'turns' | 'items' | 'turnItems' | 'lastOrdinals' | 'isProjected'>;
