import type { JsonObject } from '../../support/json-values.js';

/** The one renderer of the v2 `Turn` shape (see render/thread.ts for why it lives in threads/). */

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

export function renderTurn(t: TurnFacts): JsonObject {
  return {
    id: t.id,
    rootTurnId: t.id,
    items: t.items,
    itemsView: t.itemsView,
    status: t.status,
    error: t.error,
    startedAt: t.startedAtMs === null ? null : seconds(t.startedAtMs),
    completedAt: t.completedAtMs === null ? null : seconds(t.completedAtMs),
    durationMs: t.durationMs,
  };
}

/** Unix seconds of a unix-ms instant (the v2 wire's timestamps). */
export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
