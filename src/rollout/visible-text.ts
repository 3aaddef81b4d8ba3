import { isRecord } from '../support/json-values.js';

/**
 * The visible message text a rollout line carries, for thread search: a user message or an assistant answer,
 * in any of the formats the history rebuilder reads (0.169.0 `item_completed` items, the older `user_message`
 * and `agent_message` events). Null for every other line (instructions, tool calls, reasoning, bookkeeping).
 * The backfill (raw-byte scan), the search scan of rollouts and the live turn all go through this one function,
 * so every path indexes the same text.
 */
export function visibleTextOfLine(type: unknown, payload: unknown): string | null {
  if (type !== 'event_msg' || !isRecord(payload)) return null;
  switch (payload['type']) {
    case 'user_message':
    case 'agent_message': {
      const message = payload['message'];
      return typeof message === 'string' && message !== '' ? message : null;
    }
    case 'item_completed': {
      const item = payload['item'];
      if (!isRecord(item) || (item['type'] !== 'UserMessage' && item['type'] !== 'AgentMessage')) return null;
      const text = contentText(item['content']);
      return text === '' ? null : text;
    }
    default:
      return null;
  }
}

/** Event kinds {@link visibleTextOfLine} may answer for (lets a byte-level scanner skip parsing the rest). */
export const VISIBLE_TEXT_EVENTS: ReadonlySet<string> = new Set(['user_message', 'agent_message', 'item_completed']);

/**
 * Collects visible texts in first-seen order without repeats: 0.169.0 records a message both as an item and as
 * an event, and the index needs each text once.
 */
export class VisibleTexts {
  private readonly seen = new Set<string>();
  readonly texts: string[] = [];

  add(text: string | null): void {
    if (text === null || this.seen.has(text)) return;
    this.seen.add(text);
    this.texts.push(text);
  }

  addLine(type: unknown, payload: unknown): void {
    this.add(visibleTextOfLine(type, payload));
  }
}

/** The visible texts of parsed rollout lines, in order, each once. */
export function visibleTextsOf(lines: Iterable<{ type: unknown; payload: unknown }>): string[] {
  const texts = new VisibleTexts();
  for (const line of lines) texts.addLine(line.type, line.payload);
  return texts.texts;
}

function contentText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) if (isRecord(part) && typeof part['text'] === 'string') text += part['text'];
  return text;
}
