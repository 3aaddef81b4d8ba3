import path from 'node:path';
import type { JsonObject } from '../../support/json-values.js';
import { isCanonicalThreadId } from '../../support/thread-id.js';
import { ThreadError } from '../../threads/errors.js';
import { renderReadState, renderThread } from '../../threads/render/thread.js';
import type { Handler } from '../context.js';

export interface ThreadListParams {
  cursor?: string | null;
  limit?: number | null;
  sortKey?: string | null;
  sortDirection?: 'asc' | 'desc' | null;
  archived?: boolean | null;
  sourceKinds?: string[] | null;
  modelProviders?: string[] | null;
  cwd?: string | string[] | null;
  searchTerm?: string | null;
  useStateDbOnly?: boolean | null;
}

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;

export const handleThreadList: Handler<ThreadListParams> = async (params, cx) => {
  const sortKey = params.sortKey === 'updated_at' || params.sortKey === 'recency_at' ? params.sortKey : 'created_at';
  const archived = params.archived === true;
  const cwds = params.cwd === undefined || params.cwd === null ? null : (Array.isArray(params.cwd) ? params.cwd : [params.cwd]).map((c) => path.resolve(c));
  const page = await cx.threads.list({
    cursor: params.cursor || null,
    limit: Math.min(MAX_LIMIT, Math.max(1, params.limit ?? DEFAULT_LIMIT)),
    sortKey,
    sortDirection: params.sortDirection === 'asc' ? 'asc' : 'desc',
    archived,
    sourceKinds: params.sourceKinds ?? [],
    modelProviders: params.modelProviders ?? null,
    cwds,
    searchTerm: params.searchTerm ?? null,
    useStateDbOnly: params.useStateDbOnly === true,
  });
  const data: JsonObject[] = [];
  const readStates: Record<string, JsonObject> = {};
  for (const { thread, readState } of page.threads) {
    data.push({ ...renderThread(thread, []), canAcceptDirectInput: null });
    readStates[thread.id] = renderReadState(readState);
  }
  return { result: { data, readStates, nextCursor: page.nextCursor, backwardsCursor: page.backwardsCursor } };
};

export interface ThreadLoadedListParams {
  cursor?: string | null;
  limit?: number | null;
}

export const handleThreadLoadedList: Handler<ThreadLoadedListParams> = (params, cx) => {
  const ids = cx.threads.loadedIds();
  let start = 0;
  if (params.cursor) {
    if (!isCanonicalThreadId(params.cursor)) throw new ThreadError('invalid-cursor', `invalid cursor: ${params.cursor}`);
    start = ids.findIndex((id) => id > (params.cursor as string));
    if (start === -1) start = ids.length;
  }
  const limit = params.limit ?? ids.length;
  const data = ids.slice(start, start + Math.max(1, limit));
  const more = start + data.length < ids.length;
  return { result: { data, nextCursor: more ? (data.at(-1) ?? null) : null } };
};
