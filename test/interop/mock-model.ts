/** The mock Responses model of the interop tests: "Done" per request, except inputs asking for a stream that never ends. */
import {
  createMockResponsesServer,
  evCreated,
  evMessageAdded,
  evOutputTextDelta,
  httpResponse,
  repeatingAssistantEvents,
  sseResponse,
  type MockResponsesServer,
  type RecordedRequest,
} from '../../src/testing/index.js';

/** A user text containing this marker gets a stream that sends one delta and then stays open (for interrupts). */
export const HANG_MARKER = 'please-hang';
/** A user text containing this marker gets HTTP 400 (never retried): the turn fails. */
export const FAIL_MARKER = 'please-fail';

/** The text of the last user `input_text` of a Responses request body. */
export function lastUserText(request: RecordedRequest): string {
  const input = ((request.body as { input?: unknown[] } | null)?.input ?? []) as { role?: string; content?: { text?: string }[] }[];
  for (let i = input.length - 1; i >= 0; i -= 1) {
    const item = input[i];
    if (item?.role === 'user') return (item.content ?? []).map((c) => c.text ?? '').join('');
  }
  return '';
}

/**
 * Request N answers like the fixtures' mock (`msg_mock_N`, one delta of `text`, usage 100/0/5/0/105), unless the
 * last user text contains {@link HANG_MARKER}: then `output_item.added`, one delta "partial", and the body stays open;
 * or {@link FAIL_MARKER}: then HTTP 400 with body `bad request body`.
 */
export function createInteropMock(text = 'Done', options: { deltas?: number } = {}): Promise<MockResponsesServer> {
  return createMockResponsesServer((request, n) => {
    if (lastUserText(request).includes(HANG_MARKER)) {
      return sseResponse([evCreated(`resp_mock_${n}`), evMessageAdded(`msg_mock_${n}`), evOutputTextDelta(`msg_mock_${n}`, 'partial')], { keepOpen: true });
    }
    if (lastUserText(request).includes(FAIL_MARKER)) return httpResponse(400, 'bad request body');
    const events = repeatingAssistantEvents(text, n);
    if ((options.deltas ?? 1) > 1) {
      // Same stream, the text split into several deltas (true incremental streaming for clients).
      const pieces = splitEven(text, options.deltas ?? 1);
      const [created, added, , done, completed] = events;
      return sseResponse([created!, added!, ...pieces.map((p) => evOutputTextDelta(`msg_mock_${n}`, p)), done!, completed!]);
    }
    return sseResponse(events);
  });
}

function splitEven(text: string, parts: number): string[] {
  const chars = Array.from(text);
  const size = Math.max(1, Math.ceil(chars.length / parts));
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}
