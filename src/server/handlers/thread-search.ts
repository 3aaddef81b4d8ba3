import { ThreadError } from '../../threads/errors.js';
import { renderThread } from '../../threads/render/thread.js';
import type { Handler } from '../context.js';

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;

/** Reference behaviour: both search methods are experimental; without the capability they answer this -32600. */
function requireExperimental(method: string, experimentalApi: boolean): void {
  if (!experimentalApi) throw new ThreadError('invalid-request', `${method} requires experimentalApi capability`);
}

/** `thread/search` (issue 18): full-text search over threads, `thread/list`'s page size, order and filters. */
export const handleThreadSearch: Handler<'thread/search'> = async (params, cx) => {
  requireExperimental('thread/search', cx.connection.experimentalApi);
  const page = await cx.threads.search({
    searchTerm: params.searchTerm,
    cursor: params.cursor || null,
    limit: Math.min(MAX_LIMIT, Math.max(1, params.limit ?? DEFAULT_LIMIT)),
    sortKey: params.sortKey ?? 'created_at',
    sortDirection: params.sortDirection === 'asc' ? 'asc' : 'desc',
    archived: params.archived === true,
    sourceKinds: params.sourceKinds ?? [],
  });
  const data = page.results.map(({ thread, snippet }) => ({ thread: { ...renderThread(thread, []), canAcceptDirectInput: null }, snippet }));
  return { result: { data, nextCursor: page.nextCursor, backwardsCursor: page.backwardsCursor } };
};

/** `thread/searchOccurrences`: occurrences of the term in one thread's visible messages. */
export const handleThreadSearchOccurrences: Handler<'thread/searchOccurrences'> = async (params, cx) => {
  requireExperimental('thread/searchOccurrences', cx.connection.experimentalApi);
  const page = await cx.threads.searchOccurrences({
    threadId: params.threadId,
    searchTerm: params.searchTerm,
    cursor: params.cursor || null,
    limit: Math.min(MAX_LIMIT, Math.max(1, params.limit ?? DEFAULT_LIMIT)),
  });
  return { result: { data: page.data, nextCursor: page.nextCursor } };
};
