/**
 * Token usage as carried by `thread/tokenUsage/updated` (SPEC §3). Key order is the order of the shapes
 * below; producers build them with object literals in that order.
 */
import { z } from 'zod';

/**
 * Counts of one response or of a whole thread:
 * `{"totalTokens","inputTokens","cachedInputTokens","cacheWriteInputTokens","outputTokens","reasoningOutputTokens"}`.
 */
export const TokenUsageBreakdownSchema = z.object({
  totalTokens: z.number().int(),
  inputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  cacheWriteInputTokens: z.number().int(),
  outputTokens: z.number().int(),
  reasoningOutputTokens: z.number().int(),
});
/** Type of {@link TokenUsageBreakdownSchema}. */
export type TokenUsageBreakdown = z.infer<typeof TokenUsageBreakdownSchema>;

/**
 * `{"total","last","modelContextWindow"}`: `total` is the thread sum, `last` the latest model response;
 * the window falls back to 258400 for models outside the catalogue.
 */
export const ThreadTokenUsageSchema = z.object({
  total: TokenUsageBreakdownSchema,
  last: TokenUsageBreakdownSchema,
  modelContextWindow: z.number().int().nullable(),
});
/** Type of {@link ThreadTokenUsageSchema}. */
export type ThreadTokenUsage = z.infer<typeof ThreadTokenUsageSchema>;

/** Fallback context window for a model not in the bundled catalogue. */
export const FALLBACK_MODEL_CONTEXT_WINDOW = 258400;
