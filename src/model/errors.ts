/**
 * Failure texts and classification of one Responses attempt (SPEC §6 failure table). Every text that the
 * reference fixes is reproduced here and nowhere else; `responses-client.ts` only decides when to retry.
 */
import type { ModelErrorInfo } from './types.js';
import { USAGE_NOT_INCLUDED_MESSAGE, usageLimitFailure } from './usage-limit.js';
import { nodeHttp } from '../support/lazy-modules.js';

/** The header access error texts need (a fetch `Headers` or our node:http adapter). */
export interface HeaderLookup {
  get(name: string): string | null;
}

/** Reference behaviour (SPEC §6): 0.169.0 writes this text with U+2019, older sources with `'`. */
export const INTERNAL_SERVER_ERROR_MESSAGE =
  'We\u2019re currently experiencing high demand, which may cause temporary errors.';
const SERVER_OVERLOADED_MESSAGE = 'Selected model is at capacity. Please try a different model.';
const CONTEXT_WINDOW_MESSAGE =
  "Codex ran out of room in the model's context window. Start a new thread or clear earlier history before retrying.";
const QUOTA_EXCEEDED_MESSAGE = 'Quota exceeded. Check your plan and billing details.';
/** Detail of a body that stops mid-stream (reqwest's text, wrapped by the SSE decoder and the transport). */
export const BODY_DECODE_DETAIL = 'Transport error: network error: error decoding response body';
export const CLOSED_BEFORE_COMPLETED_DETAIL = 'stream closed before response.completed';
export const IDLE_TIMEOUT_DETAIL = 'idle timeout waiting for SSE';
const UNEXPECTED_BODY_MAX_CHARS = 1000;

/**
 * One failed attempt, before the retry decision. `info` is what the turn reports if this is the final
 * failure; `retryable` says whether a whole-request (stream) retry may follow; `httpStatusCode` feeds the
 * `responseStreamDisconnected` info of the `Reconnecting...` announcement.
 */
export class AttemptFailure extends Error {
  constructor(
    readonly info: ModelErrorInfo,
    readonly retryable: boolean,
    readonly httpStatusCode: number | null,
    /** Delay the server asked for (`try again in 2s`), replacing the backoff. */
    readonly retryDelayMs: number | null = null,
    options?: ErrorOptions,
  ) {
    super(info.message, options);
    this.name = 'AttemptFailure';
  }
}

function info(message: string, codexErrorInfo: ModelErrorInfo['codexErrorInfo'], afterHttpOk: boolean): ModelErrorInfo {
  return { message, codexErrorInfo, additionalDetails: null, afterHttpOk };
}

/** `Missing environment variable: \`X\`.` — the provider's `env_key` is unset; no request is made. */
export function missingEnvVarInfo(name: string): ModelErrorInfo {
  return info(`Missing environment variable: \`${name}\`.`, 'other', false);
}

/**
 * The stream broke after HTTP 200 (or the request never got an answer): `stream disconnected before
 * completion: <detail>`. Reference behaviour (SPEC §6): the final error reports `"other"`.
 */
export function streamFailure(
  detail: string,
  afterHttpOk: boolean,
  retryDelayMs: number | null = null,
  options?: ErrorOptions,
): AttemptFailure {
  const message = `stream disconnected before completion: ${detail}`;
  return new AttemptFailure(info(message, 'other', afterHttpOk), true, null, retryDelayMs, options);
}

/** No HTTP answer at all (refused, reset, DNS): reqwest's `error sending request for url (<url>)`. */
export function transportFailure(url: string, cause: unknown): AttemptFailure {
  return streamFailure(`error sending request for url (${url})`, false, null, { cause });
}

