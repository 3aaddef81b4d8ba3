/**
 * The `apply_patch` envelope (issue 14): `*** Begin Patch`, then `*** Add File:` / `*** Delete File:` /
 * `*** Update File:` (+ `*** Move to:`) hunks with `@@` chunks, then `*** End Patch`. Parsing only: nothing here
 * touches the filesystem.
 *
 * Reference behaviour (codex-rs/apply-patch/src/parser.rs, lenient mode, which 0.169 uses for every model): the
 * text is trimmed, markers are compared after trimming, a `<<EOF` / `<<'EOF'` / `<<"EOF"` heredoc wrapper is
 * stripped, blank lines between chunks are skipped, and the first chunk of an update may omit its `@@`. The error
 * texts (and their 1-based line numbers) are the reference's, as `apply_patch verification failed: …` shows them.
 */

import { lines as rustLines, trim } from './rust-text.js';

const BEGIN_PATCH = '*** Begin Patch';
const END_PATCH = '*** End Patch';
const ADD_FILE = '*** Add File: ';
const DELETE_FILE = '*** Delete File: ';
const UPDATE_FILE = '*** Update File: ';
const MOVE_TO = '*** Move to: ';
const END_OF_FILE = '*** End of File';
const CONTEXT = '@@ ';
const EMPTY_CONTEXT = '@@';
const EMPTY_HUNK = 'Update hunk does not contain any lines';

/** One `@@` chunk of an update: `oldLines` (context and removed) are replaced by `newLines` (context and added). */
export interface UpdateChunk {
  /** The text after `@@ `: a line that must be found before `oldLines` (usually a class or function header). */
  changeContext: string | null;
  oldLines: string[];
  newLines: string[];
  /** `*** End of File` closed the chunk: `oldLines` should match at the end of the file. */
  isEndOfFile: boolean;
}

export type Hunk =
  | { type: 'add'; path: string; contents: string }
  | { type: 'delete'; path: string }
  | { type: 'update'; path: string; movePath: string | null; chunks: UpdateChunk[] };

/** A malformed patch. `message` is the reference's Display text (`invalid patch: …`, `invalid hunk at line N, …`). */
export class PatchParseError extends Error {
  constructor(
    readonly kind: 'invalid-patch' | 'invalid-hunk',
    readonly detail: string,
    readonly lineNumber: number | null,
  ) {
    super(kind === 'invalid-patch' ? `invalid patch: ${detail}` : `invalid hunk at line ${lineNumber}, ${detail}`);
    this.name = 'PatchParseError';
  }
}

export interface ParsedPatch {
  hunks: Hunk[];
  /** The patch text between (and including) the markers, heredoc wrapper removed, lines joined by `\n`. */
  patch: string;
}

/** Parses the model's patch text; throws {@link PatchParseError} with the reference's text when it is malformed. */
export function parsePatch(text: string): ParsedPatch {
  const lines = rustLines(trim(text));
  const { patchLines, body } = checkBoundariesLenient(lines);
  const hunks: Hunk[] = [];
  let rest = body;
  let lineNumber = 2;
  while (rest.length > 0) {
    const [hunk, used] = parseOneHunk(rest, lineNumber);
    hunks.push(hunk);
    lineNumber += used;
    rest = rest.slice(used);
  }
  return { hunks, patch: patchLines.join('\n') };
}

function checkBoundariesStrict(lines: string[]): { patchLines: string[]; body: string[] } {
  const first = lines.length > 0 ? trim(lines[0]!) : undefined;
  const last = lines.length > 0 ? trim(lines[lines.length - 1]!) : undefined;
  if (first === BEGIN_PATCH && last === END_PATCH) return { patchLines: lines, body: lines.slice(1, -1) };
  if (first !== undefined && first !== BEGIN_PATCH) {
    throw new PatchParseError('invalid-patch', "The first line of the patch must be '*** Begin Patch'", null);
  }
  throw new PatchParseError('invalid-patch', "The last line of the patch must be '*** End Patch'", null);
}

