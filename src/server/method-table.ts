import type { Handler } from './context.js';
import { handleThreadArchive, handleThreadUnarchive } from './handlers/thread-archive.js';
import { handleThreadFork, handleThreadResume, handleThreadStart } from './handlers/thread-lifecycle.js';
import { handleThreadList, handleThreadLoadedList } from './handlers/thread-list.js';
import { handleThreadNameSet, handleThreadUnsubscribe } from './handlers/thread-misc.js';
import { handleThreadRead } from './handlers/thread-read.js';
import { handleTurnInterrupt, handleTurnStart } from './handlers/turn.js';
import { handleModelList } from './handlers/initialize.js';

/** A routed method: its handler and the queue it waits on (requests naming the same thread run in order). */
export interface MethodEntry {
  handler: Handler<never>;
  scope: (params: Record<string, unknown>) => string | null;
}

const byThread = (params: Record<string, unknown>): string | null =>
  typeof params['threadId'] === 'string' ? params['threadId'].toLowerCase() : null;
const global = (): string | null => null;

function entry<P>(handler: Handler<P>, scope: MethodEntry['scope']): MethodEntry {
  return { handler: handler as Handler<never>, scope };
}

/** Every method this server implements, beside `initialize` (handled by the connection itself). */
export const METHOD_TABLE: ReadonlyMap<string, MethodEntry> = new Map([
  ['thread/start', entry(handleThreadStart, global)],
  ['thread/resume', entry(handleThreadResume, byThread)],
  ['thread/fork', entry(handleThreadFork, byThread)],
  ['thread/archive', entry(handleThreadArchive, byThread)],
  ['thread/unarchive', entry(handleThreadUnarchive, byThread)],
  ['thread/list', entry(handleThreadList, global)],
  ['thread/read', entry(handleThreadRead, byThread)],
  ['thread/loaded/list', entry(handleThreadLoadedList, global)],
  ['thread/unsubscribe', entry(handleThreadUnsubscribe, byThread)],
  ['thread/name/set', entry(handleThreadNameSet, byThread)],
  ['turn/start', entry(handleTurnStart, byThread)],
  ['turn/interrupt', entry(handleTurnInterrupt, byThread)],
  ['model/list', entry(handleModelList, global)],
]);
