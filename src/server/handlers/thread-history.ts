import { requireThreadId } from '../../threads/errors.js';
import { renderThread } from '../../threads/render/thread.js';
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

/**
 * `thread/delete`: the thread is unloaded (subscribers see `notLoaded`), its rollout and rows removed, and every
 * client told with `thread/deleted`, sent before the `{}` answer as the reference sends it.
 */
export const handleThreadDelete: Handler<'thread/delete'> = async (params, cx) => {
  const threadId = requireThreadId(params.threadId, 'thread');
  await cx.threads.delete(threadId);
  cx.notifier.broadcast('thread/deleted', { threadId });
  return { result: {} };
};

/** `thread/metadata/update`: patches the stored Git metadata and answers the thread. */
export const handleThreadMetadataUpdate: Handler<'thread/metadata/update'> = async (params, cx) => {
  const threadId = requireThreadId(params.threadId, 'thread');
  const facts = await cx.threads.updateMetadata(threadId, {
    gitInfo: params.gitInfo ?? null,
    projectId: params.projectId ?? null,
    hasDaybreak: params.daybreakEnabled !== undefined && params.daybreakEnabled !== null,
  });
  return { result: { thread: renderThread(facts, []) } };
};
