import { describe, expect, test } from 'vitest';
import { AttemptFailure } from '../../../src/model/errors.js';
import { readResponseEvents } from '../../../src/model/sse-stream.js';
import type { ModelEvent } from '../../../src/model/types.js';
import { evCompleted, evCreated, evOutputTextDelta, sse } from '../../../src/testing/mock-sse.js';

/** A body that delivers exactly these byte chunks, then ends (or stays open). */
function body(chunks: Uint8Array[], options: { endAfter?: boolean } = {}): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index];
      index += 1;
      if (chunk !== undefined) controller.enqueue(chunk);
      else if (options.endAfter !== false) controller.close();
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>, idleTimeoutMs = 1_000) {
  const events: ModelEvent[] = [];
  try {
    for await (const event of readResponseEvents(stream, { idleTimeoutMs, signal: new AbortController().signal })) {
      events.push(event);
    }
    return { events, error: null as unknown };
  } catch (error) {
    return { events, error };
  }
}

describe('readResponseEvents', () => {
  test('events split across chunks, inside a multi-byte character, with CRLF framing', async () => {
    const text = sse([evCreated('r1'), evOutputTextDelta('m1', 'é👋'), evCompleted('r1')]).replaceAll('\n', '\r\n');
    const bytes = new TextEncoder().encode(text);
    const emojiAt = bytes.indexOf(0xf0);
    const cuts = [5, emojiAt + 1, emojiAt + 3, bytes.length - 2];
    const chunks = [0, ...cuts].map((start, i) => bytes.slice(start, cuts[i] ?? bytes.length));

    const { events, error } = await readAll(body(chunks));

    expect(error).toBeNull();
    expect(events).toEqual([
      { type: 'created', responseId: 'r1' },
      { type: 'outputTextDelta', itemId: 'm1', delta: 'é👋' },
      {
        type: 'completed',
        responseId: 'r1',
        usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0, totalTokens: 105 },
      },
    ]);
  });

  test('a delta without item_id belongs to the last item announced', async () => {
    const added = { type: 'response.output_item.added', item: { type: 'message', id: 'm7', role: 'assistant', content: [] } };
    const chunks = [new TextEncoder().encode(sse([added, { type: 'response.output_text.delta', delta: 'hi' }, evCompleted('r1')]))];

    const { events } = await readAll(body(chunks));

    expect(events[1]).toEqual({ type: 'outputTextDelta', itemId: 'm7', delta: 'hi' });
  });

  test('stops at response.completed without waiting for the end of the body', async () => {
    const chunks = [new TextEncoder().encode(sse([evCreated('r1'), evCompleted('r1')]))];

    const { events, error } = await readAll(body(chunks, { endAfter: false }));

    expect(error).toBeNull();
    expect(events.map((e) => e.type)).toEqual(['created', 'completed']);
  });

  test('comments do not reset the idle clock', async () => {
    const encoder = new TextEncoder();
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls += 1;
        if (pulls === 1) controller.enqueue(encoder.encode(sse([evCreated('r1')])));
        else {
          await new Promise((resolve) => setTimeout(resolve, 40));
          controller.enqueue(encoder.encode(': keep-alive\n\n'));
        }
      },
    });

    const { events, error } = await readAll(stream, 150);

    expect(events.map((e) => e.type)).toEqual(['created']);
    expect(error).toBeInstanceOf(AttemptFailure);
    expect((error as AttemptFailure).message).toBe('stream disconnected before completion: idle timeout waiting for SSE');
  });

  test('the idle clock does not run while the consumer holds an event', async () => {
    const chunks = [new TextEncoder().encode(sse([evCreated('r1'), evCompleted('r1')]))];
    const types: string[] = [];

    for await (const event of readResponseEvents(body(chunks), { idleTimeoutMs: 100, signal: new AbortController().signal })) {
      types.push(event.type);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    expect(types).toEqual(['created', 'completed']);
  });
});
