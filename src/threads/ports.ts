import type { ThreadIndex } from '../rollout/thread-store.js';
import type { ThreadHistoryProjection } from '../state/history-projection-port.js';
import type { ThreadSearchPort } from '../state/search-port.js';

export type { HistoryCheckpoint, ProjectedItemChange, ProjectedTurnChange, ProjectionStep, ThreadHistoryProjection } from '../state/history-projection-port.js';

/** A thread's Git metadata as `Thread.gitInfo` shows it. */
export interface GitInfo {
  sha: string | null;
  branch: string | null;
  originUrl: string | null;
}

/**
 * What the thread layer needs from the state DB beyond the store's `ThreadIndex`. `StateDb` (src/state/)
 * satisfies it structurally; the manager receives it as `ThreadStatePort | null`.
 */
export interface ThreadStatePort extends ThreadIndex {
  readState(threadId: string): { firstUnreadTurnId: string | null; revision: string } | null;
  recordCompletedTurn(threadId: string, turnId: string, revision: string): void;
  /** Drops every row of the thread (`thread/delete`); absent in test doubles. */
  deleteThread?(threadId: string): void;
  /** The thread's stored Git metadata (`thread/metadata/update`); absent in test doubles. */
  gitInfo?(threadId: string): GitInfo | null;
  /**
   * `gitInfo` of many threads in one statement (a listed page): a thread is in the map only when `gitInfo` would
   * answer non-null for it. Absent in test doubles (callers then ask per thread).
   */
  gitInfos?(threadIds: readonly string[]): Map<string, GitInfo>;
  /** `readState` of many threads in one statement: threads without a receipt are not in the map. Absent in test doubles. */
  readStates?(threadIds: readonly string[]): Map<string, { firstUnreadTurnId: string | null; revision: string }>;
  updateGitInfo?(threadId: string, patch: Partial<GitInfo>): boolean;
  /** The `thread_history_1.sqlite` projection, or null/absent when it cannot be used. */
  readonly history?: ThreadHistoryProjection | null;
  /**
   * The full-text search index (`thread/search`, issue 18), or null/absent: search then scans the rollouts.
   * Kept current by the manager after every turn (`indexTurn`); renames, archive and unarchive reach it
   * through `setName` and the `threads` row it joins (another process's changes are caught up before a search).
   */
  readonly search?: ThreadSearchPort | null;
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
