import { inputAfterCompaction } from './compaction.js';
import { asString as str, asStrings as strings, isRecord, type JsonObject } from '../support/json-values.js';
import type { RolloutLine } from '../rollout/types.js';
import type { ResponseInputItem } from '../model/types.js';
import { errorInfoFromRollout } from './error-info.js';
import { agentMessageItem, reasoningItem, userMessageItem } from './render/items.js';
import type { TurnFacts } from './facts.js';
import { tokensFromRollout, type TokenBreakdown } from './tokens.js';
import { commandItemFromRollout, renderCommand } from '../tools/exec/index.js';
import { fileChangeItemFromRollout } from '../tools/apply-patch/file-change-item.js';

/** What a rollout says about a thread's past, rebuilt for `thread/read`, `thread/resume` and the next model request. */
export interface ThreadHistory {
  turns: TurnFacts[];
  /** Responses API input items, oldest first (base instructions first). */
  modelInput: ResponseInputItem[];
  /** Totals from the last `token_count`, null when the rollout has none. */
  totalUsage: TokenBreakdown | null;
  lastUsage: TokenBreakdown | null;
  sessionMeta: JsonObject | null;
  /** Model of the last `turn_context`. */
  model: string | null;
}

/**
 * Rebuilds turns from every rollout format we know: 0.169.0 (`task_started` … `item_completed` …
 * `task_complete`/`turn_aborted`), 0.130.0 (`user_message`/`agent_message` events inside task markers) and
 * 0.40.0 (no task markers: a user message starts a turn). Unknown line kinds are ignored here, never dropped
 * from the file.
 */
export function rebuildHistory(lines: RolloutLine[]): ThreadHistory {
  const history: ThreadHistory = { turns: [], modelInput: [], totalUsage: null, lastUsage: null, sessionMeta: null, model: null };
  const cursor: { current: TurnFacts | null } = { current: null };
  let hasItemEvents = false;
  const open = (id: string, startedAtMs: number): TurnFacts => {
    const turn: TurnFacts = { id, items: [], itemsView: 'full', status: 'inProgress', error: null, startedAtMs, completedAtMs: null, durationMs: null };
    cursor.current = turn;
    history.turns.push(turn);
    return turn;
  };
  for (const [index, line] of lines.entries()) {
    const p = line.payload;
    const atMs = Date.parse(line.timestamp) || 0;
    if (line.type === 'session_meta') {
      history.sessionMeta ??= p;
      const base = isRecord(p['base_instructions']) ? p['base_instructions']['text'] : null;
      if (typeof base === 'string' && base.length > 0 && history.modelInput.length === 0) {
        history.modelInput.push({ type: 'message', role: 'developer', content: [{ type: 'input_text', text: base }] });
      }
      continue;
    }
    if (line.type === 'turn_context') {
      if (typeof p['model'] === 'string') history.model = p['model'];
      continue;
    }
    if (line.type === 'compacted' && Array.isArray(p['replacement_history'])) {
      history.modelInput = inputAfterCompaction(history.modelInput, p['replacement_history']);
      continue;
    }
    if (line.type === 'response_item') {
      const item = modelInputItem(p);
      if (item) history.modelInput.push(item);
      continue;
    }
    if (line.type !== 'event_msg') continue;
    const turn = cursor.current;
    switch (p['type']) {
      case 'task_started':
        open(str(p['turn_id']) ?? `turn-${index}`, num(p['started_at']) !== null ? (num(p['started_at']) as number) * 1000 : atMs);
        break;
      case 'item_completed': {
        hasItemEvents = true;
        const item = itemFromEvent(p);
        if (item) (turn ?? open(str(p['turn_id']) ?? `turn-${index}`, atMs)).items.push(item);
        break;
      }
      case 'user_message':
        if (!hasItemEvents) {
          const target = turn && turn.status === 'inProgress' && !turn.items.some((i) => i['type'] === 'userMessage') ? turn : open(`turn-${index}`, atMs);
          target.items.push(userMessageItem(`item-${index}`, [{ type: 'text', text: str(p['message']) ?? '', text_elements: [] }], atMs, atMs));
        }
        break;
      case 'agent_message':
        if (!hasItemEvents && turn) turn.items.push(agentMessageItem(`item-${index}`, str(p['message']) ?? '', atMs, atMs));
        break;
      case 'task_complete':
        if (turn && isRecord(p['error'])) {
          // 0.169.0 records a failed turn as a `task_complete` carrying the error.
          const info = p['error']['codex_error_info'];
          turn.error = { message: str(p['error']['message']) ?? '', codexErrorInfo: info === undefined || info === null ? null : errorInfoFromRollout(info), additionalDetails: null, misalignment: null };
          finish(turn, 'failed', p, atMs);
        } else if (turn) finish(turn, 'completed', p, atMs);
        break;
      case 'turn_aborted':
        if (turn) finish(turn, 'interrupted', p, atMs);
        break;
      case 'error':
        if (turn) {
          turn.error = { message: str(p['message']) ?? '', codexErrorInfo: p['codex_error_info'] ?? 'other', additionalDetails: null, misalignment: null };
          finish(turn, 'failed', p, atMs);
        }
        break;
      case 'token_count': {
        const info = p['info'];
        if (isRecord(info)) {
          history.totalUsage = tokensFromRollout(info['total_token_usage']);
          history.lastUsage = tokensFromRollout(info['last_token_usage']);
        }
        break;
      }
      default:
        break;
    }
  }
  // 0.40.0 has no task markers: its turns end where the next begins.
  for (const turn of history.turns) if (turn.status === 'inProgress' && turn !== cursor.current) turn.status = 'completed';
  return history;
}

