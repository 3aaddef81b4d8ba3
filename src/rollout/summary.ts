import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { parseRolloutFileName } from './layout.js';
import { spawnOriginOf } from './source-kind.js';
import type { RolloutSummary, SessionSource } from './types.js';
import { isRecord } from '../support/json-values.js';
import { VISIBLE_TEXT_EVENTS, VisibleTexts } from './visible-text.js';
import { pickJsonValue } from './json-pick.js';

/** Options of the summarisers. */
export interface SummarizeOptions {
  /** Also collect the visible message texts (`RolloutSummary.visibleTexts`) for the search index, in the same pass. */
  withText?: boolean;
}

/**
 * Summarises a rollout file without parsing every line: only `session_meta`, the first user message, the
 * last `turn_context`, the last `token_count` and turn starts are decoded. Lines that do not parse are
 * skipped (a torn last line after a crash). Returns null for an empty or unreadable file, or one that holds
 * neither a `session_meta` nor a canonical file name to take the id from.
 */
export async function summarizeRollout(rolloutPath: string, archived: boolean, options: SummarizeOptions = {}): Promise<RolloutSummary | null> {
  return summarizeRolloutSync(rolloutPath, archived, options);
}

/**
 * Synchronous twin of `summarizeRollout`. Rollouts are small (tens of KB) and a summary needs all of one, so
 * one blocking open/fstat/read/close is cheaper than four thread-pool round trips: the backfill of 2,000 files
 * spends most of its time in that overhead otherwise.
 */
