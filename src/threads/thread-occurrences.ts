import type { RolloutLine } from '../rollout/thread-store.js';
import { visibleTextOfLine } from '../rollout/thread-store.js';
import { findAll, foldTerm, snippetAround } from '../support/literal-match.js';
import { isRecord } from '../support/json-values.js';
import { ThreadError, requireThreadId } from './errors.js';
import { rebuildHistory } from './history.js';
import { itemText } from './search-text.js';
import type { ThreadQueryDeps } from './thread-queries.js';

/** `thread/searchOccurrences` as the thread layer takes it. */
export interface OccurrencesRequest {
  threadId: string;
  searchTerm: string;
  cursor: string | null;
  limit: number;
}

export interface ThreadOccurrence {
  turnId: string;
  itemId: string;
  snippet: string;
  snippetMatchRange: { start: number; end: number };
  turnCursor: string;
}

/** One visible message and where it is: the rollout ordinal of its line and of its turn's start. */
interface MessageEntry {
  turnId: string;
  itemId: string;
  text: string;
  /** Position of the message (its line's ordinal, or its index in a file without ordinals). */
  position: number;
  /** `task_started` ordinal of its turn; null for files without ordinals (older formats). */
  turnOrdinal: number | null;
}

/**
 * Every occurrence of the term in one thread's visible user and assistant messages, in message order (each match
 * in a message counts), paged. Reference behaviour (0.169.0, paginated threads): snippets as `thread/search`'s,
 * `turnCursor` = `thread/turns/list`'s inclusive cursor of the turn
 * (`{"requestedThreadId","rolloutOrdinal","includeAnchor":true,"scope":{"kind":"turns"}}`), `nextCursor` =
 * `{"threadId","searchTerm","nextRolloutOrdinal","nextOccurrenceIndex"}`. Files without ordinals (older formats,
 * which the reference refuses as not supported) use the message index and `{"turnId","includeAnchor":true}`.
 */
export async function searchOccurrences(deps: ThreadQueryDeps, request: OccurrencesRequest): Promise<{ data: ThreadOccurrence[]; nextCursor: string | null }> {
  const threadId = requireThreadId(request.threadId, 'thread');
  const term = request.searchTerm.trim();
  const foldedTerm = foldTerm(term);
  if (foldedTerm === '') throw new ThreadError('invalid-request', 'thread/searchOccurrences requires a non-empty searchTerm');
  const start = request.cursor === null ? { position: 0, index: 0 } : parseCursor(request.cursor, threadId, term);
  const entries = await messagesOf(deps, threadId);
  const data: ThreadOccurrence[] = [];
  const limit = Math.max(1, request.limit);
  for (const entry of entries) {
    if (entry.position < start.position) continue;
    const matches = findAll(entry.text, foldedTerm);
    for (let index = entry.position === start.position ? start.index : 0; index < matches.length; index += 1) {
      if (data.length === limit) return { data, nextCursor: formatCursor(threadId, term, entry.position, index) };
      const { snippet, range } = snippetAround(entry.text, matches[index] as { start: number; end: number });
      data.push({ turnId: entry.turnId, itemId: entry.itemId, snippet, snippetMatchRange: range, turnCursor: turnCursor(threadId, entry) });
    }
  }
  return { data, nextCursor: null };
}

function turnCursor(threadId: string, entry: MessageEntry): string {
  if (entry.turnOrdinal === null) return JSON.stringify({ turnId: entry.turnId, includeAnchor: true });
  return JSON.stringify({ requestedThreadId: threadId, rolloutOrdinal: entry.turnOrdinal, includeAnchor: true, scope: { kind: 'turns' } });
}

function formatCursor(threadId: string, searchTerm: string, position: number, index: number): string {
  return JSON.stringify({ threadId, searchTerm, nextRolloutOrdinal: position, nextOccurrenceIndex: index });
}

/** A cursor this method returned for the same thread and term, else `invalid cursor`. */
function parseCursor(cursor: string, threadId: string, searchTerm: string): { position: number; index: number } {
  let value: unknown = null;
  try {
    value = JSON.parse(cursor);
  } catch {
    // not JSON: invalid below
  }
  const ok =
    isRecord(value) &&
    value['threadId'] === threadId &&
    value['searchTerm'] === searchTerm &&
    Number.isSafeInteger(value['nextRolloutOrdinal']) &&
    Number.isSafeInteger(value['nextOccurrenceIndex']) &&
    (value['nextRolloutOrdinal'] as number) >= 0 &&
    (value['nextOccurrenceIndex'] as number) >= 0;
  if (!ok || !isRecord(value)) throw new ThreadError('invalid-cursor', `invalid cursor: ${cursor}`);
  return { position: value['nextRolloutOrdinal'] as number, index: value['nextOccurrenceIndex'] as number };
}

/**
 * The thread's visible messages in order, read from its rollout (active or archived; for a thread loaded here,
 * from the file it writes). Unknown or never-written threads are `thread not loaded`.
 */
async function messagesOf(deps: ThreadQueryDeps, threadId: string): Promise<MessageEntry[]> {
  const loaded = deps.loaded(threadId);
  if (loaded && !loaded.materialized) return [];
  const rolloutPath = loaded?.rolloutPath ?? (await deps.store.find(threadId, false)) ?? (await deps.store.find(threadId, true));
  if (!rolloutPath) throw new ThreadError('not-loaded', `thread not loaded: ${threadId}`);
  const lines = (await deps.store.readWithLineage(rolloutPath)).lines;
  return withOrdinals(lines) ?? legacyMessages(lines);
}

/** 0.169.0-format lines (ordinals, `item_completed` items): each message with its line and turn ordinals. */
function withOrdinals(lines: RolloutLine[]): MessageEntry[] | null {
  if (!lines.every((line) => typeof line.ordinal === 'number') || !lines.some((line) => line.payload['type'] === 'item_completed')) return null;
  const entries: MessageEntry[] = [];
  const turnStarts = new Map<string, number>();
  let current: { id: string; ordinal: number } | null = null;
  for (const line of lines) {
    const p = line.payload;
    if (line.type !== 'event_msg') continue;
    if (p['type'] === 'task_started' && typeof p['turn_id'] === 'string') {
      current = { id: p['turn_id'], ordinal: line.ordinal as number };
      turnStarts.set(current.id, current.ordinal);
      continue;
    }
    if (p['type'] !== 'item_completed') continue;
    const text = visibleTextOfLine(line.type, p);
    const item = p['item'];
    if (text === null || !isRecord(item)) continue;
    const turnId = typeof p['turn_id'] === 'string' ? p['turn_id'] : (current?.id ?? '');
    entries.push({ turnId, itemId: typeof item['id'] === 'string' ? item['id'] : '', text, position: line.ordinal as number, turnOrdinal: turnStarts.get(turnId) ?? current?.ordinal ?? null });
  }
  return entries;
}

/** Older formats: the rebuilt history's turns and items, positions by message index. */
function legacyMessages(lines: RolloutLine[]): MessageEntry[] {
  const entries: MessageEntry[] = [];
  for (const turn of rebuildHistory(lines).turns) {
    for (const item of turn.items) {
      const text = itemText(item);
      if (text === null || text === '') continue;
      entries.push({ turnId: turn.id, itemId: String(item['id'] ?? ''), text, position: entries.length, turnOrdinal: null });
    }
  }
  return entries;
}
