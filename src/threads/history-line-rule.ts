import { asInteger as int, asString as str, asStrings as strings, isRecord, type JsonObject } from '../support/json-values.js';
import { errorInfoFromRollout } from './error-info.js';
import type { ProjectedItemChange, ProjectedTurnChange } from './ports.js';
import { agentMessageItem, reasoningItem, userMessageItem } from './render/items.js';
import { commandItemFromRollout, renderCommand } from '../tools/exec/index.js';
import { fileChangeItemFromRollout } from '../tools/apply-patch/file-change-item.js';

/**
 * The reference's stateless projection rule: what one rollout line changes in `thread_history_1.sqlite`,
 * without looking at any other line. `HistoryProjector` (history-projector.ts) applies it line by line.
 */

export interface LineChanges {
  turns: ProjectedTurnChange[];
  items: ProjectedItemChange[];
}

export type LineProjection = LineChanges | { unsupported: string };

export const NO_CHANGES: LineChanges = { turns: [], items: [] };

/** What one rollout line (`type` + `payload`) changes in the projection, without looking at any other line. */
export function projectRolloutRecord(type: unknown, payload: unknown): LineProjection {
  if (type !== 'event_msg' || !isRecord(payload)) return NO_CHANGES;
  const p = payload;
  switch (p['type']) {
    case 'task_started': {
      const turnId = str(p['turn_id']);
      if (turnId === null) return { unsupported: 'task_started without turn_id' };
      return turnChange({ turnId, rootTurnId: rootTurnIdOf(p), status: 'inProgress', errorJson: null, startedAt: int(p['started_at']), completedAt: null, durationMs: null });
    }
    case 'task_complete': {
      const turnId = str(p['turn_id']);
      if (turnId === null) return { unsupported: 'task_complete without turn_id' };
      const error = isRecord(p['error']) ? p['error'] : null;
      return turnChange({
        turnId,
        rootTurnId: rootTurnIdOf(p),
        status: error ? 'failed' : 'completed',
        errorJson: error ? JSON.stringify(turnErrorOf(error)) : null,
        startedAt: int(p['started_at']),
        completedAt: int(p['completed_at']),
        durationMs: int(p['duration_ms']),
      });
    }
    case 'turn_aborted': {
      const turnId = str(p['turn_id']);
      if (turnId === null) return NO_CHANGES;
      return turnChange({ turnId, rootTurnId: rootTurnIdOf(p), status: 'interrupted', errorJson: null, startedAt: int(p['started_at']), completedAt: int(p['completed_at']), durationMs: int(p['duration_ms']) });
    }
    case 'item_completed': {
      const turnId = str(p['turn_id']);
      if (turnId === null || !isRecord(p['item'])) return { unsupported: 'item_completed without turn_id or item' };
      const item = threadItemOf(p['item']);
      if ('unsupported' in item) return item;
      const completed = int(p['completed_at_ms']);
      return {
        turns: [],
        items: [{ turnId, itemId: item.id, itemJson: JSON.stringify(item.json), itemType: item.type, startedAtMs: int(p['started_at_ms']), completedAtMs: completed === 0 ? null : completed }],
      };
    }
    case 'thread_rolled_back':
      return { unsupported: 'thread_rolled_back (rebuilds are left to the reference)' };
    default:
      return NO_CHANGES;
  }
}

function turnChange(turn: ProjectedTurnChange): LineChanges {
  return { turns: [turn], items: [] };
}

function rootTurnIdOf(p: JsonObject): string | null {
  return str(p['root_turn_id']) ?? (isRecord(p['turn_attribution']) ? str(p['turn_attribution']['root_turn_id']) : null);
}

/** The v2 `TurnError` of a rollout `task_complete.error` (`additionalDetails` is not recorded). */
function turnErrorOf(error: JsonObject): JsonObject {
  const info = error['codex_error_info'];
  const misalignment = error['misalignment'];
  return {
    message: str(error['message']) ?? '',
    codexErrorInfo: info === undefined || info === null ? null : errorInfoFromRollout(info),
    additionalDetails: null,
    misalignment: misalignment === undefined || misalignment === null ? null : errorInfoFromRollout(misalignment),
  };
}

/**
 * The v2 item of a rollout `TurnItem`, as the reference stores it (`item_json`: without `startedAtMs` and
 * `completedAtMs`). Only the item kinds this server writes are converted; anything we could not reproduce
 * exactly is refused.
 */
function threadItemOf(item: JsonObject): { id: string; type: string; json: JsonObject } | { unsupported: string } {
  const id = str(item['id']);
  if (id === null) return { unsupported: 'item without id' };
  let json: JsonObject;
  switch (item['type']) {
    case 'UserMessage': {
      const content: JsonObject[] = [];
      for (const c of Array.isArray(item['content']) ? item['content'] : []) {
        const elements = isRecord(c) ? c['text_elements'] : undefined;
        if (!isRecord(c) || c['type'] !== 'text' || typeof c['text'] !== 'string' || (elements !== undefined && !(Array.isArray(elements) && elements.length === 0))) {
          return { unsupported: 'user input other than plain text' };
        }
        content.push({ type: 'text', text: c['text'], text_elements: [] });
      }
      const clientId = item['client_id'] ?? null;
      if (clientId !== null && typeof clientId !== 'string') return { unsupported: 'user message client_id' };
      json = { ...userMessageItem(id, content, 0, null), clientId };
      break;
    }
    case 'AgentMessage': {
      for (const key of ['moderation', 'memory_citation', 'delivery', 'questions']) {
        if (item[key] !== undefined && item[key] !== null) return { unsupported: `agent message ${key}` };
      }
      const parts = Array.isArray(item['content']) ? item['content'] : [];
      if (!parts.every((c) => isRecord(c) && c['type'] === 'Text' && typeof c['text'] === 'string')) return { unsupported: 'agent message content' };
      const phase = item['phase'] ?? null;
      if (phase !== null && typeof phase !== 'string') return { unsupported: 'agent message phase' };
      json = { ...agentMessageItem(id, parts.map((c) => (c as JsonObject)['text'] as string).join(''), 0, null), phase };
      break;
    }
    case 'Reasoning':
      json = reasoningItem(id, strings(item['summary_text']), strings(item['raw_content']), 0, null);
      break;
    case 'CommandExecution':
    case 'FileChange': {
      // The tools' own rebuild (the same one thread/read uses); the reference stores exactly that item (checked).
      const payload = { type: 'item_completed', item };
      const rebuilt = item['type'] === 'CommandExecution' ? commandItemFromRollout(payload, renderCommand) : fileChangeItemFromRollout(payload);
      if (rebuilt === null) return { unsupported: `malformed ${String(item['type'])} item` };
      json = rebuilt;
      break;
    }
    case 'ContextCompaction':
      json = { type: 'contextCompaction', id, startedAtMs: 0, completedAtMs: null };
      break;
    default:
      return { unsupported: `item type ${String(item['type'])}` };
  }
  const { startedAtMs: _s, completedAtMs: _c, ...stored } = json;
  return { id, type: String(stored['type']), json: stored };
}
