/**
 * The Responses API model client (SPEC §6): one `stream()` call = one logical model request, made of
 * HTTP attempts retried silently (`request_max_retries`) inside whole-request attempts retried with a
 * `retrying` announcement (`stream_max_retries`).
 */
import type { Logger } from '../support/logger.js';
import { httpFetch, type FetchLike, type FetchLikeResponse } from './http-fetch.js';
import {
  AttemptFailure,
  CLOSED_BEFORE_COMPLETED_DETAIL,
  abortError,
  httpFailure,
  missingEnvVarInfo,
  streamFailure,
  transportFailure,
} from './errors.js';
import { BodyPieceCache, type RequestBodyPieces } from './body-pieces.js';
import { buildResponsesHeaders, responsesUrl } from './request-body.js';
import { STREAM_RETRY_MAX_DELAY_MS, backoffMs, defaultSleep, type Sleep } from './retry.js';
import { parseRateLimitUpdates } from './rate-limits.js';
import { readResponseEvents } from './sse-stream.js';
import { ModelError, type ModelClient, type ModelEvent, type ModelRequest, type ProviderConfig } from './types.js';

/** What the client needs from outside; everything is injectable so tests run fast and deterministic. */
export interface ResponsesClientDeps {
  /** Environment to read the provider's `env_key` from (never `process.env` directly). */
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  /** Waits between retries; must reject when the signal aborts. Default: a real timer. */
  sleep?: Sleep;
  /** Jitter source in [0, 1). Default: `Math.random`. */
  random?: () => number;
  /** Default: `httpFetch` (node:http); the global fetch also fits. */
  fetch?: FetchLike;
  /** Wall clock for the usage-limit texts (`try again at …`). Default: `Date.now`. */
  now?: () => number;
}

interface ClientContext {
  provider: ProviderConfig;
  log: Logger;
  sleep: Sleep;
  random: () => number;
  fetch: FetchLike;
  url: string;
  now: () => number;
  /** JSON text of input items already sent, reused by the next request of the same thread. */
  bodies: BodyPieceCache;
}

/**
 * Creates the client for one provider. The returned client holds no per-request state, so concurrent
 * `stream()` calls (different threads) are independent.
 */
export function createResponsesClient(provider: ProviderConfig, deps: ResponsesClientDeps): ModelClient {
  const context: ClientContext = {
    provider,
    log: deps.log,
    sleep: deps.sleep ?? defaultSleep,
    random: deps.random ?? Math.random,
    fetch: deps.fetch ?? httpFetch,
    url: responsesUrl(provider.baseUrl),
    now: deps.now ?? Date.now,
    bodies: new BodyPieceCache(),
  };
  return { stream: (request, signal) => streamWithRetries(context, deps.env, request, signal) };
}

function bearerToken(provider: ProviderConfig, env: Readonly<Record<string, string | undefined>>): string | null {
  if (provider.envKey === null) return null;
  const value = env[provider.envKey];
  if (value === undefined || value.trim() === '') throw new ModelError(missingEnvVarInfo(provider.envKey));
  return value;
}

async function pause(context: ClientContext, ms: number, signal: AbortSignal): Promise<void> {
  try {
    await context.sleep(ms, signal);
  } catch (error) {
    if (signal.aborted) throw abortError(signal);
    throw error;
  }
  if (signal.aborted) throw abortError(signal);
}

async function* streamWithRetries(
  context: ClientContext,
  env: Readonly<Record<string, string | undefined>>,
  request: ModelRequest,
  signal: AbortSignal,
): AsyncGenerator<ModelEvent, void, undefined> {
  if (signal.aborted) throw abortError(signal);
  const token = bearerToken(context.provider, env);
  const headers = buildResponsesHeaders(request, token);
  const body = context.bodies.body(request);
  const maxRetries = context.provider.streamMaxRetries;
  for (let retries = 0; ; ) {
    try {
      yield* attempt(context, headers, body, signal);
      return;
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      if (!(error instanceof AttemptFailure)) throw error;
      if (!error.retryable || retries >= maxRetries) throw new ModelError(error.info, { cause: error });
      retries += 1;
      const delayMs = Math.min(error.retryDelayMs ?? backoffMs(retries, context.random), STREAM_RETRY_MAX_DELAY_MS);
      context.log.warn(
        { threadId: request.threadId, turnId: request.turnId, error: error.message },
        `stream disconnected - retrying sampling request (${retries}/${maxRetries} in ${delayMs}ms)...`,
      );
      yield {
        type: 'retrying',
        attempt: retries,
        maxAttempts: maxRetries,
        error: {
          message: `Reconnecting... ${retries}/${maxRetries}`,
          codexErrorInfo: { responseStreamDisconnected: { httpStatusCode: error.httpStatusCode } },
          additionalDetails: error.message,
          afterHttpOk: error.info.afterHttpOk,
        },
      };
      await pause(context, delayMs, signal);
    }
  }
}

/**
 * One whole-request attempt: open the stream (with HTTP-level retries), then read it to `completed`.
 * Its own controller, linked to the caller's signal, is aborted at the end so no socket outlives it.
 */
async function* attempt(
  context: ClientContext,
  headers: Record<string, string>,
  body: RequestBodyPieces,
  signal: AbortSignal,
): AsyncGenerator<ModelEvent, void, undefined> {
  const controller = new AbortController();
  const forwardAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', forwardAbort, { once: true });
  try {
    const response = await openStream(context, headers, body, controller.signal, signal);
    yield { type: 'rateLimits', snapshots: parseRateLimitUpdates(response.headers) };
    if (response.body === null) throw streamFailure(CLOSED_BEFORE_COMPLETED_DETAIL, true);
    yield* readResponseEvents(response.body, {
      idleTimeoutMs: context.provider.streamIdleTimeoutMs,
      signal: controller.signal,
    });
  } finally {
    signal.removeEventListener('abort', forwardAbort);
    controller.abort();
  }
}

/** POSTs until a 2xx arrives, retrying 5xx answers and transport errors up to `request_max_retries`. */
async function openStream(
  context: ClientContext,
  headers: Record<string, string>,
  body: RequestBodyPieces,
  attemptSignal: AbortSignal,
  callerSignal: AbortSignal,
): Promise<FetchLikeResponse> {
  for (let retry = 0; ; retry += 1) {
    let failure: AttemptFailure;
    let retryable: boolean;
    try {
      const response = await context.fetch(context.url, { method: 'POST', headers, body, signal: attemptSignal });
      if (response.ok) return response;
      const text = await response.text().catch(() => '');
      failure = httpFailure(response.status, text, context.url, response.headers, context.now());
      retryable = response.status >= 500;
    } catch (error) {
      if (callerSignal.aborted) throw abortError(callerSignal);
      failure = transportFailure(context.url, error);
      retryable = true;
    }
    if (!retryable || retry >= context.provider.requestMaxRetries) throw failure;
    context.log.debug({ status: failure.httpStatusCode, error: failure.message }, `retrying request (${retry + 1})`);
    await pause(context, backoffMs(retry + 1, context.random), callerSignal);
  }
}
