import { sortKeyMs, visibleTextsOf, type IndexListQuery, type ListSortKey, type StoredThread } from '../rollout/thread-store.js';
import type { ThreadSearchQuery } from '../state/search-port.js';
import { findAll, findFirst, firstSnippet, foldTerm, searchableTexts, snippetAround } from '../support/literal-match.js';
import { isCanonicalThreadId } from '../support/thread-id.js';
import { ThreadError, requireThreadId } from './errors.js';
import { rebuildHistory } from './history.js';
import type { TurnFacts } from './facts.js';
import type { ThreadFacts } from './render/thread.js';
import type { ThreadQueryDeps } from './thread-queries.js';
import { itemText } from './search-text.js';

/** `thread/search` as the thread layer takes it (params defaulted by the handler). */
export interface ThreadSearchRequest {
  searchTerm: string;
  cursor: string | null;
  limit: number;
  sortKey: ListSortKey;
  sortDirection: 'asc' | 'desc';
  archived: boolean;
  sourceKinds: string[];
}

export interface ThreadSearchResultPage {
  results: { thread: ThreadFacts; snippet: string }[];
  nextCursor: string | null;
  backwardsCursor: string | null;
  /** Which path answered: the SQLite index, or the scan of the rollouts (no DB handle, or the index rebuilding). */
  source: 'index' | 'scan';
}

/** Threads read per `ThreadStore.list` page while scanning. */
const SCAN_PAGE = 100;

/**
 * `thread/search` (issue 18): threads whose preview, name, visible messages or id hold the term as a literal,
 * case-insensitive substring, in `thread/list` order and filters, with the snippet of the first matching text.
 * The state DB's index answers when it can; otherwise the rollouts are scanned page by page (slow but the
 * same answer).
 */
export async function searchThreads(deps: ThreadQueryDeps, request: ThreadSearchRequest): Promise<ThreadSearchResultPage> {
  const foldedTerm = foldTerm(request.searchTerm);
  if (foldedTerm === '') throw new ThreadError('invalid-request', 'thread/search requires a non-empty searchTerm');
  const query: ThreadSearchQuery = {
    foldedTerm,
    archived: request.archived,
    sortKey: request.sortKey,
    sortDirection: request.sortDirection,
    after: request.cursor ? parseSearchCursor(request.cursor) : null,
    limit: Math.max(1, request.limit),
    sourceKinds: request.sourceKinds,
  };
  let found: { threads: { stored: StoredThread; snippet: string }[]; more: boolean } | null = null;
  let source: ThreadSearchResultPage['source'] = 'index';
  try {
    const page = (await deps.stateDb?.search?.search(query)) ?? null;
    if (page) {
      found = {
        threads: page.hits.map((hit) => ({ stored: { ...hit.thread, lineCount: 0, forkedFromId: null }, snippet: hit.snippet })),
        more: page.more,
      };
    }
  } catch (error) {
    deps.log.warn({ err: error }, 'thread search index failed; scanning the rollouts');
  }
  if (!found) {
    source = 'scan';
    found = await scanRollouts(deps, query);
  }
  const first = found.threads[0]?.stored;
  const last = found.threads.at(-1)?.stored;
  const keyOf = (stored: StoredThread): number => sortKeyMs(stored, request.sortKey);
  return {
    results: found.threads.map(({ stored, snippet }) => ({ thread: deps.storedFacts(stored), snippet })),
    nextCursor: found.more && last ? formatSearchCursor(keyOf(last), last.id) : null,
    // Reference behaviour: anchored one millisecond before the page's first key (after it, ascending), so a
    // reversed walk from it includes that thread and any that share its timestamp.
    backwardsCursor: first ? new Date(keyOf(first) + (request.sortDirection === 'desc' ? -1 : 1)).toISOString() : null,
    source,
  };
}

/**
 * The scan fallback: the store's own listing (same order and filters as the index path), each thread's
 * preview and name checked first and its rollout read only when they do not match.
 */
export async function scanRollouts(
  deps: Pick<ThreadQueryDeps, 'store'>,
  query: ThreadSearchQuery,
): Promise<{ threads: { stored: StoredThread; snippet: string }[]; more: boolean }> {
  const { store } = deps;
  const threads: { stored: StoredThread; snippet: string }[] = [];
  // A bare timestamp cursor skips every thread at that key: an id beyond every id does that on the store's walk.
  let after: IndexListQuery['after'] = query.after ? { keyMs: query.after.keyMs, id: query.after.id ?? (query.sortDirection === 'desc' ? '' : '\uffff') } : null;
  for (;;) {
    const page = await store.list(
      {
        archived: query.archived,
        sortKey: query.sortKey,
        sortDirection: query.sortDirection,
        after,
        limit: SCAN_PAGE,
        sourceKinds: query.sourceKinds,
        modelProviders: null,
        cwds: null,
        searchTerm: null,
        requirePreview: !query.archived,
      },
      false,
    );
    for (const stored of page.threads) {
      const snippet = await scanThread(deps, stored, query.foldedTerm);
      if (snippet === null) continue;
      if (threads.length === query.limit) return { threads, more: true };
      threads.push({ stored, snippet });
    }
    const last = page.threads.at(-1);
    if (!page.more || !last) return { threads, more: false };
    after = { keyMs: sortKeyMs(last, query.sortKey), id: last.id };
  }
}

