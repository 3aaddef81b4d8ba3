/**
 * Domain types of the rollout store. These are the facts a rollout file (or the state DB row that mirrors
 * it) holds about a thread; wire shapes live in src/protocol/.
 */

/** One line of a rollout file, as written by the reference 0.169.0 (older versions omit `ordinal`). */
export interface RolloutLine {
  timestamp: string;
  ordinal?: number;
  type: string;
  payload: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** A line to append: the writer adds `timestamp` and `ordinal`. */
export interface NewRolloutLine {
  type: string;
  payload: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** Where one appended line landed: its ordinal and byte span (`startOffset` to just after its `\n`). */
export interface AppendedLine {
  ordinal: number;
  startOffset: number;
  endOffset: number;
  /** The record as written (`timestamp`, `ordinal`, `type`, `payload`[, `metadata`]). */
  record: Record<string, unknown>;
}

/** `session_meta.source`: `"vscode"`, `"cli"`, … or a sub-agent object such as `{"subagent":{"thread_spawn":{…}}}`. */
export type SessionSource = string | Record<string, unknown>;

/** Sub-agent lineage read from `session_meta.source.subagent.thread_spawn`. */
export interface SpawnOrigin {
  parentThreadId: string;
  depth: number | null;
  agentPath: string | null;
  agentNickname: string | null;
  agentRole: string | null;
}

/** Token counts in the rollout's snake_case vocabulary (`token_count.info.total_token_usage`). */
export interface TokenUsage {
  input_tokens: number;
  cached_input_tokens: number;
  cache_write_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
  total_tokens: number;
}

/**
 * What one rollout file says about its thread, enough to build a thread/list entry or a state DB row.
 * Produced by `summarizeRollout` (src/rollout/summary.ts); consumed by the store, the manager and the backfill.
 */
export interface RolloutSummary {
  id: string;
  rolloutPath: string;
  archived: boolean;
  /** Thread creation, from `session_meta.timestamp` (else the file name). */
  createdAtMs: number;
  /** Last write: the file's mtime. */
  updatedAtMs: number;
  /** Start of the latest user turn (`task_started`/user message timestamp); creation if none. */
  recencyAtMs: number;
  source: SessionSource;
  spawn: SpawnOrigin | null;
  modelProvider: string | null;
  /** From the last `turn_context`; null when the file has none. */
  model: string | null;
  cwd: string;
  cliVersion: string;
  originator: string;
  /** First user message text, `""` before any. */
  preview: string;
  /** Thread total from the last `token_count` (0 when none). */
  tokensUsed: number;
  forkedFromId: string | null;
  /** Count of parseable lines; the next ordinal to write. */
  lineCount: number;
  /** Visible user and assistant message texts, in order, each once; present only when asked for (search index). */
  visibleTexts?: string[];
}
