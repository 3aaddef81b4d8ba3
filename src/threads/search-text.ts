import type { JsonObject } from '../support/json-values.js';
import type { TurnFacts } from './facts.js';

/** The visible text of a `userMessage` or `agentMessage` item, else null. */
export function itemText(item: JsonObject): string | null {
  if (item['type'] === 'agentMessage') return typeof item['text'] === 'string' ? item['text'] : null;
  if (item['type'] !== 'userMessage' || !Array.isArray(item['content'])) return null;
  let text = '';
  for (const part of item['content']) {
    if (typeof part === 'object' && part !== null && typeof (part as JsonObject)['text'] === 'string') text += (part as JsonObject)['text'] as string;
  }
  return text;
}

/** The visible texts of turns, in order, each once (the index's view of a thread held in memory). */
export function visibleTextsOfTurns(turns: readonly TurnFacts[]): string[] {
  const seen = new Set<string>();
  const texts: string[] = [];
  for (const turn of turns) {
    for (const item of turn.items) {
      const text = itemText(item);
      if (text === null || text === '' || seen.has(text)) continue;
      seen.add(text);
      texts.push(text);
    }
  }
  return texts;
}
