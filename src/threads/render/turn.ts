import type { Turn } from '../../protocol/turn.js';
import type { TurnFacts } from '../facts.js';

/** The one renderer of the v2 `Turn` shape (see render/thread.ts for why it lives in threads/). */

export function renderTurn(t: TurnFacts): Turn {
  return {
    id: t.id,
    rootTurnId: t.id,
    // The thread layer holds items and errors as the v2 JSON that render/items.ts and error-info.ts built in
    // the reference's key order; this is the one place they are taken as the protocol's types.
    items: t.items as unknown as Turn['items'],
    itemsView: t.itemsView,
    status: t.status,
    error: t.error as Turn['error'],
    startedAt: t.startedAtMs === null ? null : seconds(t.startedAtMs),
    completedAt: t.completedAtMs === null ? null : seconds(t.completedAtMs),
    durationMs: t.durationMs,
  };
}

/** Unix seconds of a unix-ms instant (the v2 wire's timestamps). */
export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
