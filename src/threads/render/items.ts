import type { JsonObject } from '../../support/json-values.js';

/** The v2 items this server produces, in the reference's key order. */

export function userMessageItem(id: string, content: JsonObject[], startedAtMs: number, completedAtMs: number | null, clientId: string | null = null): JsonObject {
  return { type: 'userMessage', id, clientId, content, startedAtMs, completedAtMs };
}

export function agentMessageItem(id: string, text: string, startedAtMs: number, completedAtMs: number | null): JsonObject {
  return { type: 'agentMessage', moderation: null, id, text, phase: null, memoryCitation: null, delivery: null, questions: null, startedAtMs, completedAtMs };
}

export function reasoningItem(id: string, summary: string[], content: string[], startedAtMs: number, completedAtMs: number | null): JsonObject {
  return { type: 'reasoning', id, summary, content, startedAtMs, completedAtMs };
}

