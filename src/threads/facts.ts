import type { JsonObject } from '../support/json-values.js';

/**
 * Plain domain values of the thread layer that outgoing shapes are rendered from (render/). A thread's
 * status and its turns are kept in these forms while it is loaded; they carry no wire-only fields.
 */

/** A thread's live status (the wire's own shape: it carries no wire-only fields). */
export type { ThreadStatus } from '../protocol/thread.js';

export type TurnStatus = 'inProgress' | 'completed' | 'interrupted' | 'failed';
export type ItemsView = 'notLoaded' | 'summary' | 'full';

/** A turn as the thread layer keeps it; `items` are v2 items (render/items.ts). */
export interface TurnFacts {
  id: string;
  items: JsonObject[];
  itemsView: ItemsView;
  status: TurnStatus;
  error: JsonObject | null;
  startedAtMs: number | null;
  completedAtMs: number | null;
  durationMs: number | null;
}

/** A thread's read state (SPEC §3): the first unread turn and the receipt's revision. */
export interface ReadState {
  firstUnreadTurnId: string | null;
  revision: string;
}
