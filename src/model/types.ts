/**
 * The model client contract: one call streams one Responses API request (with the configured retries) as
 * typed events. The turn runner in src/threads/ consumes it; nothing here knows about threads or rollouts.
 */

import type { RateLimitSnapshot } from './rate-limits.js';

/** One item of the Responses API `input` array (messages, function calls and their outputs, reasoning). */
export type ResponseInputItem = Record<string, unknown>;

export interface ModelRequest {
  model: string;
  /** Whole conversation history, oldest first. */
  input: ResponseInputItem[];
  threadId: string;
  turnId: string;
  /** Client name from `initialize` (`originator` header). */
  originator: string;
  userAgent: string;
  installationId: string;
  tools: Record<string, unknown>[];
  /** `request_kind` in the turn metadata header: `turn` unless given (`compaction` for thread/compact/start). */
  requestKind?: 'turn' | 'compaction';
}

export interface ResponseUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
  totalTokens: number;
}

/** Events in arrival order. `output_item.added/done` carry the raw Responses item (message, reasoning, function_call, …). */
export type ModelEvent =
  | { type: 'created'; responseId: string | null }
  | { type: 'outputItemAdded'; item: Record<string, unknown> }
  | { type: 'outputTextDelta'; itemId: string; delta: string }
  | { type: 'reasoningSummaryDelta'; itemId: string; summaryIndex: number; delta: string }
  | { type: 'reasoningSummaryPartAdded'; itemId: string; summaryIndex: number }
  | { type: 'reasoningTextDelta'; itemId: string; contentIndex: number; delta: string }
  | { type: 'outputItemDone'; item: Record<string, unknown> }
  | { type: 'completed'; responseId: string | null; usage: ResponseUsage | null }
  /** The HTTP 200's rate-limit headers, before any body event: `codex` first, then the other families. */
  | { type: 'rateLimits'; snapshots: RateLimitSnapshot[] }
  /**
   * A stream failure that will be retried (announced to the client as `error {willRetry:true}`).
   * `attempt`/`maxAttempts` give the `Reconnecting... n/max` text. Output of the abandoned attempt must be discarded.
   */
  | { type: 'retrying'; attempt: number; maxAttempts: number; error: ModelErrorInfo };

/** The TurnError fields of SPEC §6 (`message`, `codexErrorInfo`, `additionalDetails`). */
export interface ModelErrorInfo {
  message: string;
  codexErrorInfo: string | Record<string, unknown>;
  additionalDetails: string | null;
  /** True when the failure happened after an HTTP 200 (the reference then sends `account/rateLimits/updated`). */
  afterHttpOk: boolean;
  /** A usage-limit 429's rate limits (its headers); the turn reports them before the error. */
  rateLimits?: RateLimitSnapshot | null;
}

/** Final failure of a model request (retries exhausted or not retryable). */
export class ModelError extends Error {
  constructor(readonly info: ModelErrorInfo, options?: ErrorOptions) {
    super(info.message, options);
    this.name = 'ModelError';
  }
}

export interface ModelClient {
  /**
   * Streams one request. Yields events until `completed`; throws `ModelError` on a final failure and an
   * `AbortError` (DOMException name `AbortError`) when `signal` aborts. Retries as configured, yielding
   * `retrying` before each whole-request retry.
   */
  stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelEvent>;
}

/** The provider a client talks to: owned by config/ (config.toml's schema), used here as is. */
export type { ProviderConfig } from '../config/provider.js';
