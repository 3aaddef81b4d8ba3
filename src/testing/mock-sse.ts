/**
 * Builders for Responses API SSE bodies, for tests that script the mock model. Event shapes follow the
 * reference test kit (`core_test_support::responses`) and the live API.
 */
import type { ResponseUsage } from '../model/types.js';

/** One Responses event as sent in `data:`; its `type` is also written as the SSE `event:` line. */
export type SseEvent = { type: string } & Record<string, unknown>;
/** Text written to the stream as is (malformed data, comments, odd framing). */
export interface RawSse {
  raw: string;
}
export type SseItem = SseEvent | RawSse;
/** Builders may return one event or a short sequence; lists accept both and flatten one level. */
export type SseItems = ReadonlyArray<SseItem | readonly SseItem[]>;

/** The usage the reference fixtures' mock reported for every response (SPEC fixtures README). */
export const MOCK_USAGE: ResponseUsage = {
  inputTokens: 100,
  cachedInputTokens: 0,
  outputTokens: 5,
  reasoningOutputTokens: 0,
  totalTokens: 105,
};

function isRaw(item: SseItem): item is RawSse {
  return typeof (item as Partial<RawSse>).raw === 'string' && (item as Partial<SseEvent>).type === undefined;
}

/** Flattens builder output into single items. */
export function flattenSse(items: SseItems): SseItem[] {
  return items.flatMap((item): SseItem[] => (Array.isArray(item) ? [...(item as readonly SseItem[])] : [item as SseItem]));
}

/** The wire text of one item: `event: <type>\ndata: <json>\n\n`, or the raw text. */
export function sseFrame(item: SseItem): string {
  return isRaw(item) ? item.raw : `event: ${item.type}\ndata: ${JSON.stringify(item)}\n\n`;
}

/** A whole SSE body. */
export function sse(items: SseItems): string {
  return flattenSse(items).map(sseFrame).join('');
}

/** Raw text, e.g. `raw('data: {not json\n\n')`. */
export function raw(text: string): RawSse {
  return { raw: text };
}

export function evCreated(responseId = 'resp-1'): SseEvent {
  return { type: 'response.created', response: { id: responseId } };
}

export function evMessageAdded(itemId: string): SseEvent {
  return {
    type: 'response.output_item.added',
    item: { type: 'message', role: 'assistant', id: itemId, status: 'in_progress', content: [] },
  };
}

export function evOutputTextDelta(itemId: string, delta: string): SseEvent {
  return { type: 'response.output_text.delta', item_id: itemId, output_index: 0, content_index: 0, delta };
}

export function evMessageDone(itemId: string, text: string): SseEvent {
  return {
    type: 'response.output_item.done',
    item: {
      type: 'message',
      role: 'assistant',
      id: itemId,
      status: 'completed',
      content: [{ type: 'output_text', text, annotations: [] }],
    },
  };
}

/** Splits `text` into at most `parts` non-empty pieces (by code point), at least one. */
export function splitText(text: string, parts: number): string[] {
  const chars = Array.from(text);
  const count = Math.max(1, Math.min(parts, chars.length));
  const size = Math.ceil(chars.length / count);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces.length > 0 ? pieces : [''];
}

/** An assistant message: `output_item.added`, the text as `deltas` deltas (default 3), `output_item.done`. */
export function evAssistantMessage(itemId: string, text: string, options: { deltas?: number } = {}): SseEvent[] {
  const deltas = splitText(text, options.deltas ?? 3).map((piece) => evOutputTextDelta(itemId, piece));
  return [evMessageAdded(itemId), ...deltas, evMessageDone(itemId, text)];
}

/** A reasoning item with one summary part per entry of `summaries`, each sent as one delta. */
export function evReasoning(itemId: string, summaries: readonly string[]): SseEvent[] {
  const events: SseEvent[] = [
    { type: 'response.output_item.added', item: { type: 'reasoning', id: itemId, summary: [] } },
  ];
  summaries.forEach((text, summaryIndex) => {
    events.push({ type: 'response.reasoning_summary_part.added', item_id: itemId, summary_index: summaryIndex });
    events.push({ type: 'response.reasoning_summary_text.delta', item_id: itemId, summary_index: summaryIndex, delta: text });
  });
  events.push({
    type: 'response.output_item.done',
    item: { type: 'reasoning', id: itemId, summary: summaries.map((text) => ({ type: 'summary_text', text })) },
  });
  return events;
}

/** A finished function call (`arguments` is the JSON text the model produced). */
export function evFunctionCall(callId: string, name: string, args: string): SseEvent {
  return {
    type: 'response.output_item.done',
    item: { type: 'function_call', call_id: callId, name, arguments: args },
  };
}

/** `response.completed` with usage in wire form (default: the fixtures' mock usage). */
export function evCompleted(responseId = 'resp-1', usage: ResponseUsage = MOCK_USAGE): SseEvent {
  return {
    type: 'response.completed',
    response: {
      id: responseId,
      usage: {
        input_tokens: usage.inputTokens,
        input_tokens_details: { cached_tokens: usage.cachedInputTokens },
        output_tokens: usage.outputTokens,
        output_tokens_details: { reasoning_tokens: usage.reasoningOutputTokens },
        total_tokens: usage.totalTokens,
      },
    },
  };
}

/** `response.failed` with `response.error {code, message}`. */
export function evFailed(message: string, code = 'server_error', responseId = 'resp-1'): SseEvent {
  return { type: 'response.failed', response: { id: responseId, error: { code, message } } };
}

/**
 * The events the reference fixtures' mock sent for request number `n` (1-based): one assistant message
 * `msg_mock_N` with the whole text as a single delta, response `resp_mock_N`, usage `MOCK_USAGE`.
 */
export function repeatingAssistantEvents(text: string, n: number): SseEvent[] {
  return [
    evCreated(`resp_mock_${n}`),
    ...evAssistantMessage(`msg_mock_${n}`, text, { deltas: 1 }),
    evCompleted(`resp_mock_${n}`, MOCK_USAGE),
  ];
}
