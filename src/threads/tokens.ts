import { isRecord, type JsonObject } from '../support/json-values.js';

/** Token counts in the thread layer's vocabulary; `tokensToRollout`/`tokensFromRollout` convert to the rollout's. */

export interface TokenBreakdown {
  totalTokens: number;
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
}

export const ZERO_TOKENS: TokenBreakdown = { totalTokens: 0, inputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, outputTokens: 0, reasoningOutputTokens: 0 };

export function addTokens(a: TokenBreakdown, b: TokenBreakdown): TokenBreakdown {
  return {
    totalTokens: a.totalTokens + b.totalTokens,
    inputTokens: a.inputTokens + b.inputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    cacheWriteInputTokens: a.cacheWriteInputTokens + b.cacheWriteInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    reasoningOutputTokens: a.reasoningOutputTokens + b.reasoningOutputTokens,
  };
}

/** Rollout (snake_case) usage ↔ wire breakdown. */
export function tokensFromRollout(u: unknown): TokenBreakdown {
  const r = isRecord(u) ? u : {};
  const n = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : 0);
  return {
    totalTokens: n('total_tokens'),
    inputTokens: n('input_tokens'),
    cachedInputTokens: n('cached_input_tokens'),
    cacheWriteInputTokens: n('cache_write_input_tokens'),
    outputTokens: n('output_tokens'),
    reasoningOutputTokens: n('reasoning_output_tokens'),
  };
}

export function tokensToRollout(t: TokenBreakdown): JsonObject {
  return {
    input_tokens: t.inputTokens,
    cached_input_tokens: t.cachedInputTokens,
    cache_write_input_tokens: t.cacheWriteInputTokens,
    output_tokens: t.outputTokens,
    reasoning_output_tokens: t.reasoningOutputTokens,
    total_tokens: t.totalTokens,
  };
}

