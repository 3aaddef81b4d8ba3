import type { ItemRow } from '../state/history-pages.js';
import type { HistoryPagesPort } from '../state/history-projection-port.js';
import { ThreadError } from './errors.js';

/** `thread/turns/list` and `thread/items/list` requests, decoded. */
export interface TurnsPageRequest {
  threadId: string;
  cursor: string | null;
  limit: number | null;
  sortDirection: 'asc' | 'desc' | null;
  itemsView: 'notLoaded' | 'summary' | 'full' | null;
}

export interface ItemsPageRequest {
  threadId: string;
  turnId: string | null;
  /** The reference also takes an item anchor object here; only its string cursors are read. */
  cursor: unknown;
  limit: number | null;
  sortDirection: 'asc' | 'desc' | null;
}

/** A page: wire values (turns and item entries come from the projection's stored JSON) and the two cursors. */
export interface HistoryPage<T> {
  data: T[];
  nextCursor: string | null;
  backwardsCursor: string | null;
}

type Scope = 'turns' | 'itemsByCreatedAtOrdinal';

const DEFAULT_TURNS_LIMIT = 25;
const DEFAULT_ITEMS_LIMIT = 100;

/**
 * The reference's history cursor: JSON text naming the thread, a rollout ordinal (of a `thread_turns` or
 * `thread_items` row) and whether the row itself is part of the next page.
 */
export function historyCursor(threadId: string, ordinal: number, includeAnchor: boolean, kind: Scope): string {
  return JSON.stringify({ requestedThreadId: threadId, rolloutOrdinal: ordinal, includeAnchor, scope: { kind } });
}

function parseCursor(raw: unknown, threadId: string, kind: Scope): { anchor: number; includeAnchor: boolean } | null {
  if (raw === null || raw === undefined) return null;
  const invalid = () => new ThreadError('invalid-cursor', `invalid cursor: ${typeof raw === 'string' ? raw : JSON.stringify(raw)}`);
  if (typeof raw !== 'string') throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw invalid();
  }
  const c = value as { requestedThreadId?: unknown; rolloutOrdinal?: unknown; includeAnchor?: unknown; scope?: { kind?: unknown } } | null;
  if (
    c === null ||
    typeof c !== 'object' ||
    c.requestedThreadId !== threadId ||
    typeof c.rolloutOrdinal !== 'number' ||
    typeof c.includeAnchor !== 'boolean' ||
    c.scope?.kind !== kind
  ) {
    throw invalid();
  }
  return { anchor: c.rolloutOrdinal, includeAnchor: c.includeAnchor };
}

/** `thread/turns/list`: newest first by default, each turn with its summary items (first user message, final answer). */
export function turnsPage(pages: HistoryPagesPort | null, request: TurnsPageRequest): HistoryPage<Record<string, unknown>> {
  const cursor = parseCursor(request.cursor, request.threadId, 'turns');
  if (!pages) return { data: [], nextCursor: null, backwardsCursor: null };
  const limit = Math.max(1, request.limit ?? DEFAULT_TURNS_LIMIT);
  const direction = request.sortDirection ?? 'desc';
  const rows = pages.turns(request.threadId, { anchor: cursor?.anchor ?? null, includeAnchor: cursor?.includeAnchor ?? true, direction, limit });
  const view = request.itemsView ?? 'summary';
  const page = rows.slice(0, limit);
  const data = page.map((row) => {
    let items: unknown[] = [];
    if (view !== 'notLoaded') {
      const all = pages.turnItems(request.threadId, row.turnId);
      const shown = view === 'full' ? all : all.filter((item) => item.itemId === row.firstUserItemId || item.itemId === row.finalAgentItemId);
      items = shown.map(itemOf);
    }
    return {
      id: row.turnId,
      rootTurnId: row.rootTurnId ?? row.turnId,
      items,
      itemsView: view,
      status: row.status,
      error: row.errorJson === null ? null : (JSON.parse(row.errorJson) as unknown),
      startedAt: row.startedAt,
      completedAt: row.completedAt,
      durationMs: row.durationMs,
    };
  });
  return cursors(request.threadId, 'turns', data, page.map((row) => row.ordinal), rows.length > limit);
}

/** `thread/items/list`: oldest first by default, across the thread or within one turn. */
/** One entry of an items page. */
export interface ItemEntry {
  turnId: string;
  item: unknown;
  startedAtMs: number | null;
  completedAtMs: number | null;
}

export function itemsPage(pages: HistoryPagesPort | null, request: ItemsPageRequest): HistoryPage<ItemEntry> {
  const cursor = parseCursor(request.cursor, request.threadId, 'itemsByCreatedAtOrdinal');
  if (!pages) return { data: [], nextCursor: null, backwardsCursor: null };
  const limit = Math.max(1, request.limit ?? DEFAULT_ITEMS_LIMIT);
  const direction = request.sortDirection ?? 'asc';
  const rows = pages.items(request.threadId, request.turnId, { anchor: cursor?.anchor ?? null, includeAnchor: cursor?.includeAnchor ?? true, direction, limit });
  const page = rows.slice(0, limit);
  const data: ItemEntry[] = page.map((row) => ({ turnId: row.turnId, item: itemOf(row), startedAtMs: row.startedAtMs, completedAtMs: row.completedAtMs }));
  return cursors(request.threadId, 'itemsByCreatedAtOrdinal', data, page.map((row) => row.ordinal), rows.length > limit);
}

/**
 * A stored item as the pages show it: its JSON with the row's timing appended, as the reference adds them (the
 * stored JSON carries none).
 */
function itemOf(row: ItemRow): unknown {
  const item = JSON.parse(row.itemJson) as Record<string, unknown>;
  if (row.startedAtMs === null && row.completedAtMs === null) return item;
  return { ...item, startedAtMs: row.startedAtMs, completedAtMs: row.completedAtMs };
}

function cursors<T>(threadId: string, kind: Scope, data: T[], ordinals: number[], more: boolean): HistoryPage<T> {
  const first = ordinals[0];
  const last = ordinals[ordinals.length - 1];
  return {
    data,
    nextCursor: more && last !== undefined ? historyCursor(threadId, last, false, kind) : null,
    backwardsCursor: first === undefined ? null : historyCursor(threadId, first, true, kind),
  };
}

/**
 * The cursors `thread/resume` returns: anchored on the thread's last projected turn and last projected item (the
 * reference's numbering: their rollout ordinals), or null when there is no projection to read.
 */
export function resumeCursors(pages: HistoryPagesPort | null, threadId: string): { turns: string | null; items: string | null } | null {
  if (!pages) return null;
  const last = pages.lastOrdinals(threadId);
  return {
    turns: last.turn === null ? null : historyCursor(threadId, last.turn, true, 'turns'),
    items: last.item === null ? null : historyCursor(threadId, last.item, true, 'itemsByCreatedAtOrdinal'),
  };
}
