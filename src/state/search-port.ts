import type { IndexedThread, ListSortKey } from '../rollout/thread-index.js';

/**
 * What the thread layer asks the state DB's full-text search (issue 18). The query is already validated: a
 * non-empty folded term (`foldTerm`), a decoded cursor position, a page size of at least one.
 */
export interface ThreadSearchQuery {
  /** The term as `foldTerm` returns it (trimmed, well-formed, lower-cased): a literal substring, never a query language. */
  foldedTerm: string;
  archived: boolean;
  sortKey: ListSortKey;
  sortDirection: 'asc' | 'desc';
  /** Exclusive start: after this sort key (unix ms) and, when given, id; a bare key skips every thread at or before it. */
  after: { keyMs: number; id: string | null } | null;
  limit: number;
  /** Source kinds to include (empty = interactive), as in `thread/list`. */
  sourceKinds: string[];
}

/** One matching thread and the snippet of its first matching text. */
export interface ThreadSearchHit {
  thread: IndexedThread;
  snippet: string;
}

export interface ThreadSearchPage {
  hits: ThreadSearchHit[];
  /** True when more matching threads follow the page. */
  more: boolean;
}

/** Visible texts of one turn, for keeping the index current after the turn. */
export interface TurnSearchText {
  threadId: string;
  preview: string;
  /** The turn's visible user and assistant texts, in order. */
  texts: string[];
  /** Every visible text of the thread, asked for only when the index has not seen the thread yet. */
  allTexts: () => string[];
  name: string | null;
}

/**
 * The search side of the state DB. `search` answers null when the index cannot answer now (it is being rebuilt
 * after corruption, or SQLite failed): the caller then scans the rollouts. The upkeep calls never throw.
 */
export interface ThreadSearchPort {
  search(query: ThreadSearchQuery): Promise<ThreadSearchPage | null>;
  indexTurn(turn: TurnSearchText): void;
  removeThread(threadId: string): void;
}
