import { readFile } from 'node:fs/promises';
import { isRecord } from '../support/json-values.js';
import type { RolloutLine } from './types.js';

/** A rollout file decoded line by line. */
export interface RolloutContents {
  lines: RolloutLine[];
  /** Lines that did not parse (a torn last line after a crash, or garbage), by 0-based file line number. */
  skipped: number[];
  /** False when the file does not end with `\n` (a crash mid-write): the next append must start a new line. */
  endsWithNewline: boolean;
}

/** Reads and decodes every line, skipping those that do not parse. Unknown line types are kept as they are. */
export async function readRollout(rolloutPath: string): Promise<RolloutContents> {
  const text = (await readFile(rolloutPath)).toString('utf8');
  return parseRolloutText(text);
}

export function parseRolloutText(text: string): RolloutContents {
  const lines: RolloutLine[] = [];
  const skipped: number[] = [];
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const raw = text.slice(start, end);
    start = end + 1;
    if (raw.trim().length > 0) {
      const line = decodeLine(raw);
      if (line) lines.push(line);
      else skipped.push(lineNo);
    }
    lineNo += 1;
  }
  return { lines, skipped, endsWithNewline: text.length === 0 || text.endsWith('\n') };
}

/**
 * Whether a caller can do without a line, told from its head alone: the line's `type` and, when the payload
 * starts with one, the payload's `type` (null otherwise). Must only say true for lines whose decoded form the
 * caller would ignore.
 */
export type LineSkipRule = (type: string, payloadType: string | null) => boolean;

/** The lines a caller needs, decoded; the others were passed over without being parsed. */
export interface SelectedLines {
  /** Decoded lines in file order; the first decodable line of the file is always among them. */
  lines: RolloutLine[];
  /**
   * Lines passed over on their head alone. When it is 0, `lines` is exactly what `readRollout` decodes;
   * otherwise positions in `lines` are not file positions (and a passed-over line might not even parse).
   */
  elided: number;
}

/**
 * Reads a rollout, decoding only the lines `skip` does not rule out. A line is ruled out only when its head has
 * the form every writer uses (`{"timestamp":"…",["ordinal":N,]"type":"…","payload":{"type":"…"`); anything else
 * is decoded as `readRollout` would. Not a validator: a duplicated top-level key after the head goes unseen.
 */
export async function readRolloutSelected(rolloutPath: string, skip: LineSkipRule): Promise<SelectedLines> {
  return parseSelectedText((await readFile(rolloutPath)).toString('utf8'), skip);
}

// Used sticky (a fresh copy per call), so it only matches at the start of the line looked at; no part of it can
// match a newline, so a match never reaches into the next line.
const LINE_HEAD = /\{"timestamp":"[^"\\\n]*",(?:"ordinal":\d{1,15},)?"type":"([a-z_]{1,64})",(?:"payload":\{"type":"([a-z_]{1,64})"[,}])?/;

export function parseSelectedText(text: string, skip: LineSkipRule): SelectedLines {
  const lines: RolloutLine[] = [];
  const head = new RegExp(LINE_HEAD.source, 'y');
  let elided = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (lines.length > 0) {
      head.lastIndex = start;
      const m = head.exec(text);
      if (m && skip(m[1] as string, m[2] ?? null)) {
        elided += 1;
        start = end + 1;
        continue;
      }
    }
    const raw = text.slice(start, end);
    start = end + 1;
    if (raw.trim().length > 0) {
      const line = decodeLine(raw);
      if (line) lines.push(line);
    }
  }
  return { lines, elided };
}

function decodeLine(raw: string): RolloutLine | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isRecord(value) || typeof value['type'] !== 'string') return null;
  const payload = isRecord(value['payload']) ? value['payload'] : {};
  return { ...value, timestamp: String(value['timestamp'] ?? ''), type: value['type'], payload } as RolloutLine;
}
