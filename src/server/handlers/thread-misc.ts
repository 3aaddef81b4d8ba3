import { requireThreadId } from '../../threads/errors.js';
import type { Handler } from '../context.js';

export const handleThreadUnsubscribe: Handler<'thread/unsubscribe'> = (params, cx) => {
  const threadId = requireThreadId(params.threadId, 'thread');
  if (!cx.threads.get(threadId)) return { result: { status: 'notLoaded' } };
  const was = cx.notifier.unsubscribe(threadId, cx.connection);
  return { result: { status: was ? 'unsubscribed' : 'notSubscribed' } };
};

export const handleThreadNameSet: Handler<'thread/name/set'> = async (params, cx) => {
  const threadId = requireThreadId(params.threadId, 'thread');
  await cx.threads.setName(threadId, params.name);
  return { result: {}, after: () => cx.notifier.broadcast('thread/name/updated', { threadId, threadName: params.name }) };
};
