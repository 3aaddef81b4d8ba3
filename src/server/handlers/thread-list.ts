import path from 'node:path';
import { isCanonicalThreadId } from '../../rollout/thread-id.js';
import type { IndexListQuery, ListSortKey } from '../../rollout/thread-index.js';
import { sortKeyMs } from '../../rollout/list-filter.js';
import { ThreadError } from '../../threads/errors.js';
import type { Thread, ThreadReadState } from '../../protocol/thread.js';
import type { Handler } from '../context.js';
import { asThread } from './untyped-wire.js';
import { readStateOf } from './thread-read.js';

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

export const handleThreadList: Handler<'thread/list'> = async (params, cx) => {
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
  const data: Thread[] = [];
  const readStates: Record<string, ThreadReadState> = {};
  for (const stored of page.threads) {
    data.push({ ...asThread(cx.threads.storedWire(stored)), canAcceptDirectInput: null, turns: [] });
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
