// Frozen copy of src/rollout/summary.ts as of 74b3e30 (before the byte-level pickers): the reference the
// equivalence test compares the summariser with. Not a test file itself.
import path from 'node:path';
import { parseRolloutFileName } from '../../../src/rollout/layout.js';
import { spawnOriginOf } from '../../../src/rollout/source-kind.js';
import type { RolloutSummary, SessionSource } from '../../../src/rollout/types.js';
import { isRecord } from '../../../src/support/json-values.js';
import { VISIBLE_TEXT_EVENTS, VisibleTexts } from '../../../src/rollout/visible-text.js';

/** Options of the summarisers. */
interface SummarizeOptions {
  /** Also collect the visible message texts (`RolloutSummary.visibleTexts`) for the search index, in the same pass. */
  withText?: boolean;
}

/** The pure part of `summarizeRollout`, for callers that already hold the bytes. */
export function referenceSummarizeRolloutBuffer(
  data: Buffer,
  rolloutPath: string,
  archived: boolean,
  mtimeMs: number,
  options: SummarizeOptions = {},
): RolloutSummary | null {
  if (data.length === 0) return null;
  const texts = options.withText ? new VisibleTexts() : null;
  const scan = scanLines(data, texts);
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
    spawn: spawnOriginOf(source),
    modelProvider: stringField(meta, 'model_provider'),
    model: scan.model,
    cwd: stringField(meta, 'cwd') ?? '',
    cliVersion: stringField(meta, 'cli_version') ?? '',
    originator: stringField(meta, 'originator') ?? '',
    preview: scan.preview ?? '',
    tokensUsed: scan.tokensUsed,
    forkedFromId: stringField(meta, 'forked_from_id'),
    lineCount: scan.lineCount,
    ...(texts ? { visibleTexts: texts.texts } : {}),
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
// line kind and the next one (inside `payload`) the event kind. Lines are located and classified on the raw
// bytes; only the few lines that matter are decoded and parsed.
const TYPE_KEY = Buffer.from('"type":"');
const USER_MESSAGE_ITEM = Buffer.from('"UserMessage"');
const NEWLINE = 0x0a;

function scanLines(data: Buffer, texts: VisibleTexts | null): Scan {
  const scan: Scan = { meta: null, preview: null, model: null, tokensUsed: 0, lastTurnStartMs: null, lineCount: 0 };
  let lastTokenCount: [number, number] | null = null;
  let lastTurnContext: [number, number] | null = null;
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(NEWLINE, start);
    const terminated = end !== -1;
    if (!terminated) end = data.length;
    const lineStart = start;
    start = end + 1;
    const kind = kindOf(data, lineStart, end);
    if (kind === null) continue;
    if (!terminated && parseLine(data, lineStart, end) === null) continue; // torn last line
    scan.lineCount += 1;
    if (kind.type === 'session_meta') {
      if (scan.meta === null) scan.meta = sessionMetaOf(data, lineStart, end);
      continue;
    }
    if (kind.type === 'turn_context') {
      lastTurnContext = [lineStart, end];
      continue;
    }
    if (kind.type !== 'event_msg') continue;
    const event = kindOf(data, kind.end, end)?.type;
    // Only the few message events are parsed for their text; everything else stays raw bytes. A line needed for
    // both the texts and the preview is parsed once.
    let line: Record<string, unknown> | null | undefined;
    const parsed = (): Record<string, unknown> | null => (line === undefined ? (line = parseLine(data, lineStart, end)) : line);
    if (texts && event !== undefined && VISIBLE_TEXT_EVENTS.has(event) && (event !== 'item_completed' || isMessageItem(data, lineStart, end))) {
      const value = parsed();
      if (value) texts.addLine(value['type'], value['payload']);
    }
    if (event === 'token_count') lastTokenCount = [lineStart, end];
    else if (event === 'task_started' || event === 'user_message') {
      if (event === 'task_started' || scan.lastTurnStartMs === null) scan.lastTurnStartMs = timestampOf(data, lineStart, end);
      if (event === 'user_message' && scan.preview === null) scan.preview = userMessageText(payloadIn(parsed()));
    } else if (event === 'item_completed' && scan.preview === null && contains(data, USER_MESSAGE_ITEM, lineStart, end)) {
      scan.preview = userItemText(payloadIn(parsed()));
    }
  }
  if (lastTurnContext) scan.model = stringField(payloadOf(data, ...lastTurnContext), 'model');
  if (lastTokenCount) scan.tokensUsed = totalTokens(payloadOf(data, ...lastTokenCount));
  return scan;
}

const AGENT_MESSAGE_ITEM = Buffer.from('"AgentMessage"');

/** An `item_completed` line that may carry a user or assistant message (other items, often large, stay unparsed). */
function isMessageItem(data: Buffer, start: number, end: number): boolean {
  // Searched within the line only (a view, no copy): a search of the whole buffer would run to the file's end.
  const line = data.subarray(start, end);
  return line.includes(USER_MESSAGE_ITEM) || line.includes(AGENT_MESSAGE_ITEM);
}

/** Whether `needle` occurs within [start, end): searched in a view of the line, never on to the file's end. */
function contains(data: Buffer, needle: Buffer, start: number, end: number): boolean {
  return data.subarray(start, end).includes(needle);
}

function kindOf(data: Buffer, from: number, end: number): { type: string; end: number } | null {
  const at = data.indexOf(TYPE_KEY, from);
  if (at === -1 || at >= end) return null;
  const valueStart = at + TYPE_KEY.length;
  const valueEnd = data.indexOf(0x22, valueStart);
  if (valueEnd === -1 || valueEnd > end) return null;
  return { type: data.toString('latin1', valueStart, valueEnd), end: valueEnd };
}

function parseLine(data: Buffer, start: number, end: number): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(data.toString('utf8', start, end));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

function payloadOf(data: Buffer, start: number, end: number): Record<string, unknown> | null {
  return payloadIn(parseLine(data, start, end));
}

function payloadIn(value: Record<string, unknown> | null): Record<string, unknown> | null {
  return value && isRecord(value['payload']) ? value['payload'] : null;
}

const BASE_INSTRUCTIONS_KEY = Buffer.from(',"base_instructions":');

/**
 * The `session_meta` payload without decoding `base_instructions` (≈22 KB in 0.169.0 files, and the only
 * large field): the line is cut before it and closed, falling back to a full parse when that does not work.
 */
function sessionMetaOf(data: Buffer, start: number, end: number): Record<string, unknown> | null {
  const at = data.subarray(start, end).indexOf(BASE_INSTRUCTIONS_KEY);
  const cut = at === -1 ? -1 : start + at;
  // Forks name their source after the instructions: those rare lines get a full parse.
  if (cut !== -1 && cut < end && !contains(data, FORKED_FROM_KEY, start, end)) {
    try {
      // `payload` is the last envelope key, so closing the payload and the line after the cut is valid JSON.
      const head = JSON.parse(data.toString('utf8', start, cut) + '}}') as { payload?: unknown };
      if (isRecord(head.payload)) return head.payload;
    } catch {
      // fall through to the full parse
    }
  }
  return payloadOf(data, start, end);
}

const FORKED_FROM_KEY = Buffer.from('"forked_from_id":');

function timestampOf(data: Buffer, start: number, end: number): number | null {
  const m = /^\{"timestamp":"([^"]+)"/.exec(data.toString('latin1', start, Math.min(end, start + 64)));
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

function stringField(record: Record<string, unknown> | null, key: string): string | null {
  const value = record?.[key];
  return typeof value === 'string' ? value : null;
}

function parseIso(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}