async function scanThread(deps: Pick<ThreadQueryDeps, 'store'>, stored: StoredThread, foldedTerm: string): Promise<string | null> {
  const header = firstSnippet(searchableTexts(stored.preview, stored.name, [], '').slice(0, -1), foldedTerm);
  if (header !== null) return header;
  let messages: string[] = [];
  try {
    messages = visibleTextsOf((await deps.store.readWithLineage(stored.rolloutPath)).own.lines);
  } catch {
    // A file that vanished or cannot be read since it was listed: only its id can still match.
  }
  return firstSnippet([...messages, stored.id], foldedTerm);
}

/** Cursor text `<RFC 3339 UTC, ms>|<id>` (the reference's form); opaque to clients. */
export function formatSearchCursor(keyMs: number, id: string): string {
  return `${new Date(keyMs).toISOString().replace(/\.?0*Z$/, 'Z')}|${id}`;
}

/** `<timestamp>|<id>` as returned in `nextCursor`, or a bare timestamp as returned in `backwardsCursor`. */
export function parseSearchCursor(cursor: string): { keyMs: number; id: string | null } {
  const bar = cursor.lastIndexOf('|');
  const keyMs = Date.parse(bar > 0 ? cursor.slice(0, bar) : cursor);
  const id = bar > 0 ? cursor.slice(bar + 1) : null;
  if (Number.isNaN(keyMs) || (id !== null && !isCanonicalThreadId(id)) || !/^\d{4}-\d{2}-\d{2}T/.test(cursor)) {
    throw new ThreadError('invalid-cursor', `invalid cursor: ${cursor}`);
  }
  return { keyMs, id };
}

/** `thread/searchOccurrences` as the thread layer takes it. */
export interface OccurrencesRequest {
  threadId: string;
  searchTerm: string;
  cursor: string | null;
  limit: number;
}

export interface ThreadOccurrence {
  turnId: string;
  itemId: string;
  snippet: string;
  snippetMatchRange: { start: number; end: number };
  turnCursor: string;
}

/**
 * Every occurrence of the term in the thread's visible user and assistant messages, in message order (several
 * in one message each count), paged by position. The thread is read from memory when loaded here, else from
 * its rollout (active or archived).
 */
export async function searchOccurrences(deps: ThreadQueryDeps, request: OccurrencesRequest): Promise<{ data: ThreadOccurrence[]; nextCursor: string | null }> {
  const threadId = requireThreadId(request.threadId, 'thread');
  const foldedTerm = foldTerm(request.searchTerm);
  if (foldedTerm === '') throw new ThreadError('invalid-request', 'thread/searchOccurrences requires a non-empty searchTerm');
  const offset = request.cursor === null ? 0 : parseOffset(request.cursor);
  const turns = await turnsOf(deps, threadId);
  const data: ThreadOccurrence[] = [];
  const limit = Math.max(1, request.limit);
  let index = 0;
  for (const turn of turns) {
    for (const item of turn.items) {
      const text = itemText(item);
      if (text === null || findFirst(text, foldedTerm) === null) continue;
      for (const match of findAll(text, foldedTerm)) {
        if (index >= offset) {
          if (data.length === limit) return { data, nextCursor: String(index) };
          const { snippet, range } = snippetAround(text, match);
          data.push({ turnId: turn.id, itemId: String(item['id'] ?? ''), snippet, snippetMatchRange: range, turnCursor: turnCursor(turn.id) });
        }
        index += 1;
      }
    }
  }
  return { data, nextCursor: null };
}

/** The inclusive cursor `thread/turns/list` takes for a turn (the reference's form, as its `backwardsCursor`). */
function turnCursor(turnId: string): string {
  return JSON.stringify({ turnId, includeAnchor: true });
}

function parseOffset(cursor: string): number {
  if (!/^\d{1,9}$/.test(cursor)) throw new ThreadError('invalid-cursor', `invalid cursor: ${cursor}`);
  return Number(cursor);
}

async function turnsOf(deps: ThreadQueryDeps, threadId: string): Promise<TurnFacts[]> {
  const loaded = deps.loaded(threadId);
  if (loaded) return loaded.turns;
  const rolloutPath = (await deps.store.find(threadId, false)) ?? (await deps.store.find(threadId, true));
  if (!rolloutPath) throw new ThreadError('not-loaded', `thread not loaded: ${threadId}`);
  return rebuildHistory((await deps.store.readWithLineage(rolloutPath)).lines).turns;
}
