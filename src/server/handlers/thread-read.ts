import path from 'node:path';
import type { StoredThread } from '../../rollout/local-thread-store.js';
import { ThreadError, requireThreadId } from '../../threads/errors.js';
import { rebuildHistory } from '../../threads/history.js';
import { readThreadLines } from '../../threads/lineage.js';
import { turnWire, type JsonObject } from '../../threads/wire.js';
import type { ThreadReadState } from '../../protocol/thread.js';
import type { Handler, RequestContext } from '../context.js';
import { asThread } from './untyped-wire.js';

const READ_DEPRECATION =
  'Full-history hydration is deprecated for paginated threads; omit `includeTurns` or set it to `false`, then page with `thread/turns/list` and `thread/items/list`.';

/** SPEC §3 read state: the stored receipt, or the initial state of a thread without one. */
export function readStateOf(cx: RequestContext, threadId: string): ThreadReadState {
  let receipt = null;
  try {
    receipt = cx.stateDb?.readState(threadId) ?? null;
  } catch (error) {
    cx.log.warn({ err: error }, 'read receipt lookup failed');
  }
  if (!receipt) return { firstUnread: null, revision: `initial:${threadId}` };
  return { firstUnread: receipt.firstUnreadTurnId ? { type: 'turn', turnId: receipt.firstUnreadTurnId } : null, revision: receipt.revision };
}

export const handleThreadRead: Handler<'thread/read'> = async (params, cx) => {
  const threadId = requireThreadId(params.threadId, 'thread');
  const includeTurns = params.includeTurns === true;
  if (includeTurns) cx.connection.notify('deprecationNotice', { summary: READ_DEPRECATION, details: null });
  const loaded = cx.threads.get(threadId);
  if (loaded) {
    if (includeTurns && !loaded.materialized) throw new ThreadError('list-turns-unsupported', 'list_turns is not supported yet');
    const turns = includeTurns ? loaded.turns.map((t) => turnWire({ ...t, itemsView: 'full' })) : [];
    return { result: { thread: asThread(loaded.toWire(turns)), readState: loaded.materialized ? readStateOf(cx, threadId) : null } };
  }
  const rolloutPath = (await cx.store.find(threadId, false)) ?? (await cx.store.find(threadId, true));
  const stored: StoredThread | null = rolloutPath ? await cx.store.storedThread(rolloutPath) : null;
  if (!rolloutPath || !stored) throw new ThreadError('not-loaded', `thread not loaded: ${threadId}`);
  let turns: JsonObject[] = [];
  if (includeTurns) {
    const history = rebuildHistory((await readThreadLines(cx.store, rolloutPath)).lines);
    turns = history.turns.map((t) => turnWire({ ...t, itemsView: 'full' }));
  }
  return { result: { thread: asThread(cx.threads.storedWire({ ...stored, rolloutPath: path.resolve(rolloutPath) }, turns)), readState: readStateOf(cx, threadId) } };
};
