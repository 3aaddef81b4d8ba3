import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseRolloutFileName } from './layout.js';
import type { RolloutSummary, SessionSource, SpawnOrigin } from './types.js';

/**
 * Summarises a rollout file without parsing every line: only `session_meta`, the first user message, the
 * last `turn_context`, the last `token_count` and turn starts are decoded. Lines that do not parse are
 * skipped (a torn last line after a crash). Returns null for an empty or unreadable file, or one that holds
 * neither a `session_meta` nor a canonical file name to take the id from.
 */
export async function summarizeRollout(rolloutPath: string, archived: boolean): Promise<RolloutSummary | null> {
  let data: Buffer;
  let mtimeMs: number;
  try {
    [data, mtimeMs] = await Promise.all([readFile(rolloutPath), stat(rolloutPath).then((s) => s.mtimeMs)]);
  } catch {
    return null;
  }
  return summarizeRolloutText(data.toString('utf8'), rolloutPath, archived, Math.floor(mtimeMs));
}

/** The pure part of `summarizeRollout`, for callers that already hold the text. */
export function summarizeRolloutText(text: string, rolloutPath: string, archived: boolean, mtimeMs: number): RolloutSummary | null {
  if (text.length === 0) return null;
  const scan = scanLines(text);
  if (scan.lineCount === 0) return null;
  const fromName = parseRolloutFileName(path.basename(rolloutPath));
  const meta = scan.meta;
  const id = stringField(meta, 'id') ?? fromName?.threadId;
  if (!id) return null;
  const createdAtMs = parseIso(stringField(meta, 'timestamp')) ?? fromName?.createdAtMs ?? mtimeMs;
  const source: SessionSource = (meta?.['source'] as SessionSource | undefined) ?? 'vscode';
  return {
    id,
    rolloutPath,
    archived,
    createdAtMs,
    updatedAtMs: mtimeMs,
    recencyAtMs: scan.lastTurnStartMs ?? createdAtMs,
    source,
    spawn: spawnOrigin(source),
    modelProvider: stringField(meta, 'model_provider'),
    model: scan.model,
    cwd: stringField(meta, 'cwd') ?? '',
    cliVersion: stringField(meta, 'cli_version') ?? '',
    originator: stringField(meta, 'originator') ?? '',
    preview: scan.preview ?? '',
    tokensUsed: scan.tokensUsed,
    forkedFromId: stringField(meta, 'forked_from_id'),
    lineCount: scan.lineCount,
  };
}

interface Scan {
  meta: Record<string, unknown> | null;
  preview: string | null;
  model: string | null;
  tokensUsed: number;
  lastTurnStartMs: number | null;
  lineCount: number;
}

// Envelope keys come first on every line (`timestamp`, `ordinal`, `type`), so the first `"type":"` names the
// line kind and the next one (inside `payload`) the event kind, without decoding the line.
const TYPE_KEY = '"type":"';

function scanLines(text: string): Scan {
  const scan: Scan = { meta: null, preview: null, model: null, tokensUsed: 0, lastTurnStartMs: null, lineCount: 0 };
  let lastTokenCount: string | null = null;
  let lastTurnContext: string | null = null;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim().length === 0) continue;
    const kind = kindOf(line, 0);
    if (kind === null) continue;
    if (end === text.length && !parses(line)) continue; // torn last line
    scan.lineCount += 1;
    if (kind.type === 'session_meta') {
      if (scan.meta === null) scan.meta = payloadOf(line);
      continue;
    }
    if (kind.type === 'turn_context') {
      lastTurnContext = line;
      continue;
    }
    if (kind.type !== 'event_msg') continue;
    const event = kindOf(line, kind.end)?.type;
    if (event === 'token_count') lastTokenCount = line;
    else if (event === 'task_started' || event === 'user_message') {
      if (event === 'task_started' || scan.lastTurnStartMs === null) scan.lastTurnStartMs = timestampOf(line);
      if (event === 'user_message' && scan.preview === null) scan.preview = userMessageText(payloadOf(line));
    } else if (event === 'item_completed' && scan.preview === null && line.includes('"UserMessage"')) {
      scan.preview = userItemText(payloadOf(line));
    }
  }
  if (lastTurnContext) scan.model = stringField(payloadOf(lastTurnContext), 'model');
  if (lastTokenCount) scan.tokensUsed = totalTokens(payloadOf(lastTokenCount));
  return scan;
}

function kindOf(line: string, from: number): { type: string; end: number } | null {
  const at = line.indexOf(TYPE_KEY, from);
  if (at === -1) return null;
  const valueStart = at + TYPE_KEY.length;
  const valueEnd = line.indexOf('"', valueStart);
  if (valueEnd === -1) return null;
  return { type: line.slice(valueStart, valueEnd), end: valueEnd };
}

function parses(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function payloadOf(line: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(line) as { payload?: unknown };
    return isRecord(value.payload) ? value.payload : null;
  } catch {
    return null;
  }
}

function timestampOf(line: string): number | null {
  const m = /^\{"timestamp":"([^"]+)"/.exec(line);
  return m ? parseIso(m[1]) : null;
}

function userMessageText(payload: Record<string, unknown> | null): string | null {
  const message = payload?.['message'];
  return typeof message === 'string' ? message : null;
}

function userItemText(payload: Record<string, unknown> | null): string | null {
  const item = payload?.['item'];
  if (!isRecord(item) || !Array.isArray(item['content'])) return null;
  const texts = item['content'].filter(isRecord).map((c) => (c['type'] === 'text' && typeof c['text'] === 'string' ? c['text'] : ''));
  return texts.join('');
}

function totalTokens(payload: Record<string, unknown> | null): number {
  const info = payload?.['info'];
  if (!isRecord(info)) return 0;
  const total = info['total_token_usage'];
  return isRecord(total) && typeof total['total_tokens'] === 'number' ? total['total_tokens'] : 0;
}

function spawnOrigin(source: SessionSource): SpawnOrigin | null {
  if (!isRecord(source)) return null;
  const subagent = source['subagent'];
  const spawn = isRecord(subagent) ? subagent['thread_spawn'] : undefined;
  if (!isRecord(spawn) || typeof spawn['parent_thread_id'] !== 'string') return null;
  return {
    parentThreadId: spawn['parent_thread_id'],
    depth: typeof spawn['depth'] === 'number' ? spawn['depth'] : null,
    agentPath: typeof spawn['agent_path'] === 'string' ? spawn['agent_path'] : null,
    agentNickname: typeof spawn['agent_nickname'] === 'string' ? spawn['agent_nickname'] : null,
    agentRole: typeof spawn['agent_role'] === 'string' ? spawn['agent_role'] : null,
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown> | null, key: string): string | null {
  const value = record?.[key];
  return typeof value === 'string' ? value : null;
}

function parseIso(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
