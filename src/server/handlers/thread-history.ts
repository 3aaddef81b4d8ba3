import type { Handler } from '../context.js';

/** `thread/turns/list`: a page of the thread's turns from the history projection, newest first by default. */
export const handleThreadTurnsList: Handler<'thread/turns/list'> = async (params, cx) => ({
  result: await cx.threads.listTurns({
    threadId: params.threadId,
    cursor: params.cursor ?? null,
    limit: params.limit ?? null,
    sortDirection: params.sortDirection ?? null,
    itemsView: params.itemsView ?? null,
  }),
});

/** `thread/items/list`: a page of the thread's items (or one turn's), oldest first by default. */
export const handleThreadItemsList: Handler<'thread/items/list'> = async (params, cx) => ({
  result: await cx.threads.listItems({
    threadId: params.threadId,
    turnId: params.turnId ?? null,
    cursor: params.cursor ?? null,
    limit: params.limit ?? null,
    sortDirection: params.sortDirection ?? null,
  }),
});
