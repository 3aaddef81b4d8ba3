import type { RolloutSummary } from './types.js';

/**
 * The port the rollout store needs from a database index of threads. In rollout/ "index" means this port only
 * (the `threads` table of `state_5.sqlite`); thread names in `session_index.jsonl` are `ThreadNames`. `StateDb` (src/state/) implements it;
 * the store takes `ThreadIndex | null` and works from the filesystem alone when it is null.
 *
 * Contract: every method is synchronous (better-sqlite3) and never throws for expected outcomes; a failing
 * database call throws an Error, which callers log and treat as "no index answer" (the file is the truth).
 */
export interface ThreadIndex {
  /** The indexed rollout path of a thread among active (`archived=false`) or archived rows; null if no row. */
  rolloutPath(threadId: string, archived: boolean): string | null;
  /** The whole row as a summary, or null. */
  getThread(threadId: string): IndexedThread | null;
  /** Insert or replace a row built from a rollout summary (backfill, read-repair, materialisation). */
  upsertThread(row: IndexedThreadInput): void;
  /**
   * Read-repair: point a row at a new path. `archived` and `archived_at_ms` follow the path's directory.
   * Returns false when no row exists (the caller then rebuilds it from the file).
   */
  updateRolloutPath(threadId: string, rolloutPath: string, archived: boolean, archivedAtMs: number | null): boolean;
  /** Per-turn update after an append: `updated_at`, `recency_at`, `tokens_used`, `model`, first preview. */
  recordTurn(update: TurnIndexUpdate): void;
  /** `thread/name/set`. */
  setName(threadId: string, name: string, updatedAtMs: number): void;
  /** One page of threads from the DB alone (`useStateDbOnly`), same order and filters as the filesystem path. */
  listThreads(query: IndexListQuery): IndexedThread[];
  /** Every thread reachable from `parentId` through spawn edges (any status), breadth-first by depth, ids ascending within a depth. */
  descendants(parentId: string): string[];
}

export interface IndexedThreadInput extends Omit<RolloutSummary, 'lineCount' | 'forkedFromId'> {
  approvalMode: string;
  sandboxPolicy: string;
  name: string | null;
  archivedAtMs: number | null;
}

export interface IndexedThread extends IndexedThreadInput {}

export interface TurnIndexUpdate {
  threadId: string;
  updatedAtMs: number;
  recencyAtMs: number | null;
  tokensUsed: number;
  model: string | null;
  /** Set only when the row has no preview yet. */
  firstUserMessage: string | null;
}

export type ListSortKey = 'created_at' | 'updated_at' | 'recency_at';

/** Shared by the filesystem and DB list paths so both return the same page. */
export interface IndexListQuery {
  archived: boolean;
  sortKey: ListSortKey;
  sortDirection: 'asc' | 'desc';
  /** Exclusive position after which the page starts: the sort key (unix ms) and id of the last item seen. */
  after: { keyMs: number; id: string } | null;
  limit: number;
  /** Source kinds to include: plain strings (`vscode`, `cli`, `exec`, …) and `subAgent` kinds. Empty = interactive (`cli`, `vscode`). */
  sourceKinds: string[];
  modelProviders: string[] | null;
  cwds: string[] | null;
  searchTerm: string | null;
  /** The non-archived listing omits threads with an empty preview. */
  requirePreview: boolean;
}
