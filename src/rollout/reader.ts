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
