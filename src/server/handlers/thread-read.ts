import { requireThreadId } from '../../threads/errors.js';
import { renderReadState, renderThread } from '../../threads/render/thread.js';
import { renderTurn } from '../../threads/render/turn.js';
import type { Handler } from '../context.js';

export interface ThreadReadParams {
  threadId: string;
  includeTurns?: boolean | null;
}

const READ_DEPRECATION =
  'Full-history hydration is deprecated for paginated threads; omit `includeTurns` or set it to `false`, then page with `thread/turns/list` and `thread/items/list`.';

export const handleThreadRead: Handler<'thread/read'> = async (params, cx) => {
  const threadId = requireThreadId(params.threadId, 'thread');
  const includeTurns = params.includeTurns === true;
  if (includeTurns) cx.connection.notify('deprecationNotice', { summary: READ_DEPRECATION, details: null });
  const read = await cx.threads.read(threadId, includeTurns);
  const turns = read.turns.map((t) => renderTurn({ ...t, itemsView: 'full' }));
  return { result: { thread: renderThread(read.thread, turns), readState: read.readState ? renderReadState(read.readState) : null } };
};
