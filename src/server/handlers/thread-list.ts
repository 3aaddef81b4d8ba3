import path from 'node:path';
import { isCanonicalThreadId } from '../../rollout/thread-id.js';
import type { IndexListQuery, ListSortKey } from '../../rollout/thread-index.js';
import { sortKeyMs } from '../../rollout/list-filter.js';
import { ThreadError } from '../../threads/errors.js';
import type { JsonObject } from '../../threads/wire.js';
import type { Handler } from '../context.js';
import { readStateOf } from './thread-read.js';

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

export const handleThreadList: Handler<ThreadListParams> = async (params, cx) => {
  const sortKey = (['updated_at', 'recency_at'].includes(params.sortKey ?? '') ? params.sortKey : 'created_at') as ListSortKey;
  const limit = Math.min(MAX_LIMIT, Math.max(1, params.limit ?? DEFAULT_LIMIT));
  const archived = params.archived === true;
  const cwds = params.cwd === undefined || params.cwd === null ? null : (Array.isArray(params.cwd) ? params.cwd : [params.cwd]).map((c) => path.resolve(c));
  const query: IndexListQuery = {
    archived,
    sortKey,
    sortDirection: params.sortDirection === 'asc' ? 'asc' : 'desc',
    after: params.cursor ? parseCursor(params.cursor) : null,
    limit,
    sourceKinds: params.sourceKinds ?? [],
    modelProviders: params.modelProviders ?? null,
    cwds,
    searchTerm: params.searchTerm ?? null,
    requirePreview: !archived,
  };
  const useIndexOnly = params.useStateDbOnly === true;
  const page = await cx.store.list(query, useIndexOnly);
  const data: JsonObject[] = [];
  const readStates: Record<string, JsonObject> = {};
  for (const stored of page.threads) {
    data.push({ ...cx.threads.storedWire(stored), canAcceptDirectInput: null, turns: [] });
    readStates[stored.id] = readStateOf(cx, stored.id);
  }
  const last = page.threads.at(-1);
  const first = page.threads[0];
  const secondsOnly = !useIndexOnly && sortKey === 'created_at';
  return {
    result: {
      data,
      readStates,
      nextCursor: page.more && last ? formatCursor(sortKeyMs(last, sortKey), last.id, secondsOnly) : null,
      backwardsCursor: first ? new Date(sortKeyMs(first, sortKey)).toISOString() : null,
    },
  };
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