/** `401 Unauthorized`, as Rust's `StatusCode` prints itself. */
export function statusLine(status: number): string {
  return `${status} ${nodeHttp().STATUS_CODES[status] ?? '<unknown status code>'}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function requestIdSuffix(headers: HeaderLookup, withCfRay: boolean): string {
  const id = headers.get('x-request-id') ?? headers.get('x-oai-request-id') ?? (withCfRay ? headers.get('cf-ray') : null);
  return id ? `, request id: ${id}` : '';
}

function unexpectedStatusMessage(status: number, body: string, url: string, headers: HeaderLookup): string {
  const errorMessage = field(field(parseJson(body), 'error'), 'message');
  let shown: string;
  if (typeof errorMessage === 'string' && errorMessage.trim() !== '') shown = errorMessage.trim();
  else if (body.trim() === '') shown = 'Unknown error';
  else if (body.trim().length > UNEXPECTED_BODY_MAX_CHARS) shown = `${body.trim().slice(0, UNEXPECTED_BODY_MAX_CHARS)}...`;
  else shown = body.trim();
  const cfRay = headers.get('cf-ray');
  return `unexpected status ${statusLine(status)}: ${shown}, url: ${url}${cfRay ? `, cf-ray: ${cfRay}` : ''}${requestIdSuffix(headers, false)}`;
}

/** Classifies a non-2xx answer that is final at the HTTP level (its own retries are spent or not allowed). */
export function httpFailure(status: number, body: string, url: string, headers: HeaderLookup, nowMs: number): AttemptFailure {
  if (status === 400) return new AttemptFailure(info(body, 'other', false), false, status);
  if (status === 500) {
    return new AttemptFailure(info(INTERNAL_SERVER_ERROR_MESSAGE, 'internalServerError', false), true, null);
  }
  if (status === 429) {
    const usage = usageLimitFailure(body, headers, nowMs);
    if (usage) return new AttemptFailure({ ...info(usage.message, 'usageLimitExceeded', false), rateLimits: usage.rateLimits }, false, status);
    const message = `exceeded retry limit, last status: ${statusLine(status)}${requestIdSuffix(headers, true)}`;
    return new AttemptFailure(info(message, { responseTooManyFailedAttempts: { httpStatusCode: status } }, false), false, status);
  }
  const code = field(field(parseJson(body), 'error'), 'code');
  if (status === 503 && (code === 'server_is_overloaded' || code === 'slow_down')) {
    return new AttemptFailure(info(SERVER_OVERLOADED_MESSAGE, 'serverOverloaded', false), false, status);
  }
  const message = unexpectedStatusMessage(status, body, url, headers);
  // Reference behaviour: a 401 is never retried at the stream level; other unexpected statuses are.
  return new AttemptFailure(info(message, { httpConnectionFailed: { httpStatusCode: status } }, false), status !== 401, status);
}

const RETRY_AFTER_PATTERN = /try again in\s*(\d+(?:\.\d+)?)\s*(s|ms|seconds?)/i;

function retryAfterMs(code: unknown, message: string): number | null {
  if (code !== 'rate_limit_exceeded') return null;
  const match = RETRY_AFTER_PATTERN.exec(message);
  if (!match?.[1] || !match[2]) return null;
  const value = Number(match[1]);
  return match[2].toLowerCase() === 'ms' ? value : value * 1000;
}

/** `response.failed`: the `response.error {code, message}` decides the failure. */
export function failedEventFailure(response: unknown): AttemptFailure {
  const error = field(response, 'error');
  if (typeof error !== 'object' || error === null) return streamFailure('response.failed event received', true);
  const code = field(error, 'code');
  const rawMessage = field(error, 'message');
  const message = typeof rawMessage === 'string' ? rawMessage : '';
  switch (code) {
    case 'context_length_exceeded':
      return new AttemptFailure(info(CONTEXT_WINDOW_MESSAGE, 'contextWindowExceeded', true), false, null);
    case 'insufficient_quota':
      return new AttemptFailure(info(QUOTA_EXCEEDED_MESSAGE, 'usageLimitExceeded', true), false, null);
    case 'usage_not_included':
      return new AttemptFailure(info(USAGE_NOT_INCLUDED_MESSAGE, 'usageLimitExceeded', true), false, null);
    case 'server_is_overloaded':
    case 'slow_down':
      return new AttemptFailure(info(SERVER_OVERLOADED_MESSAGE, 'serverOverloaded', true), false, null);
    default:
      return streamFailure(message, true, retryAfterMs(code, message));
  }
}

/** The error `ModelClient.stream` throws when its signal aborts. */
export function abortError(signal: AbortSignal): DOMException {
  return new DOMException('The operation was aborted.', { name: 'AbortError', cause: signal.reason });
}
