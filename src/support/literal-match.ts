/**
 * Case-insensitive literal substring matching and snippets, shared by every thread-search path (the SQLite
 * index and the rollout scan) so they answer the same. Positions are UTF-16 code-unit offsets, what the wire's
 * `ThreadSearchTextRange` counts and what JavaScript strings index.
 */

/** Code points kept before a match in a snippet (the reference's `thread/search` snippets show 49). */
export const SNIPPET_BEFORE_CHARS = 49;
/** Code points kept after a match in a snippet (the reference shows 96). */
export const SNIPPET_AFTER_CHARS = 96;
const ELLIPSIS_BEFORE = '... ';
const ELLIPSIS_AFTER = ' ...';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text with every unpaired surrogate replaced by U+FFFD. SQLite stores text as UTF-8, where a lone surrogate
 * cannot exist (the binding writes U+FFFD), so the scan path applies the same replacement to what it reads and
 * both paths compare the same strings.
 */
export function wellFormed(text: string): string {
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATE, '\uFFFD') : text;
}

/** A search term as every path matches it: trimmed, well-formed, lower-cased. `''` means "no term". */
export function foldTerm(term: string): string {
  return wellFormed(term.trim()).toLowerCase();
}

/** A `[start, end)` range in UTF-16 code units. */
export interface TextRange {
  start: number;
  end: number;
}

/**
 * Every non-overlapping occurrence of `foldedTerm` (from {@link foldTerm}) in `text`, case-insensitively,
 * as ranges of `text`. Lower-casing can change a string's length (`İ` becomes two code units), so when it does
 * the positions are mapped back code point by code point.
 */
export function findAll(text: string, foldedTerm: string, max = Number.POSITIVE_INFINITY): TextRange[] {
  if (foldedTerm === '' || max <= 0) return [];
  const source = wellFormed(text);
  const lower = source.toLowerCase();
  const found: TextRange[] = [];
  if (lower.length === source.length) {
    for (let at = lower.indexOf(foldedTerm); at !== -1 && found.length < max; at = lower.indexOf(foldedTerm, at + foldedTerm.length)) {
      found.push({ start: at, end: at + foldedTerm.length });
    }
    return found;
  }
  // Map each lower-cased code unit back to the start of the source code point it came from.
  const origin: number[] = [];
  let folded = '';
  for (let i = 0; i < source.length; ) {
    const cp = source.codePointAt(i) as number;
    const width = cp > 0xffff ? 2 : 1;
    const piece = String.fromCodePoint(cp).toLowerCase();
    for (let k = 0; k < piece.length; k += 1) origin.push(i);
    folded += piece;
    i += width;
  }
  origin.push(source.length);
  for (let at = folded.indexOf(foldedTerm); at !== -1 && found.length < max; at = folded.indexOf(foldedTerm, at + foldedTerm.length)) {
    const endUnit = at + foldedTerm.length;
    // The end maps to the start of the code point after the last matched unit.
    const last = origin[endUnit - 1] as number;
    const lastWidth = (source.codePointAt(last) as number) > 0xffff ? 2 : 1;
    found.push({ start: origin[at] as number, end: last + lastWidth });
  }
  return found;
}

/** The first occurrence, or null. */
export function findFirst(text: string, foldedTerm: string): TextRange | null {
  return findAll(text, foldedTerm, 1)[0] ?? null;
}

/** A snippet of `text` around `match`, and where the match lies in it (UTF-16 code units). */
export interface Snippet {
  snippet: string;
  range: TextRange;
}

/**
 * Reference behaviour (observed on 0.169.0 `thread/search`): 49 code points before the match and 96 after it;
 * `"... "` in front when text was cut there, `" ..."` behind when text was cut there; otherwise the whole text.
 */
export function snippetAround(text: string, match: TextRange): Snippet {
  const source = wellFormed(text);
  let start = match.start;
  for (let n = 0; n < SNIPPET_BEFORE_CHARS && start > 0; n += 1) start -= isLowSurrogateAt(source, start - 1) && start >= 2 ? 2 : 1;
  let end = match.end;
  for (let n = 0; n < SNIPPET_AFTER_CHARS && end < source.length; n += 1) end += isHighSurrogateAt(source, end) && end + 1 < source.length ? 2 : 1;
  const head = start > 0 ? ELLIPSIS_BEFORE : '';
  const tail = end < source.length ? ELLIPSIS_AFTER : '';
  const offset = head.length - start;
  return { snippet: `${head}${source.slice(start, end)}${tail}`, range: { start: match.start + offset, end: match.end + offset } };
}

function isLowSurrogateAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
}

function isHighSurrogateAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff;
}

/**
 * The texts of a thread that search matches, in snippet priority order: the preview first (what the reference's
 * title search shows), then the name, the visible messages in order, and the id last.
 */
export function searchableTexts(preview: string, name: string | null, messages: readonly string[], id: string): string[] {
  const texts: string[] = [];
  if (preview !== '') texts.push(preview);
  if (name !== null && name !== '') texts.push(name);
  for (const message of messages) {
    if (message.includes(MESSAGE_SEPARATOR)) texts.push(...message.split(MESSAGE_SEPARATOR));
    else texts.push(message);
  }
  texts.push(id);
  return texts;
}

/**
 * Joins the messages the index stores in one row (U+001E, the ASCII record separator). Every path splits
 * messages at it, so a message that itself holds one is searched as two, the same way everywhere.
 */
export const MESSAGE_SEPARATOR = '\u001e';

/** The snippet of the first text (in the given order) holding `foldedTerm`, or null when none does. */
export function firstSnippet(texts: Iterable<string>, foldedTerm: string): string | null {
  for (const text of texts) {
    const match = findFirst(text, foldedTerm);
    if (match) return snippetAround(text, match).snippet;
  }
  return null;
}
