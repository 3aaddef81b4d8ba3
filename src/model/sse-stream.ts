/**
 * Reads one HTTP 200 Responses body as SSE and yields `ModelEvent`s until `response.completed`.
 * Stream failures are thrown as `AttemptFailure` (all with `afterHttpOk: true`); an abort as `AbortError`.
 */
import { createParser } from 'eventsource-parser';
import {
  BODY_DECODE_DETAIL,
  CLOSED_BEFORE_COMPLETED_DETAIL,
  IDLE_TIMEOUT_DETAIL,
  abortError,
  streamFailure,
} from './errors.js';
import { mapSsePayload, type SseMappingState } from './sse-events.js';
import type { ModelEvent } from './types.js';

export interface SseReadOptions {
  /** Max wait for the next SSE event; comments and partial lines do not count as events. */
  idleTimeoutMs: number;
  /** Aborting it ends the read promptly with an `AbortError`. */
  signal: AbortSignal;
}

/**
 * Yields the body's events in arrival order and returns right after yielding `completed`. Whatever way it
 * ends (completed, failure, abort, or the consumer stopping early) the body is cancelled and no timer or
 * listener is left behind. The idle clock only runs while waiting on the network, never while the
 * consumer holds a yielded event.
 */
export async function* readResponseEvents(
  body: ReadableStream<Uint8Array>,
  options: SseReadOptions,
): AsyncGenerator<ModelEvent, void, undefined> {
  const { idleTimeoutMs, signal } = options;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const pending: string[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message.data) });
  const state: SseMappingState = { currentItemId: null };
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const stopReading = (): void => {
    reader.cancel().catch(() => undefined);
  };
  signal.addEventListener('abort', stopReading, { once: true });

  const checkInterrupted = (): void => {
    if (signal.aborted) throw abortError(signal);
    if (timedOut) throw streamFailure(IDLE_TIMEOUT_DETAIL, true);
  };

  try {
    for (;;) {
      if (timer === undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          stopReading();
        }, idleTimeoutMs);
      }
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        checkInterrupted();
        throw streamFailure(BODY_DECODE_DETAIL, true, null, { cause: error });
      }
      checkInterrupted();
      parser.feed(chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true }));
      if (pending.length > 0) {
        clearTimeout(timer);
        timer = undefined;
      }
      for (const data of pending.splice(0)) {
        const mapped = mapSsePayload(data, state);
        if (mapped.kind === 'skip') continue;
        yield mapped.event;
        if (mapped.kind === 'completed') return;
        if (signal.aborted) throw abortError(signal);
      }
      if (chunk.done) throw streamFailure(CLOSED_BEFORE_COMPLETED_DETAIL, true);
    }
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stopReading);
    stopReading();
  }
}
