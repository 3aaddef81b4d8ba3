import { appendFileSync, utimesSync } from 'node:fs';
import { onTestFinished } from 'vitest';
import { openStateDb, type StateDb } from '../../../src/state/index.js';
import { systemClock } from '../../../src/support/clock.js';
import { recordingLogger, writeRollout, type FakeRollout } from '../state/helpers.js';

export { BASE_MS, makeTempHome, recordingLogger, threadIdFor } from '../state/helpers.js';

/** A conversation: the first user text is the preview; then user/assistant turns as 0.130.0-style events. */
export interface Conversation extends Omit<FakeRollout, 'preview'> {
  /** Alternating user, assistant texts (index 0 is the first user message). */
  messages: string[];
  /** Write the 0.169.0 form (`item_completed` items) instead of `user_message`/`agent_message` events. */
  items?: boolean;
}

/** Writes a rollout holding the conversation; returns its path. */
export function writeConversation(home: string, conversation: Conversation): string {
  const [first, ...rest] = conversation.messages;
  const file = writeRollout(home, { ...conversation, preview: conversation.items ? null : (first ?? null) });
  const iso = new Date(conversation.createdAtMs).toISOString();
  const all = conversation.items ? conversation.messages : rest;
  const offset = conversation.items ? 0 : 1;
  const lines = all.map((text, i) => {
    const user = (i + offset) % 2 === 0;
    const payload = conversation.items
      ? { type: 'item_completed', turn_id: `t${i}`, item: { type: user ? 'UserMessage' : 'AgentMessage', id: `i${i}`, content: [{ type: user ? 'text' : 'Text', text }] } }
      : { type: user ? 'user_message' : 'agent_message', message: text };
    return JSON.stringify({ timestamp: iso, type: 'event_msg', payload });
  });
  if (lines.length > 0) appendFileSync(file, lines.join('\n') + '\n');
  // Keep the mtime writeRollout set (appending changed it).
  const mtime = (conversation.mtimeMs ?? conversation.createdAtMs + 1000) / 1000;
  utimesSync(file, mtime, mtime);
  return file;
}

/** Opens the state DB of `home` (running the backfill), closed when the test ends. */
export async function openDb(home: string, extra: Partial<Parameters<typeof openStateDb>[1]> = {}): Promise<StateDb> {
  const log = recordingLogger();
  const db = await openStateDb(home, { clock: systemClock, log, ...extra });
  if (!db) throw new Error(`state db did not open: ${log.warnings.join('; ')}`);
  onTestFinished(() => db.close());
  return db;
}