function checkBoundariesLenient(lines: string[]): { patchLines: string[]; body: string[] } {
  try {
    return checkBoundariesStrict(lines);
  } catch (error) {
    // Reference behaviour: a heredoc wrapper (`<<'EOF'` … `EOF`) around at least two patch lines is stripped.
    const first = lines[0];
    const last = lines[lines.length - 1];
    const heredoc = first === '<<EOF' || first === "<<'EOF'" || first === '<<"EOF"';
    if (lines.length >= 4 && heredoc && last !== undefined && last.endsWith('EOF')) return checkBoundariesStrict(lines.slice(1, -1));
    throw error;
  }
}

function parseOneHunk(lines: string[], lineNumber: number): [Hunk, number] {
  const first = trim(lines[0]!);
  if (first.startsWith(ADD_FILE)) {
    let contents = '';
    let used = 1;
    for (const line of lines.slice(1)) {
      if (!line.startsWith('+')) break;
      contents += `${line.slice(1)}\n`;
      used++;
    }
    return [{ type: 'add', path: first.slice(ADD_FILE.length), contents }, used];
  }
  if (first.startsWith(DELETE_FILE)) return [{ type: 'delete', path: first.slice(DELETE_FILE.length) }, 1];
  if (first.startsWith(UPDATE_FILE)) {
    const path = first.slice(UPDATE_FILE.length);
    let rest = lines.slice(1);
    let used = 1;
    // Reference behaviour: the move line is matched untrimmed, unlike the hunk headers.
    const movePath = rest[0]?.startsWith(MOVE_TO) ? rest[0].slice(MOVE_TO.length) : null;
    if (movePath !== null) {
      rest = rest.slice(1);
      used++;
    }
    const chunks: UpdateChunk[] = [];
    while (rest.length > 0) {
      if (trim(rest[0]!) === '') {
        used++;
        rest = rest.slice(1);
        continue;
      }
      if (rest[0]!.startsWith('*')) break;
      const [chunk, chunkLines] = parseUpdateChunk(rest, lineNumber + used, chunks.length === 0);
      chunks.push(chunk);
      used += chunkLines;
      rest = rest.slice(chunkLines);
    }
    if (chunks.length === 0) throw new PatchParseError('invalid-hunk', `Update file hunk for path '${path}' is empty`, lineNumber);
    return [{ type: 'update', path, movePath, chunks }, used];
  }
  throw new PatchParseError(
    'invalid-hunk',
    `'${first}' is not a valid hunk header. Valid hunk headers: '*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'`,
    lineNumber,
  );
}

function parseUpdateChunk(lines: string[], lineNumber: number, allowMissingContext: boolean): [UpdateChunk, number] {
  let changeContext: string | null = null;
  let start = 0;
  const head = lines[0]!;
  if (head === EMPTY_CONTEXT) start = 1;
  else if (head.startsWith(CONTEXT)) {
    changeContext = head.slice(CONTEXT.length);
    start = 1;
  } else if (!allowMissingContext) {
    throw new PatchParseError('invalid-hunk', `Expected update hunk to start with a @@ context marker, got: '${head}'`, lineNumber);
  }
  if (start >= lines.length) throw new PatchParseError('invalid-hunk', EMPTY_HUNK, lineNumber + 1);
  const chunk: UpdateChunk = { changeContext, oldLines: [], newLines: [], isEndOfFile: false };
  let parsed = 0;
  for (const line of lines.slice(start)) {
    if (line === END_OF_FILE) {
      if (parsed === 0) throw new PatchParseError('invalid-hunk', EMPTY_HUNK, lineNumber + 1);
      chunk.isEndOfFile = true;
      parsed++;
      break;
    }
    const marker = line[0];
    if (marker === undefined) {
      // An empty line is an empty context line.
      chunk.oldLines.push('');
      chunk.newLines.push('');
    } else if (marker === ' ') {
      chunk.oldLines.push(line.slice(1));
      chunk.newLines.push(line.slice(1));
    } else if (marker === '+') {
      chunk.newLines.push(line.slice(1));
    } else if (marker === '-') {
      chunk.oldLines.push(line.slice(1));
    } else {
      if (parsed === 0) {
        throw new PatchParseError(
          'invalid-hunk',
          `Unexpected line found in update hunk: '${line}'. Every line should start with ' ' (context line), '+' (added line), or '-' (removed line)`,
          // Reference behaviour (0.169): the line of the offending text, also when the chunk has no `@@`.
          lineNumber + start,
        );
      }
      // The start of the next chunk (`@@`) or hunk.
      break;
    }
    parsed++;
  }
  return [chunk, parsed + start];
}
