/**
 * The new text of a file after an update hunk's chunks (reference: `derive_new_contents_from_chunks` and
 * `compute_replacements` in codex-rs/apply-patch/src/lib.rs). Chunks are located in order with
 * {@link seekSequence}.
 */
import type { UpdateChunk } from './parser.js';
import { seekSequence } from './seek-sequence.js';

/** A chunk that cannot be placed; `message` is the reference's text. */
export class ChunkMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkMismatchError';
  }
}

type Replacement = [start: number, oldLength: number, newLines: string[]];

interface SourceLine {
  text: string;
  ending: '\n' | '\r\n' | null;
}

/**
 * `original` with `chunks` applied; `displayPath` names the file in errors. Throws {@link ChunkMismatchError}.
 *
 * Reference behaviour (0.169, `text_file.rs`): lines are matched without their `\r`; each kept line keeps its own
 * ending, new lines get the file's first ending (`\n` when it has none), and every line ends with one, so the
 * result always ends with a newline.
 */
export function applyChunks(original: string, chunks: readonly UpdateChunk[], displayPath: string): string {
  const source = parseSource(original);
  const preferred = source.find((l) => l.ending !== null)?.ending ?? '\n';
  const replacements = computeReplacements(
    source.map((l) => l.text),
    chunks,
    displayPath,
  );
  const out: SourceLine[] = [];
  let next = 0;
  for (const [start, oldLength, newLines] of replacements) {
    while (next < start && next < source.length) out.push(source[next++]!);
    next = Math.min(source.length, Math.max(next, start) + oldLength);
    for (const text of newLines) out.push({ text, ending: preferred });
  }
  while (next < source.length) out.push(source[next++]!);
  return out.map((l) => l.text + (l.ending ?? preferred)).join('');
}

function parseSource(contents: string): SourceLine[] {
  const parts = contents.split('\n');
  const last = parts.pop()!;
  const lines: SourceLine[] = parts.map((part) => (part.endsWith('\r') ? { text: part.slice(0, -1), ending: '\r\n' } : { text: part, ending: '\n' }));
  if (last !== '') lines.push({ text: last, ending: null });
  return lines;
}

function computeReplacements(lines: readonly string[], chunks: readonly UpdateChunk[], displayPath: string): Replacement[] {
  const out: Replacement[] = [];
  let index = 0;
  for (const chunk of chunks) {
    if (chunk.changeContext !== null) {
      const at = seekSequence(lines, [chunk.changeContext], index, false);
      if (at === null) throw new ChunkMismatchError(`Failed to find context '${chunk.changeContext}' in ${displayPath}`);
      index = at + 1;
    }
    if (chunk.oldLines.length === 0) {
      // A pure addition goes at the end of the file (0.169: after a final empty line too).
      out.push([lines.length, 0, [...chunk.newLines]]);
      continue;
    }
    let pattern = chunk.oldLines;
    let replacement = chunk.newLines;
    let found = seekSequence(lines, pattern, index, chunk.isEndOfFile);
    if (found === null && pattern[pattern.length - 1] === '') {
      // A trailing empty old line stands for the file's final newline, which `lines` does not hold: retry without it.
      pattern = pattern.slice(0, -1);
      if (replacement[replacement.length - 1] === '') replacement = replacement.slice(0, -1);
      found = seekSequence(lines, pattern, index, chunk.isEndOfFile);
    }
    if (found === null) {
      throw new ChunkMismatchError(`Failed to find expected lines in ${displayPath}:\n${chunk.oldLines.join('\n')}`);
    }
    out.push([found, pattern.length, [...replacement]]);
    index = found + pattern.length;
  }
  return out.sort((a, b) => a[0] - b[0]);
}