function finish(turn: TurnFacts, status: TurnFacts['status'], p: JsonObject, atMs: number): void {
  turn.status = status;
  turn.completedAtMs = num(p['completed_at']) !== null ? (num(p['completed_at']) as number) * 1000 : atMs;
  turn.durationMs = num(p['duration_ms']) ?? (turn.startedAtMs !== null ? turn.completedAtMs - turn.startedAtMs : null);
}

function itemFromEvent(p: JsonObject): JsonObject | null {
  const item = p['item'];
  if (!isRecord(item)) return null;
  const started = num(p['started_at_ms']) ?? 0;
  const completed = num(p['completed_at_ms']) ?? started;
  const id = str(item['id']) ?? '';
  const content = Array.isArray(item['content']) ? item['content'].filter(isRecord) : [];
  switch (item['type']) {
    case 'UserMessage':
      return userMessageItem(id, content.map((c) => ({ ...c, text_elements: Array.isArray(c['text_elements']) ? c['text_elements'] : [] })), started, completed);
    case 'AgentMessage':
      return agentMessageItem(id, content.map((c) => str(c['text']) ?? '').join(''), started, completed);
    case 'Reasoning':
      return reasoningItem(id, strings(item['summary_text']), strings(item['raw_content']), started, completed);
    case 'CommandExecution':
      return commandItemFromRollout(p, renderCommand);
    case 'FileChange':
      return fileChangeItemFromRollout(p);
    case 'ContextCompaction':
      return { type: 'contextCompaction', id, startedAtMs: started, completedAtMs: completed };
    default:
      return null;
  }
}

const INPUT_ITEM_TYPES = new Set(['message', 'function_call', 'function_call_output', 'reasoning', 'custom_tool_call', 'custom_tool_call_output']);

/** The Responses API form of a recorded `response_item`: our bookkeeping fields are left out. */
function modelInputItem(p: JsonObject): ResponseInputItem | null {
  const type = str(p['type']);
  if (!type || !INPUT_ITEM_TYPES.has(type)) return null;
  const { internal_chat_message_metadata_passthrough: _meta, ...rest } = p;
  return rest;
}


function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

