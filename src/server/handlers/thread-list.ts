import path from 'node:path';
import type { Thread, ThreadReadState } from '../../protocol/thread.js';
import { renderReadState, renderThread } from '../../threads/render/thread.js';
import type { Handler } from '../context.js';

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;

export const handleThreadList: Handler<'thread/list'> = async (params, cx) => {
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
  const data: Thread[] = [];
  const readStates: Record<string, ThreadReadState> = {};
  for (const { thread, readState } of page.threads) {
    // Listed facts carry `directInput: null` (stored and loaded alike): `canAcceptDirectInput` is null in listings.
    data.push(renderThread(thread, []));
    readStates[thread.id] = renderReadState(readState);
  }
  return { result: { data, readStates, nextCursor: page.nextCursor, backwardsCursor: page.backwardsCursor } };
};
