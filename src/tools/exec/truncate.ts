/**
 * The reference's output truncation for the model (`formatted_truncate_text`): tokens are approximated as bytes / 4
 * (rounded up); over budget, the middle is replaced by `…N tokens truncated…` (token policy) or `…N chars
 * truncated…` (byte policy), keeping half the byte budget from the start and half from the end (on UTF-8
 * boundaries), under a two-line warning header.
 */
const BYTES_PER_TOKEN = 4;

/** A model's truncation policy (models.json `truncation_policy`): known models `tokens` 10000, unknown ones `bytes` 10000. */
export interface OutputPolicy {
  mode: 'bytes' | 'tokens';
  limit: number;
}

/** The reference's fallback for a model without metadata (e.g. the mock model of the tests). */
export const FALLBACK_OUTPUT_POLICY: OutputPolicy = { mode: 'bytes', limit: 10_000 };

export function byteBudget(policy: OutputPolicy): number {
  return policy.mode === 'bytes' ? policy.limit : policy.limit * BYTES_PER_TOKEN;
}

/**
 * `max_output_tokens` against the model's policy, as 0.169 resolves it (seen with the reference): a request smaller
 * than the policy's byte budget becomes a token policy; anything else (absent, equal or larger) keeps the model's.
 */
export function effectivePolicy(requestedTokens: number | undefined, model: OutputPolicy): OutputPolicy {
  if (requestedTokens !== undefined && requestedTokens * BYTES_PER_TOKEN < byteBudget(model)) return { mode: 'tokens', limit: requestedTokens };
  return model;
}

export function approxTokenCount(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / BYTES_PER_TOKEN);
}

/** `text` cut in the middle to `maxTokens` approximate tokens (as is when it fits). */
export function truncateMiddleWithTokenBudget(text: string, maxTokens: number): string {
  if (text === '') return '';
  const bytes = Buffer.from(text, 'utf8');
  const maxBytes = maxTokens * BYTES_PER_TOKEN;
  if (maxTokens > 0 && bytes.length <= maxBytes) return text;
  if (maxBytes === 0) return `…${Math.ceil(bytes.length / BYTES_PER_TOKEN)} tokens truncated…`;
  const left = Math.floor(maxBytes / 2);
  const right = maxBytes - left;
  const prefixEnd = floorBoundary(bytes, left);
  const suffixStart = Math.max(ceilBoundary(bytes, Math.max(0, bytes.length - right)), prefixEnd);
  const removed = Math.ceil(Math.max(0, bytes.length - maxBytes) / BYTES_PER_TOKEN);
  return `${bytes.subarray(0, prefixEnd).toString('utf8')}…${removed} tokens truncated…${bytes.subarray(suffixStart).toString('utf8')}`;
}

/** `text` cut in the middle to `maxBytes`, the marker counting the removed characters. */
export function truncateMiddleChars(text: string, maxBytes: number): string {
  if (text === '') return '';
  const bytes = Buffer.from(text, 'utf8');
  if (maxBytes === 0) return `…${[...text].length} chars truncated…`;
  if (bytes.length <= maxBytes) return text;
  const left = Math.floor(maxBytes / 2);
  const prefixEnd = floorBoundary(bytes, left);
  const suffixStart = Math.max(ceilBoundary(bytes, bytes.length - (maxBytes - left)), prefixEnd);
  const removedChars = [...bytes.subarray(prefixEnd, suffixStart).toString('utf8')].length;
  return `${bytes.subarray(0, prefixEnd).toString('utf8')}…${removedChars} chars truncated…${bytes.subarray(suffixStart).toString('utf8')}`;
}

/**
 * The text the model gets under `policy`: unchanged when it fits, else the warning header and the cut text. The
 * header counts `text` itself, unless `header` says otherwise (output whose middle was already dropped).
 */
export function formattedTruncateText(text: string, policy: OutputPolicy, header?: { originalTokens: number; secondLine: string }): string {
  if (Buffer.byteLength(text, 'utf8') <= byteBudget(policy)) return text;
  const cut = policy.mode === 'bytes' ? truncateMiddleChars(text, policy.limit) : truncateMiddleWithTokenBudget(text, policy.limit);
  const tokens = header?.originalTokens ?? approxTokenCount(text);
  const second = header?.secondLine ?? `Total output lines: ${rustLineCount(text)}`;
  return `Warning: truncated output (original token count: ${tokens})\n${second}\n\n${cut}`;
}

/** Rust's `str::lines().count()`: a trailing newline does not start another line. */
export function rustLineCount(text: string): number {
  if (text === '') return 0;
  const parts = text.split('\n');
  return text.endsWith('\n') ? parts.length - 1 : parts.length;
}

/** The reference caps a command's persisted `aggregated_output` at 64 KiB: head and tail around this marker. */
export const PERSISTED_OUTPUT_MAX_BYTES = 64 * 1024;
const PERSISTENCE_MARKER = '\n... command output truncated for persistence ...\n';

export function truncateForPersistence(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= PERSISTED_OUTPUT_MAX_BYTES) return text;
  const budget = PERSISTED_OUTPUT_MAX_BYTES - Buffer.byteLength(PERSISTENCE_MARKER);
  const half = Math.floor(budget / 2);
  const head = bytes.subarray(0, floorBoundary(bytes, half)).toString('utf8');
  const tail = bytes.subarray(ceilBoundary(bytes, bytes.length - half)).toString('utf8');
  return `${head}${PERSISTENCE_MARKER}${tail}`;
}

const isContinuation = (byte: number | undefined): boolean => byte !== undefined && (byte & 0xc0) === 0x80;

function floorBoundary(bytes: Buffer, target: number): number {
  let at = Math.min(target, bytes.length);
  while (at > 0 && at < bytes.length && isContinuation(bytes[at])) at -= 1;
  return at;
}

function ceilBoundary(bytes: Buffer, target: number): number {
  let at = Math.min(target, bytes.length);
  while (at < bytes.length && isContinuation(bytes[at])) at += 1;
  return at;
}
