/**
 * Manual compaction (`thread/compact/start`) as the reference 0.169.0 does it, observed against a mock model: the
 * whole history plus {@link COMPACTION_PROMPT} goes to the model with no tools; its answer becomes a summary that,
 * with a fresh developer and environment message and the thread's user messages, replaces the history. The
 * replacement is written as a `compacted` rollout line; later turns (and a resume) start from it.
 */
import type { NewRolloutLine } from '../rollout/types.js';
import type { JsonObject } from '../support/json-values.js';
import type { ResponseInputItem } from '../model/types.js';

/** The user message the reference appends to the history for the compaction request (exact text, trailing newline). */
export const COMPACTION_PROMPT =
  'You are performing a CONTEXT CHECKPOINT COMPACTION. Create a handoff summary for another LLM that will resume the task.\n\n' +
  'Include:\n- Current progress and key decisions made\n- Important context, constraints, or user preferences\n' +
  '- What remains to be done (clear next steps)\n- Any critical data, examples, or references needed to continue\n\n' +
  'Be concise, structured, and focused on helping the next LLM seamlessly continue the work.\n';

/** What the summary message of the replacement history starts with (exact text), followed by `\n` and the summary. */
export const SUMMARY_PREFIX =
  'Another language model started to solve this problem and produced a summary of its thinking process. You also have access to the state of the tools that were used by that language model. Use this to build on the work that has already been done and avoid duplicating work. Here is the summary produced by the other language model, use the information in this summary to assist with your own analysis:';

export function summaryMessageText(summary: string): string {
  return `${SUMMARY_PREFIX}\n${summary}`;
}

/** True for a user message the model input carries for context (environment, aborted-turn notes), not typed by the user. */
function isContextMessage(text: string): boolean {
  return text.startsWith('<environment_context>') || text.startsWith('<turn_aborted>') || text.startsWith(SUMMARY_PREFIX);
}

function firstText(item: JsonObject): string {
  const content = item['content'];
  if (!Array.isArray(content)) return '';
  const first = content[0] as JsonObject | undefined;
  return typeof first?.['text'] === 'string' ? first['text'] : '';
}

/**
 * The thread's user messages, as recorded, in order: what the reference keeps of the old history (assistant
 * messages, reasoning and tool calls are dropped; the summary stands for them).
 */
export function retainedUserMessages(history: readonly JsonObject[]): JsonObject[] {
  return history.filter((item) => item['type'] === 'message' && item['role'] === 'user' && !isContextMessage(firstText(item)));
}

/** The `compacted` rollout line (the fields a resume needs; the reference's window and retained-context bookkeeping is not written). */
export function compactedLine(message: string, replacementHistory: JsonObject[], responseId: string | null): NewRolloutLine {
  return { type: 'compacted', payload: { message, replacement_history: replacementHistory, compaction_response_id: responseId } };
}

/** The model input a resume rebuilds from a `compacted` line: the base instructions, then the replacement history. */
export function inputAfterCompaction(current: readonly ResponseInputItem[], replacement: readonly unknown[]): ResponseInputItem[] {
  const base = current[0];
  const head = base && base['role'] === 'developer' && !String(firstText(base)).startsWith('<') ? [base] : [];
  const rest = replacement.filter((x): x is JsonObject => typeof x === 'object' && x !== null).map(({ internal_chat_message_metadata_passthrough: _m, ...item }) => item);
  return [...head, ...rest];
}

/** A line without some payload keys: the compaction turn's `task_started` has no `turn_attribution`, its `task_complete` no `time_to_first_token_ms` (reference). */
export function withoutPayloadKeys(line: NewRolloutLine, ...keys: string[]): NewRolloutLine {
  const payload = { ...line.payload };
  for (const key of keys) delete payload[key];
  return { ...line, payload };
}

/** A rough token estimate of the compacted history (4 bytes a token); the reference's own estimator is not known. */
export function estimateTokens(input: readonly ResponseInputItem[]): number {
  return Math.ceil(Buffer.byteLength(JSON.stringify(input)) / 4);
}
