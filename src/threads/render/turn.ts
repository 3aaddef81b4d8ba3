import type { JsonObject } from '../../support/json-values.js';
import type { TurnFacts } from '../facts.js';

/** The one renderer of the v2 `Turn` shape (see render/thread.ts for why it lives in threads/). */

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
