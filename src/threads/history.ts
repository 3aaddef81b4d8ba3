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
  const turns = new TurnRebuilder();
  for (const [index, line] of lines.entries()) {
    const p = line.payload;
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
    if (p['type'] === 'token_count') {
      const info = p['info'];
      if (isRecord(info)) {
        history.totalUsage = tokensFromRollout(info['total_token_usage']);
        history.lastUsage = tokensFromRollout(info['last_token_usage']);
      }
      continue;
    }
    turns.event(p, line.timestamp, index);
  }
  history.turns = turns.finish();
  return history;
}

/** The `event_msg` payload types `TurnRebuilder` reads; every other line leaves the turns as they are. */
const TURN_EVENT_TYPES = new Set(['task_started', 'item_completed', 'user_message', 'agent_message', 'task_complete', 'turn_aborted', 'error']);

/**
 * A `LineSkipRule` for turns: every line but an `event_msg` whose payload type is one of `TURN_EVENT_TYPES`
 * (or is not told by the line's head) can be passed over.
 */
export function skipForTurns(type: string, payloadType: string | null): boolean {
  return type !== 'event_msg' || (payloadType !== null && !TURN_EVENT_TYPES.has(payloadType));
}

/**
 * Only the turns of a rollout's lines: what `rebuildHistory(lines).turns` gives, or null when that needs line
 * positions (old formats name turns and items after them) and `exactPositions` is false.
 */
export function rebuildTurns(lines: RolloutLine[], exactPositions: boolean): TurnFacts[] | null {
  const turns = new TurnRebuilder();
  for (const [index, line] of lines.entries()) {
    if (line.type !== 'event_msg' || line.payload['type'] === 'token_count') continue;
    turns.event(line.payload, line.timestamp, index);
    if (turns.usedPosition && !exactPositions) return null;
  }
  return turns.finish();
}

/**
 * Rebuilds turns from `event_msg` payloads fed in file order, with each line's timestamp and position among
 * the decoded lines (only used to name turns and items of formats that carry no ids).
 */
class TurnRebuilder {
  private readonly turns: TurnFacts[] = [];
  private current: TurnFacts | null = null;
  private hasItemEvents = false;
  /** True once a turn or item was named after its line's position. */
  usedPosition = false;

  event(p: JsonObject, timestamp: string, index: number): void {
    const turn = this.current;
    switch (p['type']) {
      case 'task_started':
        this.open(str(p['turn_id']) ?? this.positional('turn', index), num(p['started_at']) !== null ? (num(p['started_at']) as number) * 1000 : atMsOf(timestamp));
        break;
      case 'item_completed': {
        this.hasItemEvents = true;
        const item = itemFromEvent(p);
        if (item) (turn ?? this.open(str(p['turn_id']) ?? this.positional('turn', index), atMsOf(timestamp))).items.push(item);
        break;
      }
      case 'user_message':
        if (!this.hasItemEvents) {
          const atMs = atMsOf(timestamp);
          const target = turn && turn.status === 'inProgress' && !turn.items.some((i) => i['type'] === 'userMessage') ? turn : this.open(this.positional('turn', index), atMs);
          target.items.push(userMessageItem(this.positional('item', index), [{ type: 'text', text: str(p['message']) ?? '', text_elements: [] }], atMs, atMs));
        }
        break;
      case 'agent_message':
        if (!this.hasItemEvents && turn) {
          const atMs = atMsOf(timestamp);
          turn.items.push(agentMessageItem(this.positional('item', index), str(p['message']) ?? '', atMs, atMs));
        }
        break;
      case 'task_complete':
        if (turn && isRecord(p['error'])) {
          // 0.169.0 records a failed turn as a `task_complete` carrying the error.
          const info = p['error']['codex_error_info'];
          turn.error = { message: str(p['error']['message']) ?? '', codexErrorInfo: info === undefined || info === null ? null : errorInfoFromRollout(info), additionalDetails: null, misalignment: null };
          finish(turn, 'failed', p, atMsOf(timestamp));
        } else if (turn) finish(turn, 'completed', p, atMsOf(timestamp));
        break;
      case 'turn_aborted':
        if (turn) finish(turn, 'interrupted', p, atMsOf(timestamp));
        break;
      case 'error':
        if (turn) {
          turn.error = { message: str(p['message']) ?? '', codexErrorInfo: p['codex_error_info'] ?? 'other', additionalDetails: null, misalignment: null };
          finish(turn, 'failed', p, atMsOf(timestamp));
        }
        break;
      default:
        break;
    }
  }

  finish(): TurnFacts[] {
    // 0.40.0 has no task markers: its turns end where the next begins.
    for (const turn of this.turns) if (turn.status === 'inProgress' && turn !== this.current) turn.status = 'completed';
    return this.turns;
  }

  private open(id: string, startedAtMs: number): TurnFacts {
    const turn: TurnFacts = { id, items: [], itemsView: 'full', status: 'inProgress', error: null, startedAtMs, completedAtMs: null, durationMs: null };
    this.current = turn;
    this.turns.push(turn);
    return turn;
  }

  private positional(kind: 'turn' | 'item', index: number): string {
    this.usedPosition = true;
    return `${kind}-${index}`;
  }
}

function atMsOf(timestamp: string): number {
  return Date.parse(timestamp) || 0;
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

