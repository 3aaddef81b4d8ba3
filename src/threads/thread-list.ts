import { sortKeyMs, type IndexListQuery, type StoredThread, type ThreadStore } from '../rollout/thread-store.js';
import { isCanonicalThreadId } from '../support/thread-id.js';
import { ThreadError } from './errors.js';

/**
 * `thread/list` as the thread layer takes it: the store's query with the client's opaque cursor instead of a
 * position, params already defaulted and normalised (absolute `cwds`) by the handler.
 */
export interface ThreadListRequest extends Omit<IndexListQuery, 'after' | 'requirePreview'> {
  cursor: string | null;
  useStateDbOnly: boolean;
}

/** One page of stored threads and the cursors around it (SPEC §4.8). */
export interface StoredThreadPage {
  threads: StoredThread[];
  nextCursor: string | null;
  backwardsCursor: string | null;
}

/** Cursor text: `<RFC 3339 UTC>|<id>`; opaque to clients (SPEC §4.8). */
function parseCursor(cursor: string): { keyMs: number; id: string } {
  const bar = cursor.lastIndexOf('|');
  const keyMs = bar > 0 ? Date.parse(cursor.slice(0, bar)) : NaN;
  const id = cursor.slice(bar + 1);
  if (Number.isNaN(keyMs) || !isCanonicalThreadId(id)) throw new ThreadError('invalid-cursor', `invalid cursor: ${cursor}`);
  return { keyMs, id };
}

function formatCursor(keyMs: number, id: string, secondsOnly: boolean): string {
  const iso = new Date(keyMs).toISOString();
  const text = secondsOnly ? iso.replace(/\.\d{3}Z$/, 'Z') : iso.replace(/\.?0*Z$/, 'Z');
  return `${text}|${id}`;
}

/** Asks the store for one page (O(page) on the creation-ordered walk and on the DB) and cursors for it. */
export async function listStoredThreads(store: ThreadStore, request: ThreadListRequest): Promise<StoredThreadPage> {
  const { sortKey } = request;
  const query: IndexListQuery = {
    archived: request.archived,
    sortKey,
    sortDirection: request.sortDirection,
    after: request.cursor ? parseCursor(request.cursor) : null,
    limit: request.limit,
    sourceKinds: request.sourceKinds,
    modelProviders: request.modelProviders,
    cwds: request.cwds,
    searchTerm: request.searchTerm,
    requirePreview: !request.archived,
  };
  const page = await store.list(query, request.useStateDbOnly);
  const last = page.threads.at(-1);
  const first = page.threads[0];
  // The file walk orders by creation second: its cursors carry second precision.
  const secondsOnly = !request.useStateDbOnly && sortKey === 'created_at';
  return {
    threads: page.threads,
    nextCursor: page.more && last ? formatCursor(sortKeyMs(last, sortKey), last.id, secondsOnly) : null,
    backwardsCursor: first ? new Date(sortKeyMs(first, sortKey)).toISOString() : null,
  };
}
