import path from 'node:path';
import type { StoredThread } from '../../rollout/local-thread-store.js';
import { ThreadError, requireThreadId } from '../../threads/errors.js';
import { rebuildHistory } from '../../threads/history.js';
import { readThreadLines } from '../../threads/lineage.js';
import { turnWire, type JsonObject } from '../../threads/wire.js';
import type { Handler, RequestContext } from '../context.js';

export interface ThreadReadParams {
  threadId: string;
  includeTurns?: boolean | null;
}

const READ_DEPRECATION =
  'Full-history hydration is deprecated for paginated threads; omit `includeTurns` or set it to `false`, then page with `thread/turns/list` and `thread/items/list`.';

/** SPEC §3 read state: the stored receipt, or the initial state of a thread without one. */
export function readStateOf(cx: RequestContext, threadId: string): JsonObject {
  let receipt = null;
  try {
    receipt = cx.stateDb?.readState(threadId) ?? null;
  } catch (error) {
    cx.log.warn({ err: error }, 'read receipt lookup failed');
  }
  if (!receipt) return { firstUnread: null, revision: `initial:${threadId}` };
  return { firstUnread: receipt.firstUnreadTurnId ? { type: 'turn', turnId: receipt.firstUnreadTurnId } : null, revision: receipt.revision };
}

export const handleThreadRead: Handler<ThreadReadParams> = async (params, cx) => {
  const threadId = requireThreadId(params.threadId, 'thread');
  const includeTurns = params.includeTurns === true;
  if (includeTurns) cx.connection.notify('deprecationNotice', { summary: READ_DEPRECATION, details: null });
  const loaded = cx.threads.get(threadId);
  if (loaded) {
    if (includeTurns && !loaded.materialized) throw new ThreadError('list-turns-unsupported', 'list_turns is not supported yet');
    const turns = includeTurns ? loaded.turns.map((t) => turnWire({ ...t, itemsView: 'full' })) : [];
    return { result: { thread: loaded.toWire(turns), readState: loaded.materialized ? readStateOf(cx, threadId) : null } };
  }
  const rolloutPath = (await cx.store.find(threadId, false)) ?? (await cx.store.find(threadId, true));
  const stored: StoredThread | null = rolloutPath ? await cx.store.storedThread(rolloutPath) : null;
  if (!rolloutPath || !stored) throw new ThreadError('not-loaded', `thread not loaded: ${threadId}`);
  let turns: JsonObject[] = [];
  if (includeTurns) {
    const history = rebuildHistory((await readThreadLines(cx.store, rolloutPath)).lines);
    turns = history.turns.map((t) => turnWire({ ...t, itemsView: 'full' }));
  }
  return { result: { thread: cx.threads.storedWire({ ...stored, rolloutPath: path.resolve(rolloutPath) }, turns), readState: readStateOf(cx, threadId) } };
};
