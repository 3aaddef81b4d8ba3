import { sortKeyMs, visibleTextsOf, type IndexListQuery, type ListSortKey, type StoredThread } from '../rollout/thread-store.js';
import type { ThreadSearchQuery } from '../state/search-port.js';
import { firstSnippet, foldTerm, searchableTexts } from '../support/literal-match.js';
import { isCanonicalThreadId } from '../support/thread-id.js';
import { ThreadError } from './errors.js';
import type { ThreadFacts } from './render/thread.js';
import type { ThreadQueryDeps } from './thread-queries.js';

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
  const keyOf = (stored: StoredThread): number => searchKeyMs(stored, request.sortKey);
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
  let after: IndexListQuery['after'] = query.after ? storePosition(query.after, query.sortKey, query.sortDirection) : null;
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
    after = { keyMs: searchKeyMs(last, query.sortKey), id: last.id };
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
  return firstSnippet(searchableTexts('', null, messages, stored.id), foldedTerm);
}

/**
 * A thread's position key. Reference behaviour: by creation the reference orders on the `created_at` second
 * (its cursors read `…T10:00:00Z|<id>`, its `backwardsCursor` `…T09:59:59.999Z`), as the store's file walk does;
 * the other keys keep milliseconds.
 */
export function searchKeyMs(stored: StoredThread, sortKey: ListSortKey): number {
  const ms = sortKeyMs(stored, sortKey);
  return sortKey === 'created_at' ? Math.floor(ms / 1000) * 1000 : ms;
}

/**
 * A cursor position as the store's walk compares it (it floors creation keys to the second). A bare timestamp
 * (a `backwardsCursor`, one millisecond off a key) keeps every thread strictly beyond it, whatever the id.
 */
function storePosition(after: { keyMs: number; id: string | null }, sortKey: ListSortKey, direction: 'asc' | 'desc'): { keyMs: number; id: string } {
  if (after.id !== null) return { keyMs: after.keyMs, id: after.id };
  if (sortKey !== 'created_at') return { keyMs: after.keyMs, id: direction === 'desc' ? '' : '\uffff' };
  // Creation keys are whole seconds: "below t" is "below ceil(t)", "above t" is "above floor(t)".
  return direction === 'desc' ? { keyMs: Math.ceil(after.keyMs / 1000) * 1000, id: '' } : { keyMs: Math.floor(after.keyMs / 1000) * 1000, id: '\uffff' };
}

/** Cursor text `<RFC 3339 UTC>|<id>` (the reference's form); opaque to clients. */
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
