/**
 * One SSE `data:` payload of the Responses API → zero or one `ModelEvent`. The event kind is the JSON `type`
 * (the SSE `event:` line is ignored, as in the reference). Payloads that are not JSON objects with a string
 * `type`, and kinds we do not consume, map to nothing.
 */
import { failedEventFailure, streamFailure } from './errors.js';
import type { ModelEvent, ResponseUsage } from './types.js';

type Json = Record<string, unknown>;

/** What the mapper remembers across events of one stream: the item that deltas without `item_id` belong to. */
export interface SseMappingState {
  currentItemId: string | null;
}

/** The outcome of one payload: an event to yield, nothing, or the terminal `completed`. */
export type MappedPayload = { kind: 'event'; event: ModelEvent } | { kind: 'skip' } | { kind: 'completed'; event: ModelEvent };

const SKIP: MappedPayload = { kind: 'skip' };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parsePayload(data: string): Json | null {
  try {
    const value: unknown = JSON.parse(data);
    return isObject(value) && typeof value.type === 'string' ? value : null;
  } catch {
    return null;
  }
}

function int(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** `response.completed` usage; `null` when absent or malformed (the completion itself still counts). */
export function parseUsage(value: unknown): ResponseUsage | null {
  if (!isObject(value)) return null;
  const input = int(value.input_tokens);
  const output = int(value.output_tokens);
  const total = int(value.total_tokens);
  if (input === null || output === null || total === null) return null;
  const inputDetails = value.input_tokens_details;
  const outputDetails = value.output_tokens_details;
  return {
    inputTokens: input,
    cachedInputTokens: (isObject(inputDetails) ? int(inputDetails.cached_tokens) : null) ?? 0,
    outputTokens: output,
    reasoningOutputTokens: (isObject(outputDetails) ? int(outputDetails.reasoning_tokens) : null) ?? 0,
    totalTokens: total,
  };
}

function itemIdOf(payload: Json, state: SseMappingState): string {
  return typeof payload.item_id === 'string' ? payload.item_id : (state.currentItemId ?? '');
}

/**
 * Maps one payload. Throws `AttemptFailure` for `response.failed` and for a `response.completed` without a
 * response id (the reference cannot parse it either).
 */
export function mapSsePayload(data: string, state: SseMappingState): MappedPayload {
  const payload = parsePayload(data);
  if (payload === null) return SKIP;
  const delta = typeof payload.delta === 'string' ? payload.delta : null;
  switch (payload.type) {
    case 'response.created': {
      if (!isObject(payload.response)) return SKIP;
      const id = payload.response.id;
      return { kind: 'event', event: { type: 'created', responseId: typeof id === 'string' ? id : null } };
    }
    case 'response.output_item.added':
    case 'response.output_item.done': {
      if (!isObject(payload.item)) return SKIP;
      const item = payload.item;
      if (typeof item.id === 'string') state.currentItemId = item.id;
      const type = payload.type === 'response.output_item.added' ? 'outputItemAdded' : 'outputItemDone';
      return { kind: 'event', event: { type, item } };
    }
    case 'response.output_text.delta':
      if (delta === null) return SKIP;
      return { kind: 'event', event: { type: 'outputTextDelta', itemId: itemIdOf(payload, state), delta } };
    case 'response.reasoning_summary_text.delta': {
      const summaryIndex = int(payload.summary_index);
      if (delta === null || summaryIndex === null) return SKIP;
      const event: ModelEvent = { type: 'reasoningSummaryDelta', itemId: itemIdOf(payload, state), summaryIndex, delta };
      return { kind: 'event', event };
    }
    case 'response.reasoning_summary_part.added': {
      const summaryIndex = int(payload.summary_index);
      if (summaryIndex === null) return SKIP;
      return { kind: 'event', event: { type: 'reasoningSummaryPartAdded', itemId: itemIdOf(payload, state), summaryIndex } };
    }
    case 'response.reasoning_text.delta': {
      const contentIndex = int(payload.content_index);
      if (delta === null || contentIndex === null) return SKIP;
      const event: ModelEvent = { type: 'reasoningTextDelta', itemId: itemIdOf(payload, state), contentIndex, delta };
      return { kind: 'event', event };
    }
    case 'response.failed':
      throw failedEventFailure(payload.response);
    case 'response.completed': {
      const response = payload.response;
      if (!isObject(response)) return SKIP;
      if (typeof response.id !== 'string') throw streamFailure('failed to parse ResponseCompleted: missing field `id`', true);
      return { kind: 'completed', event: { type: 'completed', responseId: response.id, usage: parseUsage(response.usage) } };
    }
    default:
      return SKIP;
  }
}
