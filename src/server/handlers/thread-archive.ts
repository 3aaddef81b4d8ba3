import { requireThreadId } from '../../threads/errors.js';
import { renderThread } from '../../threads/render/thread.js';
import type { Handler } from '../context.js';

/** SPEC §4.6/§9: `{}` first, then one `thread/archived` per archived thread, parent first. */
export const handleThreadArchive: Handler<'thread/archive'> = async (params, cx) => {
  const threadId = requireThreadId(params.threadId, 'session');
  const archived = await cx.threads.archive(threadId);
  return { result: {}, after: () => archived.forEach((id) => cx.notifier.broadcast('thread/archived', { threadId: id })) };
};

export const handleThreadUnarchive: Handler<'thread/unarchive'> = async (params, cx) => {
  const threadId = requireThreadId(params.threadId, 'session');
  const thread = await cx.threads.unarchive(threadId);
  return { result: { thread: renderThread(thread, []) }, after: () => cx.notifier.broadcast('thread/unarchived', { threadId }) };
};