export function summarizeRolloutSync(rolloutPath: string, archived: boolean, options: SummarizeOptions = {}): RolloutSummary | null {
  let data: Buffer;
  let mtimeMs: number;
  let fd: number | null = null;
  try {
    fd = openSync(rolloutPath, 'r');
    const info = fstatSync(fd);
    if (!info.isFile()) return null;
    mtimeMs = info.mtimeMs;
    data = readToEnd(fd, info.size);
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
  return summarizeRolloutBuffer(data, rolloutPath, archived, Math.floor(mtimeMs), options);
}

/**
 * Reused by every read of up to `REUSED_READ_BYTES`: the summary keeps no view of the bytes (its strings are copies),
 * and no read overlaps another. A larger file gets a buffer of its own, so one huge rollout is not kept alive.
 */
let readBuffer = Buffer.allocUnsafe(0);
const REUSED_READ_BYTES = 1024 * 1024;

/**
 * The first `size` bytes of the file (its fstat size), as `readFileSync(fd)` reads them, without the second fstat
 * `readFileSync` makes (one syscall fewer per rollout) and without a new 40 KB buffer per file: the bytes are only
 * valid until the next call.
 */
function readToEnd(fd: number, size: number): Buffer {
  if (size <= REUSED_READ_BYTES && readBuffer.length < size) readBuffer = Buffer.allocUnsafe(Math.min(REUSED_READ_BYTES, Math.max(size, 2 * readBuffer.length, 64 * 1024)));
  const data = size <= REUSED_READ_BYTES ? readBuffer : Buffer.allocUnsafe(size);
  let length = 0;
  while (length < size) {
    const read = readSync(fd, data, length, size - length, null);
    if (read === 0) break;
    length += read;
  }
  return data.subarray(0, length);
}

/** The pure part of `summarizeRollout`, for callers that already hold the bytes. */
export function summarizeRolloutBuffer(
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
  if (lastTurnContext) scan.model = modelOf(data, ...lastTurnContext);
  if (lastTokenCount) scan.tokensUsed = tokensOf(data, ...lastTokenCount);
  return scan;
}

const AGENT_MESSAGE_ITEM = Buffer.from('"AgentMessage"');

/** An `item_completed` line that may carry a user or assistant message (other items, often large, stay unparsed). */
function isMessageItem(data: Buffer, start: number, end: number): boolean {
  // Searched within the line only (a view, no copy): a search of the whole buffer would run to the file's end.
  const line = data.subarray(start, end);
  return indexOfKey(line, USER_MESSAGE_ITEM, 1) !== -1 || indexOfKey(line, AGENT_MESSAGE_ITEM, 1) !== -1;
}

/**
 * Whether `needle` (a quoted name) occurs within [start, end): searched in a view of the line, never on to the
 * file's end, through its tail after the quote (see `indexOfKey`).
 */
function contains(data: Buffer, needle: Buffer, start: number, end: number): boolean {
  return indexOfKey(data.subarray(start, end), needle, 1) !== -1;
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
const FORKED_FROM_KEY = Buffer.from('"forked_from_id":');

/**
 * The `session_meta` payload without decoding `base_instructions` (≈22 KB in 0.169.0 files, and the only
 * large field): the line is cut before it and closed, falling back to a full parse when that does not work.
 */
function sessionMetaOf(data: Buffer, start: number, end: number): Record<string, unknown> | null {
  const line = data.subarray(start, end);
  const at = indexOfKey(line, BASE_INSTRUCTIONS_KEY, 2);
  // Forks name their source after the instructions: those rare lines get a full parse.
  if (at !== -1 && indexOfKey(line, FORKED_FROM_KEY, 7) === -1) {
    try {
      // `payload` is the last envelope key, so closing the payload and the line after the cut is valid JSON.
      const head = JSON.parse(data.toString('utf8', start, start + at) + '}}') as { payload?: unknown };
      if (isRecord(head.payload)) return head.payload;
    } catch {
      // fall through to the full parse
    }
  }
  return payloadOf(data, start, end);
}

/**
 * `line.indexOf(key)`, found through the key's tail from `skip` on. A tail that opens with a byte rare in the text
 * (`base_instructions":`, `_from_id":`, `UserMessage"`) is found by a search that skips ahead, where the whole key
 * (opening with `,"` or `"`, bytes found everywhere in JSON) stops at every quote of the 22 KB instructions: the
 * `forked_from_id` search cost ≈15x more that way. A tail hit counts only when the bytes before it complete the
 * key, so the answer is the first occurrence of the whole key, as `indexOf` gives it.
 */
function indexOfKey(line: Buffer, key: Buffer, skip: number): number {
  const tail = key.subarray(skip);
  let from = skip;
  for (;;) {
    const hit = line.indexOf(tail, from);
    if (hit === -1) return -1;
    const at = hit - skip;
    let i = 0;
    while (i < skip && line[at + i] === key[i]) i += 1;
    if (i === skip) return at;
    from = hit + 1;
  }
}

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

const MODEL_PATH = ['payload', 'model'].map((key) => Buffer.from(key));
const TOTAL_TOKENS_PATH = ['payload', 'info', 'total_token_usage', 'total_tokens'].map((key) => Buffer.from(key));

/** `payload.model` of a `turn_context` line when a string, read off the bytes (the line is checked, not built). */
function modelOf(data: Buffer, start: number, end: number): string | null {
  const picked = pickJsonValue(data, start, end, MODEL_PATH);
  if (picked === 'unsure') return stringField(payloadOf(data, start, end), 'model');
  if (picked === null || picked === 'invalid' || picked.first !== 0x22) return null;
  const body = data.subarray(picked.start + 1, picked.end - 1);
  return body.includes(0x5c) ? (JSON.parse(data.toString('utf8', picked.start, picked.end)) as string) : body.toString('utf8');
}

/** `payload.info.total_token_usage.total_tokens` of a `token_count` line when a number, else 0. */
function tokensOf(data: Buffer, start: number, end: number): number {
  const picked = pickJsonValue(data, start, end, TOTAL_TOKENS_PATH);
  if (picked === 'unsure') return totalTokens(payloadOf(data, start, end));
  if (picked === null || picked === 'invalid') return 0;
  const first = picked.first;
  return first === 0x2d || (first >= 0x30 && first <= 0x39) ? Number(data.toString('latin1', picked.start, picked.end)) : 0;
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
